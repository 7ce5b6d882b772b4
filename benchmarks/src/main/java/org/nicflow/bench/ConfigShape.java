package org.nicflow.bench;

import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Layer;
import org.nicflow.compiler.model.RuleSet;

/** How a config's rules are spread: what a lookup's cost depends on. */
public record ConfigShape(int rules, int ruleSets, int layers, int maxRulesPerRuleSet, int maxRulesPerLayer) {

  public ConfigShape {
    if (rules < 0 || ruleSets < 0 || layers < 0 || maxRulesPerRuleSet < 0 || maxRulesPerLayer < 0) {
      throw new IllegalArgumentException("counts must be >= 0");
    }
  }

  public static ConfigShape of(Config config) {
    int rules = 0;
    int layers = 0;
    int maxSet = 0;
    int maxLayer = 0;
    for (RuleSet rs : config.rulesets()) {
      int inSet = 0;
      for (Layer layer : rs.layers()) {
        inSet += layer.rules().size();
        maxLayer = Math.max(maxLayer, layer.rules().size());
        layers++;
      }
      rules += inSet;
      maxSet = Math.max(maxSet, inSet);
    }
    return new ConfigShape(rules, config.rulesets().size(), layers, maxSet, maxLayer);
  }

  @Override
  public String toString() {
    return rules + " rules in " + ruleSets + " rule sets of " + layers + " layers (at most " + maxRulesPerRuleSet
        + " rules per rule set, " + maxRulesPerLayer + " per layer)";
  }
}
