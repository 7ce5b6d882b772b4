package org.nicflow.compiler.model;

import java.util.List;
import java.util.Objects;

/** A VM's policy: layers in outbound order (inbound runs them in reverse). */
public record RuleSet(String name, List<Layer> layers) {

  /** Pipeline tables reserve this many layers per direction. */
  public static final int MAX_LAYERS = 8;

  public RuleSet {
    Objects.requireNonNull(name, "name");
    layers = List.copyOf(layers);
  }
}
