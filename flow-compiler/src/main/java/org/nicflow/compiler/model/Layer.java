package org.nicflow.compiler.model;

import java.util.List;
import java.util.Objects;

/** A layer of a rule set: rules in the order written, and the action when none matches. */
public record Layer(String name, DefaultAction defaultAction, List<Rule> rules) {

  public Layer {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(defaultAction, "defaultAction");
    rules = List.copyOf(rules);
  }
}
