package org.nicflow.controller.partition;
import org.nicflow.controller.policy.PolicySnapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.diff.FlowDiffer;
import org.nicflow.compiler.eval.ConnectionTable;
import org.nicflow.compiler.eval.ReferenceEvaluator;
import org.nicflow.compiler.flow.Cookie;
import org.nicflow.compiler.flow.FlowKind;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.model.MissBudget;
import org.nicflow.compiler.packet.PacketHeaders;
import org.nicflow.compiler.proactive.HostPipelineCompiler;
import org.nicflow.compiler.unified.UnifiedFlowBuilder;
import org.nicflow.controller.openflow.packet.FrameBuilder;
import org.nicflow.controller.openflow.translate.UnsignedCount;
import org.nicflow.controller.openflow.packet.FrameParser;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFFlowModCommand;
import org.projectfloodlight.openflow.protocol.OFFlowRemoved;
import org.projectfloodlight.openflow.protocol.OFFlowRemovedReason;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.projectfloodlight.openflow.protocol.OFPacketOut;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.IPv4Address;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.TransportPort;
import org.projectfloodlight.openflow.types.U64;

class HostPartitionTest {

  private static final MacAddress GATEWAY = MacAddress.DEFAULT_GATEWAY;
  private static final MacAddress WEB1_MAC = MacAddress.parse("02:00:00:00:01:0b");
  private static final MacAddress DB1_MAC = MacAddress.parse("02:00:00:00:01:15");
  private static final Ipv4 WEB1 = Ipv4.parse("10.1.0.11");
  private static final Ipv4 DB1 = Ipv4.parse("10.1.0.21");
  private static final Ipv4 WEB2 = Ipv4.parse("10.1.0.12");
  private static final int UNIFIED = Pipeline.number(Pipeline.UNIFIED);

  private Config config;
  private HostPartition partition;
  private FakeBridge host1;

  @BeforeEach
  void setUp() throws Exception {
    config = new ConfigLoader().load(Path.of("../examples/demo.yaml"));
    ReferenceEvaluator evaluator = new ReferenceEvaluator(config);
    partition = new HostPartition(PolicySnapshot.of(0, config),
        new FlowReconciler(new FlowDiffer(), Duration.ofSeconds(5)), new FrameParser(), new ConnectionTable(),
        new RuleStatistics());
    host1 = new FakeBridge("host1", 1L,
        Map.of("p-web1", 1, "p-db1", 2, "p-red1", 3, "host1-up", 4, "tun-host2", 5));
  }

  @Test
  void programsTheBaseFlowsWhenTheSwitchConnects() {
    partition.switchConnected(host1);

    int desired = new HostPipelineCompiler(config).flows("host1").size();
    assertThat(host1.flowCount()).isEqualTo(desired);
    assertThat(partition.connectedHosts()).containsExactly("host1");
    assertThat(host1.flowsIn(UNIFIED)).as("the table-miss flow, each VM port's metered miss, each with its SYN twin")
        .hasSize(2 + 2 * config.vmsOnHost("host1").size());
  }

  @Test
  void reconnectRepairsOnlyTheDifferenceAndKeepsForeignFlows() {
    partition.switchConnected(host1);
    OFFlowMod someBase = host1.flowsIn(0).get(0);
    OFFactory f = host1.factory();
    host1.send(f.buildFlowDeleteStrict().setTableId(someBase.getTableId()).setPriority(someBase.getPriority())
        .setMatch(someBase.getMatch()).build());
    host1.preinstall(f.buildFlowAdd().setTableId(TableId.of(0)).setPriority(7).setCookie(U64.of(0x1234))
        .setMatch(f.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(4)).build()).build());
    host1.clearSent();

    partition.switchConnected(host1);

    List<OFFlowMod> mods = host1.sentOf(OFFlowMod.class);
    assertThat(mods).hasSize(1);
    assertThat(mods.get(0).getCommand()).isEqualTo(OFFlowModCommand.ADD);
    assertThat(mods.get(0).getMatch()).isEqualTo(someBase.getMatch());
    assertThat(host1.flowsIn(0)).anyMatch(m -> m.getCookie().getValue() == 0x1234);
  }

  @Test
  void installsUnifiedFlowsOnceForRepeatedMissesOfOneConnection() {
    partition.switchConnected(host1);
    host1.clearSent();
    OFPacketIn miss = packetIn(1, webToDb(40000, 5432));

    partition.packetIn(host1, miss);
    int afterFirst = host1.sentOf(OFFlowMod.class).size();
    partition.packetIn(host1, miss);

    assertThat(afterFirst).isGreaterThanOrEqualTo(2); // forward and the stateful reverse flow
    assertThat(host1.sentOf(OFFlowMod.class)).hasSize(afterFirst);
    assertThat(host1.sentOf(OFPacketOut.class)).hasSize(2);
    assertThat(partition.counters().duplicateMisses()).isEqualTo(1);
    assertThat(partition.connections().size()).isEqualTo(1);
    OFFlowMod forward = host1.sentOf(OFFlowMod.class).get(0);
    assertThat((int) forward.getTableId().getValue()).isEqualTo(UNIFIED);
    assertThat(Cookie.decode(forward.getCookie().getValue()).kind()).isEqualTo(FlowKind.UNIFIED);
    assertThat(forward.getIdleTimeout()).isEqualTo(config.controller().idleTimeoutS());
  }

  @Test
  // TABLE_FULL goes another way: HostPartitionFlowBudgetTest
  void aUnifiedFlowTheSwitchRefusesIsForgottenAndItsConnectionEnds() {
    partition.switchConnected(host1);
    host1.clearSent();
    OFPacketIn miss = packetIn(1, webToDb(40002, 5432));
    partition.packetIn(host1, miss);
    OFFlowMod refused = host1.sentOf(OFFlowMod.class).get(0);
    assertThat(partition.connections().size()).isEqualTo(1);

    partition.error(host1, host1.factory().errorMsgs().buildFlowModFailedErrorMsg()
        .setCode(org.projectfloodlight.openflow.protocol.OFFlowModFailedCode.EPERM).build(),
        java.util.Optional.of(refused));

    assertThat(partition.connections().size()).as("the connection the refused flow carried").isZero();
    assertThat(partition.counters().rolledBackFlows()).isEqualTo(1);
    assertThat(host1.sentOf(OFFlowMod.class)).as("the reverse flow, which carried only that connection")
        .anyMatch(m -> m.getCommand() == OFFlowModCommand.DELETE_STRICT && m.getTableId().getValue() == UNIFIED);
    host1.clearSent();
    partition.packetIn(host1, miss);
    assertThat(host1.sentOf(OFFlowMod.class)).as("its next packet is decided and installed again").isNotEmpty();
  }

  @Test
  void aRestartedControllerTakesBackTheConnectionFlowsWithoutAFlowModAndKnowsTheirConnections() {
    partition.switchConnected(host1);
    partition.packetIn(host1, packetIn(1, webToDb(40020, 5432)));
    partition.packetIn(host1, packetIn(1, FrameBuilder.ipv4(
        PacketHeaders.tcp(WEB1_MAC, GATEWAY, WEB1, Ipv4.parse("198.51.100.7"), 40021, 443)).build()));
    List<org.nicflow.compiler.eval.Connection> before = partition.connections().all();
    assertThat(before).extracting(org.nicflow.compiler.eval.Connection::kind)
        .contains(org.nicflow.compiler.eval.Connection.Kind.SNAT);
    int unifiedBefore = host1.flowsIn(UNIFIED).size();
    host1.clearSent();

    HostPartition restarted = new HostPartition(PolicySnapshot.of(0, config),
        new FlowReconciler(new FlowDiffer(), Duration.ofSeconds(5)), new FrameParser(), new ConnectionTable(),
        new RuleStatistics());
    restarted.switchConnected(host1);

    assertThat(host1.sentOf(OFFlowMod.class)).as("flow-mods for flows that are already right").isEmpty();
    assertThat(host1.flowsIn(UNIFIED)).hasSize(unifiedBefore);
    assertThat(restarted.connections().all()).as("connections, SNAT mapping included")
        .containsExactlyInAnyOrderElementsOf(before);
    // all but the table-miss flows (the host's, each VM port's) and their SYN twins
    assertThat(restarted.counters().adoptedFlows()).isEqualTo(unifiedBefore - 2 - 2 * config.vmsOnHost("host1").size());
    host1.clearSent();
    restarted.packetIn(host1, packetIn(1, webToDb(40020, 5432)));
    assertThat(host1.sentOf(OFFlowMod.class)).as("a late packet of a taken-back connection").isEmpty();
  }

  @Test
  void onReconnectAConnectionFlowThePolicyNoLongerStandsBehindIsDeleted() {
    partition.switchConnected(host1);
    partition.packetIn(host1, packetIn(1, webToDb(40030, 5432)));
    host1.clearSent();
    Config stricter = config.withoutRule("db", "pg-in");

    HostPartition restarted = new HostPartition(PolicySnapshot.of(0, stricter),
        new FlowReconciler(new FlowDiffer(), Duration.ofSeconds(5)), new FrameParser(), new ConnectionTable(),
        new RuleStatistics());
    restarted.switchConnected(host1);

    assertThat(host1.sentOf(OFFlowMod.class)).anyMatch(m -> m.getCommand() == OFFlowModCommand.DELETE_STRICT
        && m.getTableId().getValue() == UNIFIED);
    assertThat(restarted.connections().size()).isZero();
  }

  @Test
  void anAuditRepairsDriftedFlowsCookieIncludedAndLeavesForeignFlowsAlone() throws Exception {
    partition.switchConnected(host1);
    OFFactory f = host1.factory();
    List<OFFlowMod> ours = host1.flowsIn(0);
    OFFlowMod deleted = ours.get(0);
    OFFlowMod recookied = ours.get(1);
    host1.preinstall(f.buildFlowDeleteStrict().setTableId(deleted.getTableId()).setPriority(deleted.getPriority())
        .setMatch(deleted.getMatch()).build());
    host1.preinstall(recookied.createBuilder().setCookie(U64.of(Cookie.OWNER << 56 | 0x77)).build());
    host1.preinstall(f.buildFlowAdd().setTableId(TableId.of(0)).setPriority(7).setCookie(U64.of(0x1234))
        .setMatch(f.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(4)).build()).build());

    int repairs = partition.audit().get(5, java.util.concurrent.TimeUnit.SECONDS);

    assertThat(repairs).isEqualTo(2);
    assertThat(host1.flowsIn(0)).anyMatch(m -> m.getMatch().equals(deleted.getMatch())
        && m.getPriority() == deleted.getPriority());
    assertThat(host1.flowsIn(0)).anyMatch(m -> m.getMatch().equals(recookied.getMatch())
        && m.getCookie().equals(recookied.getCookie()));
    assertThat(host1.flowsIn(0)).anyMatch(m -> m.getCookie().getValue() == 0x1234);
    assertThat(partition.audit().get(5, java.util.concurrent.TimeUnit.SECONDS)).as("a second audit").isZero();
  }

  @Test
  void aConnectionsReverseFlowReplacesADropFlowHeldForItsRepliesKey() {
    partition.switchConnected(host1);
    byte[] unsolicited = FrameBuilder.ipv4(PacketHeaders.tcp(DB1_MAC, GATEWAY, DB1, WEB1, 5432, 40050)).build();
    partition.packetIn(host1, packetIn(2, unsolicited));
    OFFlowMod drop = host1.flowsIn(UNIFIED).stream()
        .filter(m -> Cookie.decode(m.getCookie().getValue()).kind() == FlowKind.DENIED).findFirst().orElseThrow();

    partition.packetIn(host1, packetIn(1, webToDb(40050, 5432)));

    OFFlowMod now = host1.flowsIn(UNIFIED).stream().filter(m -> m.getMatch().equals(drop.getMatch())).findFirst()
        .orElseThrow();
    assertThat(Cookie.decode(now.getCookie().getValue()).kind()).as("the replies' flow under that key")
        .isEqualTo(FlowKind.REVERSE);
    assertThat(partition.connections().size()).isEqualTo(1);
    partition.flowRemoved(host1, removal(host1, drop));
    assertThat(host1.flowsIn(UNIFIED)).as("a late removal of the replaced drop flow changes nothing")
        .anyMatch(m -> m.getMatch().equals(drop.getMatch()));
    assertThat(partition.connections().size()).isEqualTo(1);
  }

  @Test
  void reinjectsTheTriggeringPacketWithTheActionsOfItsFlow() {
    partition.switchConnected(host1);
    host1.clearSent();
    byte[] frame = webToDb(40001, 5432);

    partition.packetIn(host1, packetIn(1, frame));

    OFPacketOut out = host1.sentOf(OFPacketOut.class).get(0);
    assertThat(out.getData()).isEqualTo(frame);
    assertThat(out.getActions().toString()).contains("port=2");
  }

  @Test
  void deniedConnectionGetsAShortLivedDropFlowAndNoPacketOut() {
    partition.switchConnected(host1);
    host1.clearSent();

    partition.packetIn(host1, packetIn(1, webToDb(40002, 9999)));

    List<OFFlowMod> mods = host1.sentOf(OFFlowMod.class);
    assertThat(mods).hasSize(1);
    assertThat(mods.get(0).getInstructions()).isEmpty();
    assertThat(mods.get(0).getHardTimeout()).isPositive();
    assertThat(host1.sentOf(OFPacketOut.class)).isEmpty();
    assertThat(partition.counters().deniedMisses()).isEqualTo(1);
  }

  @Test
  void tcpWithABadDataOffsetIsCountedMalformedAndNeitherOffloadedNorForwarded() {
    partition.switchConnected(host1);
    host1.clearSent();

    for (int words : new int[] {0, 2, 15}) {
      partition.packetIn(host1, packetIn(1, FrameBuilder.ipv4(
          PacketHeaders.tcp(WEB1_MAC, GATEWAY, WEB1, DB1, 40070 + words, 5432)).tcpDataOffset(words).build()));
    }

    assertThat(partition.counters().malformedFrames()).isEqualTo(3);
    assertThat(partition.counters().offloads()).isZero();
    assertThat(host1.sentOf(OFFlowMod.class)).isEmpty();
    assertThat(host1.sentOf(OFPacketOut.class)).isEmpty();
    assertThat(partition.connections().size()).isZero();
  }

  @Test
  void garbageFramesAreCountedAndChangeNothing() {
    partition.switchConnected(host1);
    host1.clearSent();
    Random random = new Random(3);
    for (int i = 0; i < 200; i++) {
      byte[] junk = new byte[random.nextInt(80)];
      random.nextBytes(junk);
      partition.packetIn(host1, packetIn(1, junk));
    }

    PartitionCounters.Snapshot c = partition.counters();
    assertThat(c.malformedFrames() + c.unsupportedFrames() + c.ignoredMisses() + c.deniedMisses()
        + c.offloads()).isEqualTo(200);
    assertThat(host1.sentOf(OFPacketOut.class)).isEmpty();
  }

  @Test
  void missFromAPortNicflowDoesNotKnowIsIgnored() {
    partition.switchConnected(host1);
    host1.clearSent();

    partition.packetIn(host1, packetIn(42, webToDb(40003, 5432)));

    assertThat(partition.counters().ignoredMisses()).isEqualTo(1);
    assertThat(host1.sent).isEmpty();
  }

  @Test
  void removedFlowsFoldIntoRuleStatisticsAndEndTheirConnection() {
    partition.switchConnected(host1);
    host1.clearSent();
    partition.packetIn(host1, packetIn(1, webToDb(40004, 5432)));
    List<OFFlowMod> installed = host1.sentOf(OFFlowMod.class);

    for (OFFlowMod mod : installed) {
      partition.flowRemoved(host1, host1.factory().buildFlowRemoved()
          .setTableId(mod.getTableId()).setPriority(mod.getPriority()).setMatch(mod.getMatch())
          .setCookie(mod.getCookie()).setReason(OFFlowRemovedReason.IDLE_TIMEOUT)
          .setPacketCount(U64.of(10)).setByteCount(U64.of(1000)).build());
    }

    assertThat(partition.connections().size()).isZero();
    // The cookie names the last rule that decided: db1's pg-in, for the forward and reverse flow.
    assertThat(partition.statistics().forVm("db1"))
        .containsEntry(new RuleStatistics.RuleKey("db1", "acl", "pg-in"),
            new RuleStatistics.Counts(UnsignedCount.of(10L * installed.size()),
                UnsignedCount.of(1000L * installed.size()), installed.size()));
    // The connection is gone, so the same packet misses anew and installs again.
    host1.clearSent();
    partition.packetIn(host1, packetIn(1, webToDb(40004, 5432)));
    assertThat(host1.sentOf(OFFlowMod.class)).hasSize(installed.size());
  }

  /**
   * The channel serves a bridge's packet-ins round-robin by port, and a packet-in may overtake a
   * FLOW_REMOVED (PacketInRounds): a miss that crossed the expiry of its connection's flows in the
   * switch is then handled while the controller still holds them. It is sent on; the removal that
   * follows ends the connection as it would have, and the next packet installs the flows anew.
   */
  @Test
  void aMissHandledBeforeTheRemovalOfItsExpiredFlowsLeavesNeitherFlowNorConnectionBehind() {
    partition.switchConnected(host1);
    host1.clearSent();
    OFPacketIn miss = packetIn(1, webToDb(40005, 5432));
    partition.packetIn(host1, miss);
    List<OFFlowMod> installed = host1.sentOf(OFFlowMod.class);

    partition.packetIn(host1, miss); // crossed the expiry: its removal is still queued
    for (OFFlowMod mod : installed) {
      partition.flowRemoved(host1, removal(host1, mod));
    }

    assertThat(host1.sentOf(OFFlowMod.class)).hasSize(installed.size());
    assertThat(host1.sentOf(OFPacketOut.class)).hasSize(2);
    assertThat(partition.connections().size()).isZero();
    host1.clearSent();
    partition.packetIn(host1, miss);
    assertThat(host1.sentOf(OFFlowMod.class)).hasSize(installed.size());
    assertThat(partition.connections().size()).isEqualTo(1);
  }

  @Test
  void vanishedVmPortLosesItsFlowsAndReappearsProgrammed() {
    partition.switchConnected(host1);
    int before = host1.flowCount();
    host1.removePort("p-db1");
    partition.portChanged(host1, "p-db1", false);
    int without = host1.flowCount();

    host1.addPort("p-db1", 2);
    partition.portChanged(host1, "p-db1", true);

    assertThat(without).isLessThan(before);
    assertThat(host1.flowCount()).isEqualTo(before);
  }

  @Test
  void connectionToAVmOnAnotherHostGetsItsReplyFlowOnThatHost() {
    FakeBridge host2 = new FakeBridge("host2", 2L, Map.of("p-web2", 1, "p-red2", 2, "host2-up", 3, "tun-host1", 4));
    partition.switchConnected(host1);
    partition.switchConnected(host2);
    host1.clearSent();
    host2.clearSent();
    byte[] syn = FrameBuilder.ipv4(PacketHeaders.tcp(WEB1_MAC, GATEWAY, WEB1, WEB2, 40010, 8080)).build();

    partition.packetIn(host1, packetIn(1, syn));

    // web1's stateful rule admits web2's reply, but web2's bridge only learns that from us.
    List<OFFlowMod> there = host2.sentOf(OFFlowMod.class);
    assertThat(there).hasSize(1);
    OFFlowMod reply = there.get(0);
    assertThat(reply.getMatch().get(MatchField.IN_PORT)).isEqualTo(OFPort.of(1));
    assertThat(reply.getMatch().get(MatchField.IPV4_SRC)).isEqualTo(IPv4Address.of("10.1.0.12"));
    assertThat(reply.getMatch().get(MatchField.IPV4_DST)).isEqualTo(IPv4Address.of("10.1.0.11"));
    assertThat(reply.getMatch().get(MatchField.TCP_SRC)).isEqualTo(TransportPort.of(8080));
    assertThat(reply.getMatch().get(MatchField.TCP_DST)).isEqualTo(TransportPort.of(40010));
    assertThat(reply.getInstructions().toString()).contains("port=4");
    assertThat(Cookie.decode(reply.getCookie().getValue()).kind()).isEqualTo(FlowKind.REVERSE);
    assertThat(host2.sentOf(OFPacketOut.class)).isEmpty();
    assertThat(partition.counters().offloads()).isEqualTo(1);
  }

  @Test
  void aVmMovedToAnotherHostKeepsItsConnectionsAndItsNextPacketThereIsDecidedWithThem() {
    FakeBridge host2 = new FakeBridge("host2", 2L,
        Map.of("p-web2", 1, "p-red2", 2, "host2-up", 3, "tun-host1", 4, "p-web1", 5));
    partition.switchConnected(host1);
    partition.switchConnected(host2);
    byte[] snat = FrameBuilder.ipv4(PacketHeaders.tcp(WEB1_MAC, GATEWAY, WEB1, Ipv4.parse("198.51.100.7"), 40060, 443))
        .build();
    partition.packetIn(host1, packetIn(1, snat));
    List<org.nicflow.compiler.eval.Connection> before = partition.connections().all();
    assertThat(before).isNotEmpty();
    List<org.nicflow.compiler.model.Vm> vms = config.vms().stream()
        .map(vm -> vm.name().equals("web1") ? new org.nicflow.compiler.model.Vm(vm.name(), "host2", vm.port(), vm.mac(),
            vm.ip(), vm.vnet(), vm.ruleset(), vm.meterKbps()) : vm).toList();
    Config moved = new Config(config.controller(), config.hosts(), config.vnets(), vms, config.rulesets(),
        config.loadBalancers());

    partition.apply(PolicySnapshot.of(2, moved.withIds(org.nicflow.compiler.model.PolicyIds.next(config.ids(),
        config.rulesets(), moved)))).join();

    assertThat(host1.flowsIn(UNIFIED)).as("web1's connection flows left its old host")
        .noneMatch(m -> m.getMatch().toString().contains("40060"));
    assertThat(partition.connections().all()).as("its connections, SNAT mapping included, stay")
        .containsExactlyInAnyOrderElementsOf(before);
    host2.clearSent();
    partition.packetIn(host2, host2.packetIn(5, snat));
    assertThat(partition.connections().all()).as("decided with the same connection: same SNAT port")
        .containsExactlyInAnyOrderElementsOf(before);
    assertThat(host2.flowsIn(UNIFIED)).anyMatch(m -> m.getMatch().toString().contains("40060"));
  }

  @Test
  void connectionEndsOnlyWhenItsFlowsOnEveryHostAreGone() {
    FakeBridge host2 = new FakeBridge("host2", 2L, Map.of("p-web2", 1, "p-red2", 2, "host2-up", 3, "tun-host1", 4));
    partition.switchConnected(host1);
    partition.switchConnected(host2);
    host1.clearSent();
    host2.clearSent();
    partition.packetIn(host1, packetIn(1,
        FrameBuilder.ipv4(PacketHeaders.tcp(WEB1_MAC, GATEWAY, WEB1, WEB2, 40011, 8080)).build()));

    for (OFFlowMod mod : host1.sentOf(OFFlowMod.class)) {
      partition.flowRemoved(host1, removal(host1, mod));
    }
    int whileTheRemoteFlowLives = partition.connections().size();
    for (OFFlowMod mod : host2.sentOf(OFFlowMod.class)) {
      partition.flowRemoved(host2, removal(host2, mod));
    }

    assertThat(whileTheRemoteFlowLives).isEqualTo(1);
    assertThat(partition.connections().size()).isZero();
  }

  @Test
  void aFloodOfMissesFromOneVmSpendsOnlyItsOwnBudgetAndWhatIsOverIsDroppedBeforeEvaluation() {
    long[] now = {0};
    HostPartition budgeted = budgeted(new MissBudget(10, 3), () -> now[0]); // 6 at once in the controller
    budgeted.switchConnected(host1);
    host1.clearSent();

    for (int i = 0; i < 100; i++) {
      budgeted.packetIn(host1, packetIn(1, webToDb(30000 + i, 5432)));
    }
    int modsAfterFlood = host1.sentOf(OFFlowMod.class).size();
    for (int i = 0; i < 5; i++) {
      budgeted.packetIn(host1, packetIn(2, dbToWeb(41000 + i, 8080)));
    }

    assertThat(budgeted.missesOverBudget()).containsExactly(Map.entry("web1", 94L));
    assertThat(budgeted.missesOverBudget("db1")).isZero();
    assertThat(budgeted.counters().offloads()).as("web1's twice its burst, then all of db1's").isEqualTo(11);
    assertThat(budgeted.counters().packetIns()).isEqualTo(105);
    assertThat(budgeted.connections().size()).isEqualTo(11);
    assertThat(host1.sentOf(OFPacketOut.class)).as("each admitted first packet sent on, none of the dropped")
        .hasSize(11);
    assertThat(host1.sentOf(OFFlowMod.class).size()).as("db1's misses were installed").isGreaterThan(modsAfterFlood);
  }

  @Test
  void aVmsBudgetRefillsWithTimeAndMissesFromTheUplinkSpendNone() {
    long[] now = {0};
    HostPartition budgeted = budgeted(new MissBudget(10, 1), () -> now[0]); // 2 at once in the controller
    budgeted.switchConnected(host1);
    for (int i = 0; i < 3; i++) {
      budgeted.packetIn(host1, packetIn(1, webToDb(30000 + i, 5432)));
    }
    assertThat(budgeted.missesOverBudget("web1")).isEqualTo(1);

    now[0] += 100_000_000L; // 100 ms at 10/s: one miss
    budgeted.packetIn(host1, packetIn(1, webToDb(30003, 5432)));
    budgeted.packetIn(host1, packetIn(1, webToDb(30004, 5432)));
    for (int i = 0; i < 20; i++) {
      budgeted.packetIn(host1, packetIn(4, FrameBuilder.ipv4(PacketHeaders.tcp(MacAddress.parse("02:00:00:00:fe:01"),
          GATEWAY, Ipv4.parse("198.51.100.9"), Ipv4.parse("203.0.113.80"), 50000 + i, 80)).build()));
    }

    assertThat(budgeted.missesOverBudget()).containsExactly(Map.entry("web1", 2L));
    assertThat(budgeted.counters().offloads()).as("three of web1's, every one of the uplink's").isEqualTo(23);
  }

  @Test
  void aNewRevisionsBudgetAppliesToTheNextMisses() {
    long[] now = {0};
    HostPartition budgeted = budgeted(new MissBudget(10, 1), () -> now[0]);
    budgeted.switchConnected(host1);
    budgeted.packetIn(host1, packetIn(1, webToDb(30000, 5432)));
    Config roomier = new Config(config.controller().withMissBudget(new MissBudget(10, 50)), config.hosts(),
        config.vnets(), config.vms(), config.rulesets(), config.loadBalancers(), config.ids());

    budgeted.apply(PolicySnapshot.of(1, roomier)).join();
    now[0] += 1_000_000_000L;
    for (int i = 1; i <= 30; i++) {
      budgeted.packetIn(host1, packetIn(1, webToDb(30000 + i, 5432)));
    }

    assertThat(budgeted.missesOverBudget("web1")).as("the one left and 10 refilled in a second, not 100 at once")
        .isEqualTo(19);
  }

  private HostPartition budgeted(MissBudget budget, java.util.function.LongSupplier clock) {
    Config c = new Config(config.controller().withMissBudget(budget), config.hosts(), config.vnets(), config.vms(),
        config.rulesets(), config.loadBalancers(), config.ids());
    return new HostPartition(PolicySnapshot.of(0, c), new FlowReconciler(new FlowDiffer(), Duration.ofSeconds(5)),
        new FrameParser(), new ConnectionTable(), new RuleStatistics(), clock);
  }

  private static byte[] dbToWeb(int sport, int dport) {
    return FrameBuilder.ipv4(PacketHeaders.tcp(DB1_MAC, GATEWAY, DB1, WEB1, sport, dport)).build();
  }

  private static OFFlowRemoved removal(FakeBridge bridge, OFFlowMod mod) {
    return bridge.factory().buildFlowRemoved()
        .setTableId(mod.getTableId()).setPriority(mod.getPriority()).setMatch(mod.getMatch())
        .setCookie(mod.getCookie()).setReason(OFFlowRemovedReason.IDLE_TIMEOUT)
        .setPacketCount(U64.of(1)).setByteCount(U64.of(100)).build();
  }

  private static byte[] webToDb(int sport, int dport) {
    return FrameBuilder.ipv4(PacketHeaders.tcp(WEB1_MAC, GATEWAY, WEB1, DB1, sport, dport)).build();
  }

  private OFPacketIn packetIn(int port, byte[] frame) {
    return host1.packetIn(port, frame);
  }
}
