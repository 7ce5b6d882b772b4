package org.nicflow.compiler.proactive;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Host;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.model.OffloadMode;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.model.RuleSet;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.model.Vnet;
import org.nicflow.compiler.packet.PacketHeaders;

/**
 * Seeded random packets through the proactive tables of both fixture hosts, against a small
 * stateless oracle written from docs/semantics.md (no live connections: whatever needs state must
 * reach the controller).
 */
class ProactiveEquivalenceTest {

  private final Config config = TwoHostFixture.config(OffloadMode.PROACTIVE);
  private final HostPipelineCompiler compiler = new HostPipelineCompiler(config);
  private final StatelessOracle oracle = new StatelessOracle(config);
  private final Map<String, TableSimulator> sims = Map.of(
      "host1", new TableSimulator(compiler.proactiveFlows("host1")),
      "host2", new TableSimulator(compiler.proactiveFlows("host2")));

  @Test
  void tablesAgreeWithTheSemanticsForRandomPackets() {
    long seed = new Random().nextLong();
    Random rnd = new Random(seed);
    Map<String, Integer> seen = new TreeMap<>();
    for (int i = 0; i < 4000; i++) {
      int kind = rnd.nextInt(10);
      Host host = config.hosts().get(rnd.nextInt(config.hosts().size()));
      String inPort;
      OptionalLong tunId = OptionalLong.empty();
      StatelessOracle.Expected expected;
      PacketHeaders p;
      if (kind < 7) {
        List<Vm> local = config.vmsOnHost(host.name());
        Vm vm = local.get(rnd.nextInt(local.size()));
        boolean spoof = rnd.nextInt(20) == 0;
        p = randomPacket(rnd, spoof ? MacAddress.parse("02:00:00:00:09:09") : vm.mac(),
            spoof && rnd.nextBoolean() ? Ipv4.parse("10.1.0.99") : vm.ip());
        inPort = vm.port();
        expected = oracle.fromVm(host, vm, p);
      } else if (kind < 9) {
        Host other = config.hosts().stream().filter(h -> !h.equals(host)).findFirst().orElseThrow();
        inPort = Host.tunnelPortName(other.name());
        Vnet vnet = config.vnets().get(rnd.nextInt(config.vnets().size()));
        tunId = OptionalLong.of(vnet.vni());
        p = randomPacket(rnd, TwoHostFixture.GW, randomAddress(rnd));
        expected = oracle.fromTunnel(host, vnet, p);
      } else {
        inPort = host.uplink();
        p = randomPacket(rnd, TwoHostFixture.NEXT_HOP, Ipv4.of(198, 51, 100, rnd.nextInt(256)));
        if (rnd.nextInt(3) == 0) {
          p = p.withDestination(TwoHostFixture.VIP, rnd.nextBoolean() ? 80 : p.tpDst());
        }
        expected = oracle.fromUplink(host, p);
      }
      SimResult r = sims.get(host.name()).run(inPort, tunId, p);
      String where = String.format("seed %d, packet %d: %s on %s in %s via %s", seed, i, p, host.name(), inPort,
          r.path());
      seen.merge(expected.kind(), 1, Integer::sum);
      StatelessOracle.check(r, expected, inPort, where);
    }
    assertThat(seen).as("every outcome occurs (seed %d)", seed)
        .containsKeys(StatelessOracle.DROP, StatelessOracle.CONTROLLER, StatelessOracle.GUARD, StatelessOracle.LOCAL,
            StatelessOracle.TUNNEL, StatelessOracle.UPLINK);
  }

  @Test
  void ruleSetWithoutLayersForwardsDirectly() {
    Config c = TwoHostFixture.config(OffloadMode.PROACTIVE);
    List<RuleSet> rulesets = c.rulesets().stream()
        .map(rs -> rs.name().equals("open") ? new RuleSet("open", List.of()) : rs).toList();
    Config bare = new Config(c.controller(), c.hosts(), c.vnets(), c.vms(), rulesets, c.loadBalancers());
    TableSimulator sim = new TableSimulator(new HostPipelineCompiler(bare).proactiveFlows("host1"));
    Vm red1 = bare.vm("red1").orElseThrow();
    PacketHeaders dns = new PacketHeaders(red1.mac(), TwoHostFixture.GW, Protocol.IPPROTO_UDP, red1.ip(),
        Ipv4.parse("10.1.0.12"), 5353, 53, 0);

    SimResult r = sim.run("red1-eth0", OptionalLong.empty(), dns);

    assertThat(r.tables()).containsExactly(Pipeline.CLASSIFY, Pipeline.UNIFIED, Pipeline.ROUTE, Pipeline.DELIVER);
    assertThat(r.single().orElseThrow().port()).isEqualTo("tun-host2");
    assertThat(r.single().orElseThrow().tunId()).hasValue(5002);
  }

  @Test
  void vmAddressingItselfIsHairpinnedThroughInPort() {
    Vm red1 = config.vm("red1").orElseThrow();
    PacketHeaders self = new PacketHeaders(red1.mac(), TwoHostFixture.GW, Protocol.IPPROTO_TCP, red1.ip(), red1.ip(),
        1234, 80, 0);

    SimOutput out = sims.get("host1").run("red1-eth0", OptionalLong.empty(), self).single().orElseThrow();

    assertThat(out.kind()).isEqualTo(SimOutput.Kind.IN_PORT);
    assertThat(out.packet()).isEqualTo(self.withEth(TwoHostFixture.GW, red1.mac()));
  }

  @Test
  void overlappingVnetsStaySeparate() {
    Vm red1 = config.vm("red1").orElseThrow();
    PacketHeaders toRed2 = new PacketHeaders(red1.mac(), TwoHostFixture.GW, Protocol.IPPROTO_TCP, red1.ip(),
        Ipv4.parse("10.1.0.12"), 1234, 80, 0);

    SimOutput out = sims.get("host1").run("red1-eth0", OptionalLong.empty(), toRed2).single().orElseThrow();

    assertThat(out.port()).isEqualTo("tun-host2");
    assertThat(out.tunId()).hasValue(5002);
    assertThat(out.packet().ethDst()).isEqualTo(config.vm("red2").orElseThrow().mac());
    assertThat(sims.get("host1").run("tun-host2", OptionalLong.of(5002), toRed2).dropped())
        .as("red2 does not live on host1").isTrue();
  }

  // ---------------------------------------------------------------- random packets

  private static PacketHeaders randomPacket(Random rnd, MacAddress src, Ipv4 nwSrc) {
    Ipv4 dst = randomAddress(rnd);
    int proto = new int[] {Protocol.IPPROTO_TCP, Protocol.IPPROTO_TCP, Protocol.IPPROTO_UDP, Protocol.IPPROTO_UDP,
        Protocol.IPPROTO_ICMP, 47}[rnd.nextInt(6)];
    int sport = 0;
    int dport = 0;
    if (proto == Protocol.IPPROTO_ICMP) {
      sport = rnd.nextBoolean() ? 8 : rnd.nextInt(20);
      dport = rnd.nextInt(3);
    } else if (proto != 47) {
      sport = randomPort(rnd);
      dport = randomPort(rnd);
    }
    return new PacketHeaders(src, TwoHostFixture.GW, proto, nwSrc, dst, sport, dport, rnd.nextInt(8) == 0 ? 10 : 0);
  }

  private static int randomPort(Random rnd) {
    int[] interesting = {22, 53, 80, 8080, 999, 1000, 1999, 2000, 1023, 1024, 3306, 7999, 8000, 8080, 8099, 8100, 65535};
    return rnd.nextBoolean() ? interesting[rnd.nextInt(interesting.length)] : rnd.nextInt(65536);
  }

  private static Ipv4 randomAddress(Random rnd) {
    return switch (rnd.nextInt(6)) {
      case 0 -> Ipv4.parse("10.1.0.11");
      case 1 -> Ipv4.parse("10.1.0.12");
      case 2 -> Ipv4.parse("10.1.0.21");
      case 3 -> rnd.nextBoolean() ? Ipv4.parse("10.1.0.1") : Ipv4.of(10, 1, rnd.nextInt(256), rnd.nextInt(256));
      case 4 -> TwoHostFixture.SNAT_TO;
      default -> Ipv4.of(8, 8, rnd.nextInt(256), 8);
    };
  }
}
