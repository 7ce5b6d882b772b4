package org.nicflow.compiler.proactive;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.Pipeline;
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
import org.nicflow.compiler.packet.PacketHeaders;
import org.nicflow.compiler.testing.PropertyRun;

/**
 * Random configs (hosts, overlapping VNETs, rule sets with ties, ranges, prefixes, DSCP, stateful
 * and SNAT rules, load balancers) compiled for every host and run with random packets against
 * the stateless oracle.
 */
class RandomConfigEquivalenceTest {

  private static final int CONFIGS = 25;
  private static final int PACKETS = 300;
  private static final int[] PORTS = {0, 1, 22, 53, 80, 443, 1023, 1024, 3306, 8000, 8080, 8099, 32768, 65535};

  @Test
  void compiledTablesAgreeWithTheOracleForRandomConfigs() {
    PropertyRun.of("proactive tables vs stateless oracle", 1).forEach(this::check);
  }

  private void check(long seed, Random rnd) {
    TreeMap<String, Integer> seen = new TreeMap<>();
    for (int c = 0; c < CONFIGS; c++) {
      Config config = randomConfig(rnd);
      StatelessOracle oracle = new StatelessOracle(config);
      HostPipelineCompiler compiler = new HostPipelineCompiler(config.withIds(config.ids().withGeneration(1 + c % 4095)));
      for (Host host : config.hosts()) {
        List<FlowEntry> flows = compiler.proactiveFlows(host.name());
        flows.forEach(f -> assertThat(Pipeline.violations(f)).as("seed %d: %s", seed, f).isEmpty());
        TableSimulator sim = new TableSimulator(flows);
        List<Vm> local = config.vmsOnHost(host.name());
        for (int i = 0; i < PACKETS; i++) {
          String inPort;
          OptionalLong tunId = OptionalLong.empty();
          PacketHeaders p;
          StatelessOracle.Expected expected;
          int kind = rnd.nextInt(10);
          if (kind < 6 && !local.isEmpty()) {
            Vm vm = local.get(rnd.nextInt(local.size()));
            p = packet(rnd, config, vm.mac(), vm.ip());
            inPort = vm.port();
            expected = oracle.fromVm(host, vm, p);
          } else if (kind < 9 && config.hosts().size() > 1) {
            Host other = config.hosts().stream().filter(h -> !h.equals(host)).toList()
                .get(rnd.nextInt(config.hosts().size() - 1));
            Vnet vnet = config.vnets().get(rnd.nextInt(config.vnets().size()));
            inPort = Host.tunnelPortName(other.name());
            tunId = OptionalLong.of(vnet.vni());
            p = packet(rnd, config, config.controller().gatewayMac(), address(rnd, config));
            expected = oracle.fromTunnel(host, vnet, p);
          } else {
            inPort = host.uplink();
            p = packet(rnd, config, MacAddress.parse("02:00:00:00:fe:99"), Ipv4.of(198, 51, 100, 7));
            expected = oracle.fromUplink(host, p);
          }
          SimResult r = sim.run(inPort, tunId, p);
          seen.merge(expected.kind(), 1, Integer::sum);
          StatelessOracle.check(r, expected, inPort, String.format("seed %d config %d host %s packet %d: %s in %s via %s",
              seed, c, host.name(), i, p, inPort, r.path()));
        }
      }
    }
    assertThat(seen).as("seed %d", seed).containsKeys(StatelessOracle.DROP, StatelessOracle.CONTROLLER,
        StatelessOracle.LOCAL, StatelessOracle.TUNNEL, StatelessOracle.UPLINK);
  }

  // ---------------------------------------------------------------- generators

  private static Config randomConfig(Random rnd) {
    int hostCount = 1 + rnd.nextInt(3);
    List<Host> hosts = new ArrayList<>();
    for (int h = 0; h < hostCount; h++) {
      hosts.add(new Host("h" + h, h + 1, "h" + h + "-up", Ipv4.of(192, 168, 0, h + 1),
          rnd.nextInt(4) == 0 ? Optional.empty() : Optional.of(MacAddress.parse("02:00:00:00:fe:0" + h))));
    }
    List<Vnet> vnets = List.of(
        new Vnet("v0", 100, Ipv4Prefix.parse("10.0.0.0/24"), Ipv4.parse("10.0.0.1")),
        new Vnet("v1", 200, Ipv4Prefix.parse(rnd.nextBoolean() ? "10.0.0.0/24" : "10.0.1.0/24"),
            Ipv4.parse(rnd.nextBoolean() ? "10.0.0.1" : "10.0.1.1")));
    List<RuleSet> rulesets = List.of(ruleSet("r0", rnd), ruleSet("r1", rnd), ruleSet("r2", rnd));
    int vmCount = 2 + rnd.nextInt(5);
    List<Vm> vms = new ArrayList<>();
    for (int i = 0; i < vmCount; i++) {
      Vnet vnet = vnets.get(rnd.nextInt(2));
      int hostIx = rnd.nextInt(hostCount);
      Ipv4 ip = new Ipv4(vnet.prefix().network().bits() + 10 + i);
      vms.add(new Vm("vm" + i, "h" + hostIx, "vm" + i + "-eth0", new MacAddress(0x020000000100L + i), ip,
          vnet.name(), "r" + rnd.nextInt(3), rnd.nextBoolean() ? OptionalLong.of(1000) : OptionalLong.empty()));
    }
    List<LoadBalancer> lbs = rnd.nextBoolean() ? List.of()
        : List.of(new LoadBalancer("lb", Ipv4.of(198, 51, 100, 80), Protocol.TCP, 80,
            List.of(new Backend("vm0", 8080), new Backend("vm1", 80))));
    return new Config(ControllerSettings.DEFAULTS.withMode(OffloadMode.PROACTIVE), hosts, vnets, vms, rulesets, lbs);
  }

  private static RuleSet ruleSet(String name, Random rnd) {
    List<Layer> layers = new ArrayList<>();
    int n = rnd.nextInt(5);
    for (int l = 0; l < n; l++) {
      List<Rule> rules = new ArrayList<>();
      int rc = rnd.nextInt(6);
      for (int r = 0; r < rc; r++) {
        rules.add(rule("l" + l + "r" + r, rnd));
      }
      layers.add(new Layer("l" + l, rnd.nextInt(3) == 0 ? DefaultAction.DENY : DefaultAction.ALLOW, rules));
    }
    return new RuleSet(name, layers);
  }

  private static Rule rule(String id, Random rnd) {
    Protocol proto = Protocol.values()[rnd.nextInt(Protocol.values().length)];
    PortRange sport = PortRange.ANY;
    PortRange dport = PortRange.ANY;
    if (proto.hasPorts()) {
      sport = rnd.nextInt(3) == 0 ? range(rnd) : PortRange.ANY;
      dport = rnd.nextInt(3) > 0 ? range(rnd) : PortRange.ANY;
    }
    OptionalInt icmpType = proto == Protocol.ICMP && rnd.nextBoolean() ? OptionalInt.of(rnd.nextBoolean() ? 8 : 0)
        : OptionalInt.empty();
    int a = rnd.nextInt(12);
    RuleAction action = a < 6 ? RuleAction.ALLOW : a < 9 ? RuleAction.DENY : a < 11 ? RuleAction.SET_DSCP
        : RuleAction.SNAT;
    boolean stateful = action == RuleAction.ALLOW && rnd.nextInt(6) == 0;
    return new Rule(id, 10 * rnd.nextInt(4), Direction.values()[rnd.nextInt(3)], proto, prefix(rnd), prefix(rnd),
        sport, dport, icmpType, action,
        action == RuleAction.SNAT ? Optional.of(Ipv4.of(203, 0, 113, rnd.nextInt(3))) : Optional.empty(),
        action == RuleAction.SET_DSCP ? OptionalInt.of(rnd.nextInt(64)) : OptionalInt.empty(), stateful);
  }

  private static PortRange range(Random rnd) {
    int a = rnd.nextBoolean() ? PORTS[rnd.nextInt(PORTS.length)] : rnd.nextInt(65536);
    int b = rnd.nextInt(3) == 0 ? a : Math.min(65535, a + rnd.nextInt(rnd.nextBoolean() ? 100 : 40000));
    return new PortRange(a, b);
  }

  private static Ipv4Prefix prefix(Random rnd) {
    return switch (rnd.nextInt(6)) {
      case 0 -> Ipv4Prefix.parse("10.0.0.0/24");
      case 1 -> Ipv4Prefix.parse("10.0.0.8/29");
      case 2 -> Ipv4Prefix.host(Ipv4.of(10, 0, 0, 10 + rnd.nextInt(4)));
      case 3 -> Ipv4Prefix.parse("10.0.0.0/8");
      default -> Ipv4Prefix.ANY;
    };
  }

  private static Ipv4 address(Random rnd, Config config) {
    return switch (rnd.nextInt(5)) {
      case 0, 1 -> config.vms().get(rnd.nextInt(config.vms().size())).ip();
      case 2 -> Ipv4.of(10, 0, rnd.nextInt(2), rnd.nextInt(32));
      case 3 -> Ipv4.of(203, 0, 113, rnd.nextInt(3));
      default -> Ipv4.of(8, 8, 8, rnd.nextInt(256));
    };
  }

  private static PacketHeaders packet(Random rnd, Config config, MacAddress src, Ipv4 nwSrc) {
    int proto = new int[] {6, 6, 17, 17, 1, 47}[rnd.nextInt(6)];
    int sport = 0;
    int dport = 0;
    if (proto == 1) {
      sport = rnd.nextBoolean() ? 8 : rnd.nextInt(16);
      dport = rnd.nextInt(2);
    } else if (proto != 47) {
      sport = rnd.nextBoolean() ? PORTS[rnd.nextInt(PORTS.length)] : rnd.nextInt(65536);
      dport = rnd.nextBoolean() ? PORTS[rnd.nextInt(PORTS.length)] : rnd.nextInt(65536);
    }
    Ipv4 dst = address(rnd, config);
    if (rnd.nextInt(8) == 0 && !config.loadBalancers().isEmpty()) {
      dst = config.loadBalancers().get(0).vip();
      dport = rnd.nextBoolean() && (proto == 6 || proto == 17) ? 80 : dport;
    }
    return new PacketHeaders(src, config.controller().gatewayMac(), proto, nwSrc, dst, sport, dport, rnd.nextInt(64));
  }
}
