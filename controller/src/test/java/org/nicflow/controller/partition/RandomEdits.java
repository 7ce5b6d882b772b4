package org.nicflow.controller.partition;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import org.nicflow.compiler.config.ConfigException;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.config.ConfigWriter;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Direction;
import org.nicflow.compiler.model.Host;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.Ipv4Prefix;
import org.nicflow.compiler.model.Layer;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.model.PortRange;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.model.Rule;
import org.nicflow.compiler.model.RuleAction;
import org.nicflow.compiler.model.RuleSet;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.model.Vnet;
import org.nicflow.compiler.testing.RandomConfigs;

/**
 * Random edits of a valid config, one of each {@link Kind}, each checked valid by writing it out
 * and loading it back (the loader validates; an edit it refuses is drawn again). The result keeps
 * the numbering of the config it was drawn from; the caller numbers it as the next revision.
 */
final class RandomEdits {

  /** What an edit does. */
  enum Kind {
    RULE_ADDED,
    RULE_REMOVED,
    RULE_REPRIORITISED,
    VM_ADDED,
    VM_MOVED,
    VM_DELETED
  }

  /** An edit and the config it gives. */
  record Edit(Kind kind, String what, Config config) {
    Edit {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(what, "what");
      Objects.requireNonNull(config, "config");
    }
  }

  /** Where a rule is: rule set, layer and position. */
  private record RuleAt(int ruleset, int layer, int index) {}

  private static final int ATTEMPTS = 50;
  private static final Kind[] KINDS = Kind.values();

  private final ConfigLoader loader = new ConfigLoader();

  /**
   * A valid edit of {@code config}: of the first kind of {@code wanted} that applies to it, else of
   * a kind drawn from {@code rnd} (a run passes the kind it is to cover).
   */
  Edit next(Config config, Random rnd, Set<Kind> wanted) {
    for (Kind kind : KINDS) {
      if (wanted.contains(kind)) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
          Optional<Edit> edit = draw(kind, config, rnd).filter(this::valid);
          if (edit.isPresent()) {
            return edit.get();
          }
        }
      }
    }
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      Optional<Edit> edit = draw(KINDS[rnd.nextInt(KINDS.length)], config, rnd).filter(this::valid);
      if (edit.isPresent()) {
        return edit.get();
      }
    }
    throw new IllegalStateException("no valid edit found in " + ATTEMPTS + " attempts");
  }

  private boolean valid(Edit edit) {
    try {
      return loader.parse(ConfigWriter.toYaml(edit.config()), "edit").samePolicy(edit.config());
    } catch (ConfigException invalid) {
      return false;
    }
  }

  /** Whether {@code config} has what an edit of {@code kind} needs: a rule, a second host, a second VM. */
  static boolean canMake(Kind kind, Config config) {
    return switch (kind) {
      case RULE_ADDED, VM_ADDED -> true;
      case RULE_REMOVED, RULE_REPRIORITISED -> !rules(config).isEmpty();
      case VM_MOVED -> config.hosts().size() >= 2;
      case VM_DELETED -> config.vms().size() >= 2;
    };
  }

  private Optional<Edit> draw(Kind kind, Config config, Random rnd) {
    if (!canMake(kind, config)) {
      return Optional.empty();
    }
    return Optional.of(switch (kind) {
      case RULE_ADDED -> addRule(config, rnd);
      case RULE_REMOVED -> removeRule(config, pick(rules(config), rnd));
      case RULE_REPRIORITISED -> reprioritise(config, pick(rules(config), rnd), rnd);
      case VM_ADDED -> addVm(config, rnd);
      case VM_MOVED -> moveVm(config, rnd);
      case VM_DELETED -> deleteVm(config, rnd);
    });
  }

  private static Edit addRule(Config config, Random rnd) {
    int set = rnd.nextInt(config.rulesets().size());
    int layer = rnd.nextInt(config.rulesets().get(set).layers().size());
    Layer l = config.rulesets().get(set).layers().get(layer);
    Rule rule = newRule(freshRuleId(config), config, rnd);
    List<Rule> rules = new ArrayList<>(l.rules());
    rules.add(rnd.nextInt(rules.size() + 1), rule);
    return new Edit(Kind.RULE_ADDED, "rule " + rule.id() + " added to " + where(config, set, layer),
        withLayer(config, set, layer, new Layer(l.name(), l.defaultAction(), rules)));
  }

  private static Edit removeRule(Config config, RuleAt at) {
    Layer l = config.rulesets().get(at.ruleset()).layers().get(at.layer());
    List<Rule> rules = new ArrayList<>(l.rules());
    Rule gone = rules.remove(at.index());
    return new Edit(Kind.RULE_REMOVED, "rule " + gone.id() + " removed from " + where(config, at.ruleset(), at.layer()),
        withLayer(config, at.ruleset(), at.layer(), new Layer(l.name(), l.defaultAction(), rules)));
  }

  private static Edit reprioritise(Config config, RuleAt at, Random rnd) {
    Layer l = config.rulesets().get(at.ruleset()).layers().get(at.layer());
    List<Rule> rules = new ArrayList<>(l.rules());
    Rule r = rules.get(at.index());
    int priority = (r.priority() + 5 * (1 + rnd.nextInt(9))) % 50;
    rules.set(at.index(), new Rule(r.id(), priority, r.direction(), r.proto(), r.src(), r.dst(), r.srcPort(),
        r.dstPort(), r.icmpType(), r.action(), r.snatTo(), r.dscp(), r.stateful()));
    return new Edit(Kind.RULE_REPRIORITISED, "rule " + r.id() + " priority " + r.priority() + " -> " + priority,
        withLayer(config, at.ruleset(), at.layer(), new Layer(l.name(), l.defaultAction(), rules)));
  }

  private static Edit addVm(Config config, Random rnd) {
    Set<String> names = new HashSet<>();
    config.vms().forEach(vm -> names.add(vm.name()));
    int n = 0;
    while (names.contains("new" + n)) {
      n++;
    }
    String name = "new" + n;
    Vnet vnet = config.vnets().get(rnd.nextInt(config.vnets().size()));
    Set<Ipv4> taken = new HashSet<>();
    config.vms().stream().filter(vm -> vm.vnet().equals(vnet.name())).forEach(vm -> taken.add(vm.ip()));
    Ipv4 ip;
    do {
      ip = new Ipv4(vnet.prefix().network().bits() + 2 + rnd.nextInt(60));
    } while (taken.contains(ip));
    Vm vm = new Vm(name, config.hosts().get(rnd.nextInt(config.hosts().size())).name(), name + "-eth0",
        new MacAddress(0x02_00_00_00_03_00L + n), ip, vnet.name(),
        config.rulesets().get(rnd.nextInt(config.rulesets().size())).name(),
        rnd.nextInt(3) == 0 ? OptionalLong.of(1000L * (1 + rnd.nextInt(100))) : OptionalLong.empty());
    List<Vm> vms = new ArrayList<>(config.vms());
    vms.add(vm);
    return new Edit(Kind.VM_ADDED, "vm " + name + " added on " + vm.host(), withVms(config, vms));
  }

  private static Edit moveVm(Config config, Random rnd) {
    int index = rnd.nextInt(config.vms().size());
    Vm vm = config.vms().get(index);
    List<Host> others = config.hosts().stream().filter(h -> !h.name().equals(vm.host())).toList();
    String to = others.get(rnd.nextInt(others.size())).name();
    List<Vm> vms = new ArrayList<>(config.vms());
    vms.set(index, new Vm(vm.name(), to, vm.port(), vm.mac(), vm.ip(), vm.vnet(), vm.ruleset(), vm.meterKbps()));
    return new Edit(Kind.VM_MOVED, "vm " + vm.name() + " moved from " + vm.host() + " to " + to,
        withVms(config, vms));
  }

  private static Edit deleteVm(Config config, Random rnd) {
    List<Vm> vms = new ArrayList<>(config.vms());
    Vm gone = vms.remove(rnd.nextInt(vms.size()));
    return new Edit(Kind.VM_DELETED, "vm " + gone.name() + " deleted", withVms(config, vms));
  }

  /** A rule aimed at the config's VMs, with an allow or deny (sometimes stateful) verdict. */
  private static Rule newRule(String id, Config config, Random rnd) {
    Protocol proto = new Protocol[] {Protocol.TCP, Protocol.UDP, Protocol.ICMP, Protocol.ANY}[rnd.nextInt(4)];
    PortRange dport = PortRange.ANY;
    if (proto.hasPorts() && rnd.nextBoolean()) {
      int port = RandomConfigs.PORTS[rnd.nextInt(RandomConfigs.PORTS.length)];
      dport = new PortRange(port, Math.min(65535, port + rnd.nextInt(2000)));
    }
    Ipv4Prefix dst = rnd.nextBoolean() ? Ipv4Prefix.ANY
        : Ipv4Prefix.host(config.vms().get(rnd.nextInt(config.vms().size())).ip());
    RuleAction action = rnd.nextBoolean() ? RuleAction.ALLOW : RuleAction.DENY;
    Direction direction = Direction.values()[rnd.nextInt(Direction.values().length)];
    return new Rule(id, 10 * rnd.nextInt(5), direction, proto, Ipv4Prefix.ANY, dst, PortRange.ANY, dport,
        OptionalInt.empty(), action, Optional.empty(), OptionalInt.empty(),
        action == RuleAction.ALLOW && rnd.nextBoolean());
  }

  private static String freshRuleId(Config config) {
    Set<String> ids = new HashSet<>();
    config.rulesets().forEach(rs -> rs.layers().forEach(l -> l.rules().forEach(r -> ids.add(r.id()))));
    int n = 0;
    while (ids.contains("edit-r" + n)) {
      n++;
    }
    return "edit-r" + n;
  }

  private static List<RuleAt> rules(Config config) {
    List<RuleAt> out = new ArrayList<>();
    for (int s = 0; s < config.rulesets().size(); s++) {
      List<Layer> layers = config.rulesets().get(s).layers();
      for (int l = 0; l < layers.size(); l++) {
        for (int r = 0; r < layers.get(l).rules().size(); r++) {
          out.add(new RuleAt(s, l, r));
        }
      }
    }
    return List.copyOf(out);
  }

  private static <T> T pick(List<T> items, Random rnd) {
    return items.get(rnd.nextInt(items.size()));
  }

  private static String where(Config config, int set, int layer) {
    RuleSet rs = config.rulesets().get(set);
    return rs.name() + "/" + rs.layers().get(layer).name();
  }

  private static Config withLayer(Config config, int set, int layer, Layer replacement) {
    List<RuleSet> sets = new ArrayList<>(config.rulesets());
    List<Layer> layers = new ArrayList<>(sets.get(set).layers());
    layers.set(layer, replacement);
    sets.set(set, new RuleSet(sets.get(set).name(), layers));
    return new Config(config.controller(), config.hosts(), config.vnets(), config.vms(), sets,
        config.loadBalancers());
  }

  private static Config withVms(Config config, List<Vm> vms) {
    return new Config(config.controller(), config.hosts(), config.vnets(), vms, config.rulesets(),
        config.loadBalancers());
  }
}
