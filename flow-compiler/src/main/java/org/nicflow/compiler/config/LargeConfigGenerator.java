package org.nicflow.compiler.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Random;
import org.nicflow.compiler.model.Backend;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.ControllerSettings;
import org.nicflow.compiler.model.DefaultAction;
import org.nicflow.compiler.model.Direction;
import org.nicflow.compiler.model.Host;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.Ipv4Prefix;
import org.nicflow.compiler.model.Layer;
import org.nicflow.compiler.model.LoadBalancer;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.model.PortRange;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.model.Rule;
import org.nicflow.compiler.model.RuleAction;
import org.nicflow.compiler.model.RuleSet;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.model.Vnet;

/**
 * Builds large valid configs for scale tests and benchmarks: four hosts, three VNETs (two of them
 * overlapping), 24 VMs, rule sets of 1-4 layers with prefixes, port ranges, ICMP types, DSCP, SNAT
 * and stateful rules, and one load balancer ({@link #generate}); or one port group of OVN-like ACLs
 * ({@link #ovnAcls}). The same arguments always give the same config.
 */
public final class LargeConfigGenerator {

  static final int HOSTS = 4;
  static final int VNETS = 3;
  static final int VMS = 24;
  /** Rules per rule set, roughly: the number of rule sets grows with the rule count up to this cap. */
  static final int RULES_PER_SET = 500;
  static final int MAX_RULESETS = 16;
  /** Hosts and VMs of {@link #ovnAcls}: one VM per host, both in the port group. */
  static final int OVN_HOSTS = 2;
  static final int OVN_VMS = 2;

  private LargeConfigGenerator() {}

  /** A valid config with exactly {@code rules} rules in total, drawn from {@code seed}. */
  public static Config generate(int rules, long seed) {
    if (rules < 0) {
      throw new IllegalArgumentException("rules must be >= 0, got " + rules);
    }
    Random random = new Random(seed);
    List<Host> hosts = hosts(HOSTS);
    // v0 and v1 overlap on purpose; v2 is elsewhere.
    List<Vnet> vnets = List.of(
        new Vnet("v0", 6000, Ipv4Prefix.parse("10.0.0.0/16"), Ipv4.parse("10.0.0.1")),
        new Vnet("v1", 6001, Ipv4Prefix.parse("10.0.0.0/16"), Ipv4.parse("10.0.0.1")),
        new Vnet("v2", 6002, Ipv4Prefix.parse("172.16.0.0/12"), Ipv4.parse("172.16.0.1")));

    int setCount = Math.max(1, Math.min(MAX_RULESETS, (rules + RULES_PER_SET - 1) / RULES_PER_SET));
    List<RuleSet> rulesets = new ArrayList<>();
    for (int s = 0; s < setCount; s++) {
      int share = rules / setCount + (s < rules % setCount ? 1 : 0);
      rulesets.add(ruleset("rs" + s, share, random));
    }

    List<Vm> vms = new ArrayList<>();
    for (int i = 0; i < VMS; i++) {
      Vnet vnet = vnets.get(i % VNETS);
      Ipv4 ip = new Ipv4(vnet.gateway().bits() + 10 + i);
      OptionalLong meter = random.nextInt(4) == 0 ? OptionalLong.of(10_000L * (1 + random.nextInt(100))) : OptionalLong.empty();
      vms.add(new Vm("vm" + i, "h" + (i % HOSTS), "p-vm" + i, new MacAddress(0x02_00_00_01_00_00L + i), ip,
          vnet.name(), "rs" + (i % setCount), meter));
    }
    List<LoadBalancer> lbs = List.of(new LoadBalancer("lb0", Ipv4.parse("203.0.113.200"), Protocol.TCP, 80,
        List.of(new Backend("vm0", 8080), new Backend("vm3", 8080), new Backend("vm6", 8080))));
    return new Config(ControllerSettings.DEFAULTS, hosts, vnets, vms, rulesets, lbs);
  }

  /**
   * A config shaped like an OVN deployment's ACLs: {@code acls} ACLs of one port group, applied to
   * {@value #OVN_VMS} VMs of one VNET on two hosts (host {@code h0} runs the {@code out} layer of
   * its VM and the {@code in} layer of both). An ACL is {@code from-lport} ({@code out}) or {@code
   * to-lport} ({@code in}) in equal shares; its remote address (the destination of a {@code
   * from-lport} ACL, the source of a {@code to-lport} one) is one prefix (40 %), an address set of
   * three prefixes (30 %, three rules with the ACL's priority, action and ports) or any address;
   * TCP 60 %, UDP 25 %, ICMP 10 %, any 5 %; destination ports (TCP, UDP) one port 50 %, a range
   * 35 %, any 15 %; actions stateful allow ({@code allow-related}) 60 %, allow 20 %, drop 20 %.
   * The layer's default is deny. The same arguments always give the same config.
   */
  public static Config ovnAcls(int acls, long seed) {
    if (acls < 0) {
      throw new IllegalArgumentException("acls must be >= 0, got " + acls);
    }
    Random random = new Random(seed);
    List<Rule> rules = new ArrayList<>();
    for (int a = 0; a < acls; a++) {
      rules.addAll(ovnAcl("acl" + a, random));
    }
    Vnet vnet = new Vnet("ls0", 7000, Ipv4Prefix.parse("10.1.0.0/16"), Ipv4.parse("10.1.0.1"));
    List<Vm> vms = new ArrayList<>();
    for (int i = 0; i < OVN_VMS; i++) {
      vms.add(new Vm("vm" + i, "h" + (i % OVN_HOSTS), "p-vm" + i, new MacAddress(0x02_00_00_02_00_00L + i),
          new Ipv4(vnet.gateway().bits() + 10 + i), vnet.name(), "pg0", OptionalLong.empty()));
    }
    RuleSet portGroup = new RuleSet("pg0", List.of(new Layer("acl", DefaultAction.DENY, rules)));
    return new Config(ControllerSettings.DEFAULTS, hosts(OVN_HOSTS), List.of(vnet), vms, List.of(portGroup), List.of());
  }

  /** The rules of one OVN-like ACL: one, or three for an address set. */
  private static List<Rule> ovnAcl(String id, Random random) {
    int priority = 1000 + random.nextInt(2000);
    Direction direction = random.nextBoolean() ? Direction.OUT : Direction.IN;
    int p = random.nextInt(20);
    Protocol proto = p < 12 ? Protocol.TCP : p < 17 ? Protocol.UDP : p < 19 ? Protocol.ICMP : Protocol.ANY;
    PortRange dstPort = PortRange.ANY;
    if (proto.hasPorts()) {
      int k = random.nextInt(20);
      if (k < 10) {
        dstPort = PortRange.single(1 + random.nextInt(65535));
      } else if (k < 17) {
        int lo = 1 + random.nextInt(60000);
        dstPort = new PortRange(lo, lo + 1 + random.nextInt(1000));
      }
    }
    int a = random.nextInt(5);
    RuleAction action = a < 4 ? RuleAction.ALLOW : RuleAction.DENY;
    boolean stateful = a < 3;
    int remote = random.nextInt(10);
    List<Ipv4Prefix> remotes = remote < 4 ? List.of(ovnPrefix(random))
        : remote < 7 ? List.of(ovnPrefix(random), ovnPrefix(random), ovnPrefix(random)) : List.of(Ipv4Prefix.ANY);
    List<Rule> rules = new ArrayList<>();
    for (int r = 0; r < remotes.size(); r++) {
      Ipv4Prefix src = direction == Direction.IN ? remotes.get(r) : Ipv4Prefix.ANY;
      Ipv4Prefix dst = direction == Direction.OUT ? remotes.get(r) : Ipv4Prefix.ANY;
      rules.add(new Rule(remotes.size() == 1 ? id : id + "-" + r, priority, direction, proto, src, dst, PortRange.ANY,
          dstPort, OptionalInt.empty(), action, Optional.empty(), OptionalInt.empty(), stateful));
    }
    return rules;
  }

  /** A host (/32), subnet (/24, /28) or site (/16) prefix, inside 10/8 half of the time. */
  private static Ipv4Prefix ovnPrefix(Random random) {
    int[] lengths = {32, 32, 24, 28, 16};
    int length = lengths[random.nextInt(lengths.length)];
    int base = random.nextBoolean() ? (10 << 24) | random.nextInt(1 << 24) : random.nextInt();
    return new Ipv4Prefix(new Ipv4(base & Ipv4Prefix.maskBits(length)), length);
  }

  private static List<Host> hosts(int count) {
    List<Host> hosts = new ArrayList<>();
    for (int h = 0; h < count; h++) {
      hosts.add(new Host("h" + h, h + 1L, "h" + h + "-up", Ipv4.of(192, 168, 60, h + 1),
          Optional.of(new MacAddress(0x02_00_00_00_fe_00L + h + 1))));
    }
    return hosts;
  }

  private static RuleSet ruleset(String name, int ruleCount, Random random) {
    int layerCount = 1 + random.nextInt(4);
    List<Layer> layers = new ArrayList<>();
    int next = 0;
    for (int l = 0; l < layerCount; l++) {
      int share = ruleCount / layerCount + (l < ruleCount % layerCount ? 1 : 0);
      boolean last = l == layerCount - 1;
      List<Rule> rules = new ArrayList<>();
      for (int r = 0; r < share; r++) {
        String id = name + "-l" + l + "-r" + next++;
        rules.add(rule(id, random, last && layerCount > 1));
      }
      DefaultAction dflt = l == 0 && random.nextBoolean() ? DefaultAction.DENY : DefaultAction.ALLOW;
      layers.add(new Layer("layer" + l, dflt, rules));
    }
    return new RuleSet(name, layers);
  }

  private static Rule rule(String id, Random random, boolean mayNat) {
    int priority = random.nextInt(1000);
    Direction direction = Direction.values()[random.nextInt(3)];
    int p = random.nextInt(20);
    Protocol proto = p < 10 ? Protocol.TCP : p < 15 ? Protocol.UDP : p < 17 ? Protocol.ICMP : Protocol.ANY;
    Ipv4Prefix src = random.nextInt(3) == 0 ? prefix(random) : Ipv4Prefix.ANY;
    Ipv4Prefix dst = random.nextInt(3) == 0 ? prefix(random) : Ipv4Prefix.ANY;
    PortRange srcPort = PortRange.ANY;
    PortRange dstPort = PortRange.ANY;
    OptionalInt icmpType = OptionalInt.empty();
    if (proto.hasPorts()) {
      dstPort = ports(random);
      if (random.nextInt(5) == 0) {
        srcPort = ports(random);
      }
    } else if (proto == Protocol.ICMP && random.nextBoolean()) {
      icmpType = OptionalInt.of(random.nextBoolean() ? 8 : random.nextInt(20));
    }
    int a = random.nextInt(20);
    RuleAction action;
    if (mayNat && a == 0) {
      action = RuleAction.SNAT;
    } else if (a < 2) {
      action = RuleAction.SET_DSCP;
    } else if (a < 9) {
      action = RuleAction.DENY;
    } else {
      action = RuleAction.ALLOW;
    }
    Optional<Ipv4> to = action == RuleAction.SNAT
        ? Optional.of(Ipv4.of(203, 0, 113, 1 + random.nextInt(50))) : Optional.empty();
    OptionalInt dscp = action == RuleAction.SET_DSCP ? OptionalInt.of(random.nextInt(64)) : OptionalInt.empty();
    boolean stateful = action == RuleAction.ALLOW && random.nextInt(4) == 0;
    return new Rule(id, priority, direction, proto, src, dst, srcPort, dstPort, icmpType, action, to, dscp, stateful);
  }

  private static Ipv4Prefix prefix(Random random) {
    int length = 8 + random.nextInt(25);
    int base = random.nextBoolean() ? (10 << 24) | random.nextInt(1 << 16) << 8 : random.nextInt();
    return new Ipv4Prefix(new Ipv4(base & Ipv4Prefix.maskBits(length)), length);
  }

  private static PortRange ports(Random random) {
    int kind = random.nextInt(3);
    if (kind == 0) {
      return PortRange.single(1 + random.nextInt(65535));
    }
    int lo = random.nextInt(kind == 1 ? 1024 : 65535);
    int width = kind == 1 ? random.nextInt(64) : random.nextInt(5000);
    return new PortRange(lo, Math.min(65535, lo + width));
  }
}
