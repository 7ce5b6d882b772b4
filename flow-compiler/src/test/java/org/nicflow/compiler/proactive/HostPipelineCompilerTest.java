package org.nicflow.compiler.proactive;

import org.nicflow.compiler.flow.FlowMatch;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.eval.ConnectionTable;
import org.nicflow.compiler.eval.Decision;
import org.nicflow.compiler.eval.EvalFixtures;
import org.nicflow.compiler.eval.Ingress;
import org.nicflow.compiler.eval.ReferenceEvaluator;
import org.nicflow.compiler.flow.Cookie;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.FlowKind;
import org.nicflow.compiler.flow.MatchField;
import org.nicflow.compiler.flow.MeterSpec;
import org.nicflow.compiler.flow.MetadataWrite;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.DefaultAction;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.model.MissBudget;
import org.nicflow.compiler.model.OffloadMode;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.packet.PacketHeaders;

class HostPipelineCompilerTest {

  private final Config reactive = TwoHostFixture.config(OffloadMode.REACTIVE);
  private final Config proactive = TwoHostFixture.config(OffloadMode.PROACTIVE);
  private final HostPipelineCompiler compiler = new HostPipelineCompiler(reactive.withIds(reactive.ids().withGeneration(3)));

  private Vm vm(String name) {
    return reactive.vm(name).orElseThrow();
  }

  private List<FlowEntry> ofVm(List<FlowEntry> flows, FlowKind kind, String vm) {
    int idx = reactive.vmIndex(vm);
    return flows.stream().filter(f -> {
      Cookie c = Cookie.decode(f.cookie());
      return c.kind() == kind && c.vmIndex() == idx;
    }).toList();
  }

  @Test
  void antiSpoofingFlowMetersAndTagsEachVm() {
    List<FlowEntry> base = ofVm(compiler.baseFlows("host1"), FlowKind.BASE, "web1").stream()
        .filter(f -> f.table().equals(Pipeline.CLASSIFY)).toList();

    assertThat(base).hasSize(2);
    FlowEntry pass = base.get(0);
    assertThat(pass.table()).isEqualTo(Pipeline.CLASSIFY);
    assertThat(pass.match().fields().keySet()).containsExactly(MatchField.IN_PORT, MatchField.ETH_SRC,
        MatchField.ETH_TYPE, MatchField.IPV4_SRC);
    assertThat(pass.match().get(MatchField.IN_PORT).orElseThrow().portName()).isEqualTo("web1-eth0");
    assertThat(pass.match().get(MatchField.IPV4_SRC).orElseThrow().value()).isEqualTo(vm("web1").ip().unsigned());
    assertThat(pass.meterId()).hasValue(1);
    assertThat(pass.writeMetadata()).contains(new MetadataWrite(Pipeline.srcVmMetadata(0), Pipeline.SRC_VM_MASK));
    assertThat(pass.gotoTable()).contains(Pipeline.UNIFIED);
    assertThat(Cookie.decode(pass.cookie()).generation()).isEqualTo(3);
    FlowEntry rest = base.get(1);
    assertThat(rest.drops()).isTrue();
    assertThat(rest.priority()).isLessThan(pass.priority());
    assertThat(ofVm(compiler.baseFlows("host1"), FlowKind.BASE, "db1").get(0).meterId()).isEmpty();
  }

  @Test
  void arpResponderCoversGatewayAndOtherVmsOfTheVnetOnly() {
    List<FlowEntry> flows = compiler.baseFlows("host1");

    assertThat(ofVm(flows, FlowKind.ARP, "web1")).extracting(f -> new Ipv4((int) f.match().get(MatchField.ARP_TPA)
        .orElseThrow().value())).containsExactly(Ipv4.parse("10.1.0.1"), Ipv4.parse("10.1.0.12"),
        Ipv4.parse("10.1.0.21"));
    assertThat(ofVm(flows, FlowKind.ARP, "red1")).hasSize(2);
    assertThat(ofVm(flows, FlowKind.ARP, "web2")).isEmpty();
  }

  @Test
  void arpRequestIsAnsweredWithTheGatewayMacOnTheInPort() {
    TableSimulator sim = new TableSimulator(compiler.baseFlows("host1"));
    Vm web1 = vm("web1");

    SimResult r = sim.runArp("web1-eth0", ArpPacket.request(web1.mac(), web1.ip(), Ipv4.parse("10.1.0.21")));

    SimOutput out = r.single().orElseThrow();
    assertThat(out.kind()).isEqualTo(SimOutput.Kind.IN_PORT);
    assertThat(out.port()).isEqualTo("web1-eth0");
    assertThat(out.arp()).isEqualTo(new ArpPacket(TwoHostFixture.GW, web1.mac(), ArpPacket.REPLY, TwoHostFixture.GW,
        Ipv4.parse("10.1.0.21"), web1.mac(), web1.ip()));
  }

  @Test
  void arpForOtherAddressesOrWithSpoofedSenderDrops() {
    TableSimulator sim = new TableSimulator(compiler.baseFlows("host1"));
    Vm web1 = vm("web1");

    assertThat(sim.runArp("web1-eth0", ArpPacket.request(web1.mac(), web1.ip(), Ipv4.parse("10.1.0.99"))).dropped())
        .isTrue();
    assertThat(sim.runArp("web1-eth0", ArpPacket.request(web1.mac(), Ipv4.parse("10.1.0.12"),
        Ipv4.parse("10.1.0.1"))).dropped()).isTrue();
    assertThat(sim.runArp("red1-eth0", ArpPacket.request(vm("red1").mac(), vm("red1").ip(),
        Ipv4.parse("10.1.0.21"))).dropped()).as("db1 is in another VNET").isTrue();
  }

  @Test
  void reactiveModeSendsEveryLegitimatePacketToTheControllerAndDropsSpoofs() {
    TableSimulator sim = new TableSimulator(compiler.flows("host1"));
    Vm web1 = vm("web1");
    PacketHeaders p = PacketHeaders.tcp(web1.mac(), TwoHostFixture.GW, web1.ip(), Ipv4.parse("10.1.0.21"), 40000, 3306);

    SimResult fromVm = sim.run("web1-eth0", OptionalLong.empty(), p);
    assertThat(fromVm.toController()).isTrue();
    assertThat(fromVm.meters()).as("web1's rate meter, then its miss meter").containsExactly(1L,
        HostPipelineCompiler.MISS_METER_BASE + 1);
    assertThat(fromVm.single().orElseThrow().field(MatchField.METADATA)).isEqualTo(Pipeline.srcVmMetadata(0));
    assertThat(sim.run("host1-up", OptionalLong.empty(), p).toController()).isTrue();
    assertThat(sim.run("tun-host2", OptionalLong.of(5001), p).toController()).isTrue();
    assertThat(sim.run("web1-eth0", OptionalLong.empty(), p.withSource(Ipv4.parse("10.1.0.12"), 40000)).dropped())
        .isTrue();
    assertThat(sim.run("web1-eth0", OptionalLong.empty(), p.withEth(MacAddress.parse("02:00:00:00:09:09"),
        TwoHostFixture.GW)).dropped()).isTrue();
    assertThat(sim.run("nowhere", OptionalLong.empty(), p).dropped()).isTrue();
  }

  @Test
  void metersAreARateMeterPerMeteredVmAndAMissMeterPerVmOfTheHost() {
    long miss = HostPipelineCompiler.MISS_METER_BASE;
    assertThat(compiler.meters("host1")).containsExactly(new MeterSpec(1, 50000, "web1"),
        MeterSpec.missBudget(miss + 1, MissBudget.DEFAULT, "web1"),
        MeterSpec.missBudget(miss + 3, MissBudget.DEFAULT, "db1"),
        MeterSpec.missBudget(miss + 4, MissBudget.DEFAULT, "red1"));
    assertThat(compiler.meters("host2")).containsExactly(new MeterSpec(5, 1000, "red2"),
        MeterSpec.missBudget(miss + 2, MissBudget.DEFAULT, "web2"),
        MeterSpec.missBudget(miss + 5, MissBudget.DEFAULT, "red2"));
  }

  @Test
  void missMetersCarryEachVmsOwnBudgetOrTheControllers() {
    Config c = withBudgets(reactive, new MissBudget(500, 50), "db1", OptionalLong.of(10), OptionalLong.empty());

    List<MeterSpec> meters = new HostPipelineCompiler(c).meters("host1").stream()
        .filter(m -> m.unit() == MeterSpec.Unit.PKTPS).toList();

    assertThat(meters).extracting(MeterSpec::vm, MeterSpec::rate, MeterSpec::burst).containsExactly(
        org.assertj.core.groups.Tuple.tuple("web1", 500L, 50L),
        org.assertj.core.groups.Tuple.tuple("db1", 10L, 10L),
        org.assertj.core.groups.Tuple.tuple("red1", 500L, 50L));
  }

  @Test
  void reactiveMissOfEachVmPortPassesThatVmsMissMeterAndOthersPassNone() {
    List<FlowEntry> flows = compiler.flows("host1");
    TableSimulator sim = new TableSimulator(flows);
    Vm db1 = vm("db1");
    PacketHeaders udp = new PacketHeaders(db1.mac(), TwoHostFixture.GW, org.nicflow.compiler.model.Protocol.IPPROTO_UDP,
        db1.ip(), Ipv4.parse("10.1.0.11"), 5000, 53, 0);

    SimResult fromDb1 = sim.run("db1-eth0", OptionalLong.empty(), udp);

    assertThat(fromDb1.toController()).isTrue();
    assertThat(fromDb1.meters()).containsExactly(HostPipelineCompiler.MISS_METER_BASE + 3);
    assertThat(sim.run("host1-up", OptionalLong.empty(), udp).meters()).as("uplink: no VM's budget").isEmpty();
    assertThat(sim.run("tun-host2", OptionalLong.of(5001), udp).meters()).isEmpty();
    List<FlowEntry> db1Misses = flows.stream().filter(f -> f.table().equals(Pipeline.UNIFIED)
        && f.match().get(MatchField.IN_PORT).map(m -> m.portName().equals("db1-eth0")).orElse(false)).toList();
    assertThat(db1Misses).as("the miss and its SYN twin").hasSize(2)
        .allSatisfy(f -> assertThat(f.meterId()).hasValue(HostPipelineCompiler.MISS_METER_BASE + 3));
    assertThat(db1Misses).filteredOn(HostPipelineCompiler::isSynTwin).hasSize(1);
  }

  @Test
  void proactiveFlowsSendingAVmsOwnPacketsToTheControllerPassItsMissMeter() {
    HostPipelineCompiler pro = new HostPipelineCompiler(proactive);
    TableSimulator sim = new TableSimulator(pro.flows("host1"));
    Vm web1 = vm("web1");
    PacketHeaders out = PacketHeaders.tcp(web1.mac(), TwoHostFixture.GW, web1.ip(), Ipv4.parse("198.51.100.7"),
        40000, 443);

    SimResult r = sim.run("web1-eth0", OptionalLong.empty(), out);

    assertThat(r.toController()).as("web's stateful all-out").isTrue();
    assertThat(r.meters()).containsExactly(1L, HostPipelineCompiler.MISS_METER_BASE + 1);
    List<FlowEntry> toController = pro.flows("host1").stream()
        .filter(f -> f.actions().stream().anyMatch(a -> a instanceof org.nicflow.compiler.flow.FlowAction.OutputController))
        .toList();
    assertThat(toController).filteredOn(f -> f.table().startsWith("out_")).isNotEmpty()
        .allSatisfy(f -> assertThat(f.meterId()).hasValue(HostPipelineCompiler.MISS_METER_BASE
            + 1 + Cookie.decode(f.cookie()).vmIndex()));
    assertThat(toController).filteredOn(f -> f.table().equals(Pipeline.UNIFIED)
        && f.match().get(MatchField.IN_PORT).isPresent()).isNotEmpty()
        .allSatisfy(f -> assertThat(f.meterId()).as("%s", f).isPresent());
  }

  private static Config withBudgets(Config c, MissBudget controller, String vm, OptionalLong rate,
      OptionalLong burst) {
    List<Vm> vms = c.vms().stream().map(v -> !v.name().equals(vm) ? v : new Vm(v.name(), v.host(), v.port(), v.mac(),
        v.ip(), v.vnet(), v.ruleset(), v.meterKbps(), rate, burst)).toList();
    return new Config(c.controller().withMissBudget(controller), c.hosts(), c.vnets(), vms, c.rulesets(),
        c.loadBalancers());
  }

  /**
   * A SYN twin must never change a verdict: the flow one priority below it has the same match
   * without the protocol and SYN bit, and the same cookie, actions, metadata write and next table.
   */
  @Test
  void everySynTwinSitsOnAFlowWithTheSameActionsForEveryPacket() {
    for (Config c : List.of(reactive, proactive)) {
      HostPipelineCompiler hc = new HostPipelineCompiler(c);
      for (String host : List.of("host1", "host2")) {
        List<FlowEntry> flows = hc.flows(host);
        Map<FlowEntry.FlowKey, FlowEntry> byKey = new HashMap<>();
        flows.forEach(f -> byKey.put(f.key(), f));
        List<FlowEntry> twins = flows.stream().filter(HostPipelineCompiler::isSynTwin).toList();
        assertThat(twins).as("%s %s", c.controller().mode(), host).isNotEmpty();
        for (FlowEntry twin : twins) {
          FlowMatch.Builder plain = FlowMatch.builder();
          twin.match().fields().values().stream()
              .filter(m -> !EnumSet.of(MatchField.ETH_TYPE, MatchField.IP_PROTO, MatchField.TCP_FLAGS).contains(m.field()))
              .forEach(plain::add);
          FlowEntry under = byKey.get(new FlowEntry.FlowKey(twin.table(), twin.priority() - 1, plain.build()));
          assertThat(under).as("the flow under %s", twin).isNotNull();
          assertThat(HostPipelineCompiler.synTwin(under)).isEqualTo(twin);
          assertThat(flows.stream().filter(f -> f.table().equals(twin.table()) && f.priority() == twin.priority())
              .allMatch(HostPipelineCompiler::isSynTwin)).as("only twins at a twin's priority").isTrue();
        }
      }
    }
  }

  @Test
  void everyFlowConformsToItsTableAndNoTwoShareAKey() {
    for (Config c : List.of(reactive, proactive)) {
      HostPipelineCompiler hc = new HostPipelineCompiler(c);
      for (String host : List.of("host1", "host2")) {
        List<FlowEntry> flows = hc.flows(host);
        Set<FlowEntry.FlowKey> keys = new HashSet<>();
        for (FlowEntry f : flows) {
          assertThat(Pipeline.violations(f)).as("%s", f).isEmpty();
          assertThat(keys.add(f.key())).as("duplicate key %s", f.key()).isTrue();
          assertThat(Cookie.isOurs(f.cookie())).isTrue();
        }
      }
    }
  }

  @Test
  void compilationIsDeterministicAndFollowsTheMode() {
    HostPipelineCompiler pc = new HostPipelineCompiler(proactive);

    assertThat(pc.proactiveFlows("host1")).isEqualTo(new HostPipelineCompiler(proactive).proactiveFlows("host1"));
    assertThat(pc.flows("host1")).isEqualTo(pc.proactiveFlows("host1"));
    assertThat(compiler.flows("host1")).isEqualTo(compiler.baseFlows("host1"));
    assertThat(pc.proactiveFlows("host1")).containsAll(pc.baseFlows("host1").stream()
        .filter(f -> f.table().equals(Pipeline.CLASSIFY)).toList());
  }

  @Test
  void ruleFlowsNameTheirVmLayerAndRule() {
    List<FlowEntry> flows = new HostPipelineCompiler(proactive.withIds(proactive.ids().withGeneration(2))).proactiveFlows("host1");
    int db1 = proactive.vmIndex("db1");

    List<FlowEntry> ephemeral = flows.stream().filter(f -> f.table().equals(Pipeline.outTable(1))).filter(f -> {
      Cookie c = Cookie.decode(f.cookie());
      return c.kind() == FlowKind.RULE && c.vmIndex() == db1 && c.layerIndex() == 0 && c.ruleIndex() == 2;
    }).toList();

    assertThat(ephemeral).hasSize(6 * 7).allSatisfy(f -> assertThat(f.priority()).isEqualTo(ephemeral.get(0)
        .priority()));
  }

  @Test
  void unknownHostIsRejected() {
    assertThatThrownBy(() -> compiler.baseFlows("host9")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("host9");
  }

  @Test
  void tunnelArrivalFromTheReceiversInboundSnatAddressGoesToTheController() {
    // web2 translates what it receives and refuses the public range it translates to: the sender's
    // host already ran (and translated) web2's inbound layers, so web2's host must not filter again.
    Config config = EvalFixtures.world()
        .rules("web2", EvalFixtures.layer("acl", DefaultAction.ALLOW,
            EvalFixtures.rule("no-public", 20).in().src("203.0.113.0/24").deny(),
            EvalFixtures.rule("hide", 10).in().snat("203.0.113.10")))
        .build();
    ReferenceEvaluator evaluator = new ReferenceEvaluator(config);
    ConnectionTable table = new ConnectionTable();
    Decision atSender = evaluator.evaluate(EvalFixtures.port(config, "web1"),
        EvalFixtures.tcpFrom(config, "web1", "10.1.0.12", 40000, 80), table);
    atSender.newConnections().forEach(table::add);
    Ingress.Tunnel arrival = new Ingress.Tunnel("host2", "host1", EvalFixtures.BLUE);

    SimResult r = new TableSimulator(new HostPipelineCompiler(config).proactiveFlows("host2"))
        .run(SimIngress.of(config, arrival), atSender.packet());

    assertThat(r.toController()).as("via %s", r.path()).isTrue();
    assertThat(HostPipelineCompiler.endsAtReplyGuard(r)).isTrue();
    assertThat(evaluator.evaluate(arrival, atSender.packet(), table).allowed()).isTrue();
  }
}
