package org.nicflow.compiler.model;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The stable numbers that cookies, metadata and meter ids use to name VMs, layers and rules, and
 * the generation of every rule set. A VM keeps its number while it exists; a layer keeps its
 * number while its rule set keeps a layer of that name; a rule keeps its number while its layer
 * keeps a rule with that id. A rule set's generation (1-4095, wrapping) moves on exactly when the
 * rule set's layers change, so the flows of rule sets that did not change keep their cookies.
 *
 * <p>A config read from a file carries {@linkplain #positional positional} numbers (list order,
 * generation 1); the policy store gives each new revision {@link #next} of the previous one. The
 * numbers are part of the durable state: they are stored with every revision.
 *
 * @param vms VM name → number (0 to {@link #MAX_VM})
 * @param rulesets rule-set name → its layer and rule numbers and generation
 */
public record PolicyIds(Map<String, Integer> vms, Map<String, RuleSetIds> rulesets) {

  /** VM numbers fit a cookie's 16-bit VM field below its "no VM" value. */
  public static final int MAX_VM = 0xfffe;
  /** Layer numbers fit a cookie's 4-bit layer field below its "no layer" value. */
  public static final int MAX_LAYER = 0xe;
  /** Rule numbers fit a cookie's 20-bit rule field below its "no rule" value. */
  public static final int MAX_RULE = 0xffffe;
  /** Generations fit a cookie's 12 bits; 0 is the generation of host-wide flows. */
  public static final int MAX_GENERATION = 0xfff;

  /**
   * The numbers of one rule set.
   *
   * @param generation 1-4095
   * @param layers layer name → number
   * @param rules layer name → (rule id → number)
   */
  public record RuleSetIds(int generation, Map<String, Integer> layers, Map<String, Map<String, Integer>> rules) {
    public RuleSetIds {
      if (generation < 1 || generation > MAX_GENERATION) {
        throw new IllegalArgumentException("generation " + generation + " is outside 1-" + MAX_GENERATION);
      }
      layers = Map.copyOf(layers);
      Map<String, Map<String, Integer>> copy = new HashMap<>();
      rules.forEach((layer, ids) -> copy.put(layer, Map.copyOf(ids)));
      rules = Map.copyOf(copy);
    }
  }

  public PolicyIds {
    vms = Map.copyOf(vms);
    rulesets = Map.copyOf(rulesets);
  }

  /** Numbers in list order and generation 1: what a config read from a file starts with. */
  public static PolicyIds positional(List<Vm> vms, List<RuleSet> rulesets) {
    Map<String, Integer> vmIds = new LinkedHashMap<>();
    for (Vm vm : vms) {
      vmIds.putIfAbsent(vm.name(), vmIds.size());
    }
    Map<String, RuleSetIds> sets = new LinkedHashMap<>();
    for (RuleSet rs : rulesets) {
      sets.put(rs.name(), positional(rs, 1));
    }
    return new PolicyIds(vmIds, sets);
  }

  private static RuleSetIds positional(RuleSet rs, int generation) {
    Map<String, Integer> layers = new HashMap<>();
    Map<String, Map<String, Integer>> rules = new HashMap<>();
    for (int l = 0; l < rs.layers().size(); l++) {
      Layer layer = rs.layers().get(l);
      layers.put(layer.name(), l);
      Map<String, Integer> ids = new HashMap<>();
      for (int r = 0; r < layer.rules().size(); r++) {
        ids.put(layer.rules().get(r).id(), r);
      }
      rules.put(layer.name(), ids);
    }
    return new RuleSetIds(generation, layers, rules);
  }

  /**
   * The numbers of {@code config} given that {@code previous} held for the config before it, with
   * {@code previousRulesets} that config's rule sets: what survives keeps its number, what is new
   * gets the lowest free one, a changed rule set's generation moves on.
   */
  public static PolicyIds next(PolicyIds previous, List<RuleSet> previousRulesets, Config config) {
    Map<String, Integer> vmIds = new LinkedHashMap<>();
    TreeSet<Integer> usedVms = new TreeSet<>();
    for (Vm vm : config.vms()) {
      Integer id = previous.vms.get(vm.name());
      if (id != null) {
        vmIds.put(vm.name(), id);
        usedVms.add(id);
      }
    }
    for (Vm vm : config.vms()) {
      if (!vmIds.containsKey(vm.name())) {
        int id = lowestFree(usedVms, MAX_VM, "VM");
        vmIds.put(vm.name(), id);
        usedVms.add(id);
      }
    }
    Map<String, RuleSet> before = new HashMap<>();
    previousRulesets.forEach(rs -> before.put(rs.name(), rs));
    Map<String, RuleSetIds> sets = new LinkedHashMap<>();
    for (RuleSet rs : config.rulesets()) {
      RuleSetIds old = previous.rulesets.get(rs.name());
      RuleSet oldSet = before.get(rs.name());
      if (old == null || oldSet == null) {
        sets.put(rs.name(), positional(rs, 1));
      } else if (oldSet.equals(rs)) {
        sets.put(rs.name(), old);
      } else {
        sets.put(rs.name(), renumber(rs, old));
      }
    }
    return new PolicyIds(vmIds, sets);
  }

  private static RuleSetIds renumber(RuleSet rs, RuleSetIds old) {
    int generation = old.generation() >= MAX_GENERATION ? 1 : old.generation() + 1;
    Map<String, Integer> layers = new HashMap<>();
    TreeSet<Integer> usedLayers = new TreeSet<>();
    for (Layer layer : rs.layers()) {
      Integer id = old.layers().get(layer.name());
      if (id != null) {
        layers.put(layer.name(), id);
        usedLayers.add(id);
      }
    }
    Map<String, Map<String, Integer>> rules = new HashMap<>();
    for (Layer layer : rs.layers()) {
      if (!layers.containsKey(layer.name())) {
        int id = lowestFree(usedLayers, MAX_LAYER, "layer");
        layers.put(layer.name(), id);
        usedLayers.add(id);
      }
      Map<String, Integer> oldRules = old.rules().getOrDefault(layer.name(), Map.of());
      Map<String, Integer> ids = new HashMap<>();
      TreeSet<Integer> used = new TreeSet<>();
      for (Rule rule : layer.rules()) {
        Integer id = oldRules.get(rule.id());
        if (id != null) {
          ids.put(rule.id(), id);
          used.add(id);
        }
      }
      for (Rule rule : layer.rules()) {
        if (!ids.containsKey(rule.id())) {
          int id = lowestFree(used, MAX_RULE, "rule");
          ids.put(rule.id(), id);
          used.add(id);
        }
      }
      rules.put(layer.name(), ids);
    }
    return new RuleSetIds(generation, layers, rules);
  }

  private static int lowestFree(TreeSet<Integer> used, int max, String what) {
    int candidate = 0;
    for (int id : used) {
      if (id > candidate) {
        break;
      }
      candidate = id + 1;
    }
    if (candidate > max) {
      throw new IllegalStateException("no free " + what + " number left (at most " + (max + 1) + ")");
    }
    return candidate;
  }

  /** The number of VM {@code name}. */
  public int vm(String name) {
    Integer id = vms.get(name);
    if (id == null) {
      throw new IllegalArgumentException("no VM named " + name);
    }
    return id;
  }

  /** The VM that has number {@code id}. */
  public Optional<String> vmName(int id) {
    return vms.entrySet().stream().filter(e -> e.getValue() == id).map(Map.Entry::getKey).findFirst();
  }

  public RuleSetIds ruleset(String name) {
    RuleSetIds ids = rulesets.get(name);
    if (ids == null) {
      throw new IllegalArgumentException("no rule set named " + name);
    }
    return ids;
  }

  /** The number of layer {@code layer} of rule set {@code ruleset}. */
  public int layer(String ruleset, String layer) {
    Integer id = ruleset(ruleset).layers().get(layer);
    if (id == null) {
      throw new IllegalArgumentException("rule set " + ruleset + " has no layer " + layer);
    }
    return id;
  }

  /** The number of rule {@code rule} in layer {@code layer} of rule set {@code ruleset}. */
  public int rule(String ruleset, String layer, String rule) {
    Integer id = ruleset(ruleset).rules().getOrDefault(layer, Map.of()).get(rule);
    if (id == null) {
      throw new IllegalArgumentException("layer " + layer + " of rule set " + ruleset + " has no rule " + rule);
    }
    return id;
  }

  /** The layer of {@code ruleset} numbered {@code id}. */
  public Optional<String> layerName(String ruleset, int id) {
    RuleSetIds ids = rulesets.get(ruleset);
    return ids == null ? Optional.empty()
        : ids.layers().entrySet().stream().filter(e -> e.getValue() == id).map(Map.Entry::getKey).findFirst();
  }

  /** The rule of layer {@code layer} of {@code ruleset} numbered {@code id}. */
  public Optional<String> ruleName(String ruleset, String layer, int id) {
    RuleSetIds ids = rulesets.get(ruleset);
    return ids == null ? Optional.empty()
        : ids.rules().getOrDefault(layer, Map.of()).entrySet().stream().filter(e -> e.getValue() == id)
            .map(Map.Entry::getKey).findFirst();
  }

  /** These numbers with every rule set at generation {@code generation} (the compile command's override). */
  public PolicyIds withGeneration(int generation) {
    Map<String, RuleSetIds> sets = new LinkedHashMap<>();
    rulesets.forEach((name, ids) -> sets.put(name, new RuleSetIds(generation, ids.layers(), ids.rules())));
    return new PolicyIds(vms, sets);
  }

  /** Checks that these numbers name every VM, layer and rule of {@code config}, each once. */
  public void checkCovers(Config config) {
    Objects.requireNonNull(config, "config");
    if (new TreeSet<>(vms.values()).size() != vms.size()) {
      throw new IllegalArgumentException("two VMs share a number");
    }
    for (Vm vm : config.vms()) {
      vm(vm.name());
    }
    for (RuleSet rs : config.rulesets()) {
      RuleSetIds ids = ruleset(rs.name());
      if (new TreeSet<>(ids.layers().values()).size() != ids.layers().size()) {
        throw new IllegalArgumentException("two layers of rule set " + rs.name() + " share a number");
      }
      for (Layer layer : rs.layers()) {
        layer(rs.name(), layer.name());
        Map<String, Integer> rules = ids.rules().getOrDefault(layer.name(), Map.of());
        if (new TreeSet<>(rules.values()).size() != rules.size()) {
          throw new IllegalArgumentException("two rules of layer " + layer.name() + " share a number");
        }
        for (Rule rule : layer.rules()) {
          rule(rs.name(), layer.name(), rule.id());
        }
      }
    }
  }
}
