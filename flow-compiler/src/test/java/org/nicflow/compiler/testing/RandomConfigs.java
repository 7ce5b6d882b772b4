package org.nicflow.compiler.testing;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
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
import org.nicflow.compiler.model.OffloadMode;
import org.nicflow.compiler.model.PortRange;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.model.Rule;
import org.nicflow.compiler.model.RuleAction;
import org.nicflow.compiler.model.RuleSet;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.model.Vnet;

/**
 * Small valid configs drawn from a {@link Random}, shaped to exercise the semantics: 1-3 hosts
 * (some without {@code next_hop_mac}), 1-3 VNETs whose prefixes may overlap, 2-8 VMs, 1-3 rule sets
 * of 1-4 layers with up to {@value #MAX_RULES} rules in all (tied priorities, port ranges, prefixes
 * around the VMs' addresses, ICMP types, allow/deny/set_dscp/snat, stateful allows) and sometimes a
 * load balancer. The same generator state always gives the same config.
 */
public final class RandomConfigs {

  public static final int MAX_RULES = 200;
  public static final Ipv4 VIP = Ipv4.of(203, 0, 113, 80);
  /** Public addresses SNAT rules translate to. */
  public static final List<Ipv4> SNAT_ADDRESSES = List.of(Ipv4.of(203, 0, 113, 10), Ipv4.of(203, 0, 113, 11));
  /** Ports around which ranges are drawn and packets are aimed. */
  public static final int[] PORTS = {0, 1, 22, 53, 80, 443, 1023, 1024, 3306, 8000, 8080, 8099, 32768, 65535};

  private static final String[] VNET_PREFIXES = {"10.0.0.0/24", "10.0.0.0/16", "10.0.1.0/24", "172.16.0.0/20"};

  private RandomConfigs() {}

  /** A proactive-mode config (reactive and proactive flows can both be compiled from it). */
  public static Config generate(Random rnd) {
    int hostCount = 1 + rnd.nextInt(3);
    List<Host> hosts = new ArrayList<>();
    for (int h = 0; h < hostCount; h++) {
      Optional<MacAddress> nextHop = rnd.nextInt(6) == 0 ? Optional.empty()
          : Optional.of(new MacAddress(0x02_00_00_00_fe_00L + h + 1));
      hosts.add(new Host("h" + h, h + 1L, "h" + h + "-up", Ipv4.of(192, 168, 0, h + 1), nextHop));
    }
    int vnetCount = 1 + rnd.nextInt(3);
    List<Vnet> vnets = new ArrayList<>();
    for (int n = 0; n < vnetCount; n++) {
      Ipv4Prefix prefix = Ipv4Prefix.parse(VNET_PREFIXES[rnd.nextInt(VNET_PREFIXES.length)]);
      vnets.add(new Vnet("n" + n, 100 + n, prefix, new Ipv4(prefix.network().bits() + 1)));
    }
    int vmCount = 2 + rnd.nextInt(7);
    int setCount = 1 + rnd.nextInt(3);
    List<Vm> vms = new ArrayList<>();
    Set<String> taken = new LinkedHashSet<>();
    for (int i = 0; i < vmCount; i++) {
      Vnet vnet = vnets.get(rnd.nextInt(vnetCount));
      Ipv4 ip;
      do {
        ip = new Ipv4(vnet.prefix().network().bits() + 2 + rnd.nextInt(30));
      } while (!taken.add(vnet.name() + " " + ip));
      OptionalLong meter = rnd.nextInt(3) == 0 ? OptionalLong.of(1000L * (1 + rnd.nextInt(100))) : OptionalLong.empty();
      vms.add(new Vm("vm" + i, "h" + rnd.nextInt(hostCount), "vm" + i + "-eth0",
          new MacAddress(0x02_00_00_00_01_00L + i), ip, vnet.name(), "rs" + rnd.nextInt(setCount), meter));
    }
    int budget = switch (rnd.nextInt(4)) {
      case 0 -> rnd.nextInt(6);
      case 1, 2 -> rnd.nextInt(30);
      default -> rnd.nextInt(MAX_RULES + 1);
    };
    List<RuleSet> rulesets = new ArrayList<>();
    for (int s = 0; s < setCount; s++) {
      int share = budget / setCount + (s < budget % setCount ? 1 : 0);
      rulesets.add(ruleSet("rs" + s, share, rnd, vms, vnets));
    }
    List<LoadBalancer> lbs = new ArrayList<>();
    if (rnd.nextBoolean()) {
      List<Backend> backends = new ArrayList<>();
      Set<String> used = new LinkedHashSet<>();
      int count = 1 + rnd.nextInt(3);
      for (int b = 0; b < count; b++) {
        Vm vm = vms.get(rnd.nextInt(vmCount));
        int port = rnd.nextBoolean() ? 8080 : 80;
        if (used.add(vm.name() + ":" + port)) {
          backends.add(new Backend(vm.name(), port));
        }
      }
      lbs.add(new LoadBalancer("lb", VIP, rnd.nextInt(4) == 0 ? Protocol.UDP : Protocol.TCP, 80, backends));
      if (rnd.nextInt(3) == 0) {
        Vm vm = vms.get(rnd.nextInt(vmCount));
        lbs.add(new LoadBalancer("lb2", rnd.nextBoolean() ? VIP : SNAT_ADDRESSES.get(0), Protocol.TCP, 443,
            List.of(new Backend(vm.name(), 443))));
      }
    }
    return new Config(ControllerSettings.DEFAULTS.withMode(OffloadMode.PROACTIVE), hosts, vnets, vms, rulesets, lbs);
  }

  private static RuleSet ruleSet(String name, int ruleCount, Random rnd, List<Vm> vms, List<Vnet> vnets) {
    int layerCount = 1 + rnd.nextInt(4);
    List<Layer> layers = new ArrayList<>();
    int next = 0;
    for (int l = 0; l < layerCount; l++) {
      int share = ruleCount / layerCount + (l < ruleCount % layerCount ? 1 : 0);
      List<Rule> rules = new ArrayList<>();
      for (int r = 0; r < share; r++) {
        rules.add(rule(name + "-r" + next++, rnd, vms, vnets));
      }
      layers.add(new Layer("l" + l, rnd.nextInt(8) == 0 ? DefaultAction.DENY : DefaultAction.ALLOW, rules));
    }
    return new RuleSet(name, layers);
  }

  private static Rule rule(String id, Random rnd, List<Vm> vms, List<Vnet> vnets) {
    int p = rnd.nextInt(10);
    Protocol proto = p < 4 ? Protocol.TCP : p < 6 ? Protocol.UDP : p < 8 ? Protocol.ICMP : Protocol.ANY;
    PortRange sport = PortRange.ANY;
    PortRange dport = PortRange.ANY;
    if (proto.hasPorts()) {
      sport = rnd.nextInt(4) == 0 ? range(rnd) : PortRange.ANY;
      dport = rnd.nextInt(4) > 0 ? range(rnd) : PortRange.ANY;
    }
    OptionalInt icmpType = proto == Protocol.ICMP && rnd.nextBoolean()
        ? OptionalInt.of(new int[] {0, 8, 3, 11}[rnd.nextInt(4)]) : OptionalInt.empty();
    int a = rnd.nextInt(20);
    RuleAction action = a < 9 ? RuleAction.ALLOW : a < 14 ? RuleAction.DENY : a < 17 ? RuleAction.SET_DSCP
        : RuleAction.SNAT;
    boolean stateful = action == RuleAction.ALLOW && rnd.nextInt(3) == 0;
    int d = rnd.nextInt(10);
    Direction direction = d < 4 ? Direction.OUT : d < 7 ? Direction.IN : Direction.BOTH;
    if (action == RuleAction.SNAT && rnd.nextInt(4) > 0) {
      direction = Direction.OUT;
    }
    return new Rule(id, 10 * rnd.nextInt(5), direction, proto, prefix(rnd, vms, vnets), prefix(rnd, vms, vnets),
        sport, dport, icmpType, action,
        action == RuleAction.SNAT ? Optional.of(SNAT_ADDRESSES.get(rnd.nextInt(SNAT_ADDRESSES.size())))
            : Optional.empty(),
        action == RuleAction.SET_DSCP ? OptionalInt.of(rnd.nextInt(64)) : OptionalInt.empty(), stateful);
  }

  private static PortRange range(Random rnd) {
    int a = rnd.nextBoolean() ? PORTS[rnd.nextInt(PORTS.length)] : rnd.nextInt(65536);
    int b = switch (rnd.nextInt(3)) {
      case 0 -> a;
      case 1 -> Math.min(65535, a + rnd.nextInt(100));
      default -> Math.min(65535, a + rnd.nextInt(40000));
    };
    return new PortRange(a, b);
  }

  private static Ipv4Prefix prefix(Random rnd, List<Vm> vms, List<Vnet> vnets) {
    return switch (rnd.nextInt(8)) {
      case 0 -> vnets.get(rnd.nextInt(vnets.size())).prefix();
      case 1 -> Ipv4Prefix.host(vms.get(rnd.nextInt(vms.size())).ip());
      case 2 -> {
        Ipv4 ip = vms.get(rnd.nextInt(vms.size())).ip();
        int len = 25 + rnd.nextInt(7);
        yield new Ipv4Prefix(new Ipv4(ip.bits() & Ipv4Prefix.maskBits(len)), len);
      }
      case 3 -> Ipv4Prefix.parse(rnd.nextBoolean() ? "10.0.0.0/8" : "198.51.100.0/24");
      case 4 -> Ipv4Prefix.parse(rnd.nextBoolean() ? "203.0.113.0/24" : "0.0.0.0/1");
      default -> Ipv4Prefix.ANY;
    };
  }
}
