package org.nicflow.controller.policy;

import java.util.ArrayList;
import java.util.List;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Layer;
import org.nicflow.compiler.model.RuleSet;

/** Edits of a config that tests of live policy apply, numbered positionally like a fresh file. */
public final class ConfigEdits {

  private ConfigEdits() {}

  /** {@code c} without rule {@code ruleId} of rule set {@code ruleset}. */
  public static Config withoutRule(Config c, String ruleset, String ruleId) {
    List<RuleSet> sets = new ArrayList<>();
    for (RuleSet rs : c.rulesets()) {
      if (!rs.name().equals(ruleset)) {
        sets.add(rs);
        continue;
      }
      List<Layer> layers = rs.layers().stream().map(l -> new Layer(l.name(), l.defaultAction(),
          l.rules().stream().filter(r -> !r.id().equals(ruleId)).toList())).toList();
      if (layers.equals(rs.layers())) {
        throw new IllegalArgumentException("rule set " + ruleset + " has no rule " + ruleId);
      }
      sets.add(new RuleSet(rs.name(), layers));
    }
    return new Config(c.controller(), c.hosts(), c.vnets(), c.vms(), sets, c.loadBalancers());
  }
}
