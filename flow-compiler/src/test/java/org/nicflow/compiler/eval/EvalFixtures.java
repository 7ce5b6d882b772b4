package org.nicflow.compiler.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
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
import org.nicflow.compiler.packet.PacketHeaders;

/**
 * A small world for evaluator tests. Hosts: host1 and host2 (with next hop MACs), host3 (without).
 * VNETs blue (5001) and red (5002) share the prefix 10.1.0.0/16. VMs: web1 (host1, blue, .11,
 * metered), web2 (host2, blue, .12), db1 (host1, blue, .13), red1 (host1, red, .11: the same address
 * as web1), far1 (host3, blue, .30). Each VM has its own rule set named after it, "allow all" unless
 * a test gives layers.
 */
public final class EvalFixtures {

  public static final MacAddress GATEWAY = MacAddress.DEFAULT_GATEWAY;
  public static final MacAddress NEXT_HOP_1 = MacAddress.parse("02:00:00:00:fe:01");
  public static final MacAddress NEXT_HOP_2 = MacAddress.parse("02:00:00:00:fe:02");
  public static final Ipv4 PUBLIC_IP = Ipv4.parse("203.0.113.10");
  public static final Ipv4 VIP = Ipv4.parse("203.0.113.80");
  public static final Ipv4 INTERNET = Ipv4.parse("198.51.100.7");
  public static final int BLUE = 5001;
  public static final int RED = 5002;

  private final Map<String, List<Layer>> layers = new HashMap<>();
  private final List<LoadBalancer> lbs = new ArrayList<>();

  private EvalFixtures() {}

  public static EvalFixtures world() {
    return new EvalFixtures();
  }

  public EvalFixtures rules(String vm, Layer... vmLayers) {
    layers.put(vm, List.of(vmLayers));
    return this;
  }

  public EvalFixtures loadBalancer(String name, Ipv4 vip, int port, String... backends) {
    List<Backend> bs = new ArrayList<>();
    for (String b : backends) {
      String[] parts = b.split(":");
      bs.add(new Backend(parts[0], Integer.parseInt(parts[1])));
    }
    lbs.add(new LoadBalancer(name, vip, Protocol.TCP, port, bs));
    return this;
  }

  public Config build() {
    List<Host> hosts = List.of(
        new Host("host1", 1, "host1-up", Ipv4.parse("192.168.50.1"), Optional.of(NEXT_HOP_1)),
        new Host("host2", 2, "host2-up", Ipv4.parse("192.168.50.2"), Optional.of(NEXT_HOP_2)),
        new Host("host3", 3, "host3-up", Ipv4.parse("192.168.50.3"), Optional.empty()));
    Ipv4Prefix prefix = Ipv4Prefix.parse("10.1.0.0/16");
    List<Vnet> vnets = List.of(new Vnet("blue", BLUE, prefix, Ipv4.parse("10.1.0.1")),
        new Vnet("red", RED, prefix, Ipv4.parse("10.1.0.1")));
    List<Vm> vms = List.of(
        vm("web1", "host1", "0b", "10.1.0.11", "blue", OptionalLong.of(50000)),
        vm("web2", "host2", "0c", "10.1.0.12", "blue", OptionalLong.empty()),
        vm("db1", "host1", "0d", "10.1.0.13", "blue", OptionalLong.empty()),
        vm("red1", "host1", "21", "10.1.0.11", "red", OptionalLong.empty()),
        vm("far1", "host3", "1e", "10.1.0.30", "blue", OptionalLong.empty()));
    List<RuleSet> rulesets = vms.stream().map(v -> new RuleSet(v.name(),
        layers.getOrDefault(v.name(), List.of(layer("acl", DefaultAction.ALLOW))))).toList();
    return new Config(ControllerSettings.DEFAULTS, hosts, vnets, vms, rulesets, lbs);
  }

  private static Vm vm(String name, String host, String macByte, String ip, String vnet, OptionalLong meter) {
    return new Vm(name, host, name + "-eth0", MacAddress.parse("02:00:00:00:01:" + macByte), Ipv4.parse(ip), vnet,
        name, meter);
  }

  public static Layer layer(String name, DefaultAction def, Rule... rules) {
    return new Layer(name, def, List.of(rules));
  }

  public static RuleSpec rule(String id, int priority) {
    return new RuleSpec(id, priority);
  }

  public static Vm vmOf(Config config, String name) {
    return config.vm(name).orElseThrow();
  }

  /** A packet sent by {@code vm} as it arrives on its port. */
  public static PacketHeaders from(Config config, String vm, int proto, String dst, int sport, int dport) {
    Vm v = vmOf(config, vm);
    return new PacketHeaders(v.mac(), GATEWAY, proto, v.ip(), Ipv4.parse(dst), sport, dport, 0);
  }

  public static PacketHeaders tcpFrom(Config config, String vm, String dst, int sport, int dport) {
    return from(config, vm, Protocol.IPPROTO_TCP, dst, sport, dport);
  }

  /** A TCP packet from the physical network. */
  public static PacketHeaders fromInternet(Ipv4 src, int sport, Ipv4 dst, int dport) {
    return new PacketHeaders(NEXT_HOP_1, GATEWAY, Protocol.IPPROTO_TCP, src, dst, sport, dport, 0);
  }

  /**
   * A lookup holding no connection, in which the translated tuples {@code taken} accepts are in use:
   * for driving SNAT port and query-identifier allocation.
   */
  public static ConnectionLookup takenTranslations(java.util.function.Predicate<FlowTuple> taken) {
    return new ConnectionLookup() {
      @Override
      public List<Connection> allByReplyKey(FlowTuple replyKey) {
        return List.of();
      }

      @Override
      public List<Connection> allByOriginal(FlowTuple original) {
        return List.of();
      }

      @Override
      public List<Connection> allByReplyPair(FlowTuple replyPair) {
        return List.of();
      }

      @Override
      public List<Connection> allByOriginalPair(FlowTuple originalPair) {
        return List.of();
      }

      @Override
      public boolean translatedInUse(FlowTuple translated) {
        return taken.test(translated);
      }
    };
  }

  public static Ingress.VmPort port(Config config, String vm) {
    return new Ingress.VmPort(vmOf(config, vm).host(), vm);
  }

  /** Fluent rule construction. */
  public static final class RuleSpec {
    private final String id;
    private final int priority;
    private Direction direction = Direction.BOTH;
    private Protocol proto = Protocol.ANY;
    private Ipv4Prefix src = Ipv4Prefix.ANY;
    private Ipv4Prefix dst = Ipv4Prefix.ANY;
    private PortRange srcPort = PortRange.ANY;
    private PortRange dstPort = PortRange.ANY;
    private OptionalInt icmpType = OptionalInt.empty();
    private boolean stateful;

    private RuleSpec(String id, int priority) {
      this.id = id;
      this.priority = priority;
    }

    public RuleSpec in() {
      direction = Direction.IN;
      return this;
    }

    public RuleSpec out() {
      direction = Direction.OUT;
      return this;
    }

    public RuleSpec tcp() {
      proto = Protocol.TCP;
      return this;
    }

    public RuleSpec udp() {
      proto = Protocol.UDP;
      return this;
    }

    public RuleSpec icmp() {
      proto = Protocol.ICMP;
      return this;
    }

    public RuleSpec icmpType(int type) {
      proto = Protocol.ICMP;
      icmpType = OptionalInt.of(type);
      return this;
    }

    public RuleSpec src(String cidr) {
      src = Ipv4Prefix.parse(cidr);
      return this;
    }

    public RuleSpec dst(String cidr) {
      dst = Ipv4Prefix.parse(cidr);
      return this;
    }

    public RuleSpec srcPort(String range) {
      srcPort = PortRange.parse(range);
      return this;
    }

    public RuleSpec dstPort(String range) {
      dstPort = PortRange.parse(range);
      return this;
    }

    public RuleSpec stateful() {
      stateful = true;
      return this;
    }

    public Rule allow() {
      return build(RuleAction.ALLOW, Optional.empty(), OptionalInt.empty());
    }

    public Rule deny() {
      return build(RuleAction.DENY, Optional.empty(), OptionalInt.empty());
    }

    public Rule snat(String to) {
      return build(RuleAction.SNAT, Optional.of(Ipv4.parse(to)), OptionalInt.empty());
    }

    public Rule setDscp(int dscp) {
      return build(RuleAction.SET_DSCP, Optional.empty(), OptionalInt.of(dscp));
    }

    private Rule build(RuleAction action, Optional<Ipv4> to, OptionalInt dscp) {
      return new Rule(id, priority, direction, proto, src, dst, srcPort, dstPort, icmpType, action, to, dscp,
          stateful);
    }
  }
}
