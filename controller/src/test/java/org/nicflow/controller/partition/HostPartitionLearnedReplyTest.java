package org.nicflow.controller.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nicflow.compiler.eval.EvalFixtures.layer;
import static org.nicflow.compiler.eval.EvalFixtures.rule;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.diff.FlowDiffer;
import org.nicflow.compiler.eval.Connection;
import org.nicflow.compiler.eval.ConnectionTable;
import org.nicflow.compiler.eval.EvalFixtures;
import org.nicflow.compiler.eval.FlowTuple;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.DefaultAction;
import org.nicflow.compiler.model.OffloadMode;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.packet.PacketHeaders;
import org.nicflow.controller.openflow.packet.FrameBuilder;
import org.nicflow.controller.openflow.packet.FrameParser;
import org.nicflow.controller.policy.PolicySnapshot;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFPacketOut;

/**
 * The partition reads the learned-state markers from a packet-in's match: the reply of a connection
 * the switch learned is decided with it and the connection joins the controller's table; a marker
 * naming no VM is an ignored miss, counted, with nothing sent.
 */
class HostPartitionLearnedReplyTest {

  private static final int WEB1_PORT = 1;
  private static final int DB1_PORT = 2;

  private Config config;
  private ConnectionTable connections;
  private HostPartition partition;
  private FakeBridge host1;

  @BeforeEach
  void setUp() {
    Config c = EvalFixtures.world()
        .rules("db1", layer("acl", DefaultAction.DENY, rule("pg", 10).in().tcp().dstPort("5432").stateful().allow()))
        .rules("web1", layer("acl", DefaultAction.ALLOW, rule("nat-db", 10).in().tcp().src("10.1.0.13/32")
            .snat("203.0.113.10")))
        .build();
    config = new Config(c.controller().withMode(OffloadMode.PROACTIVE).withLearnState(true), c.hosts(), c.vnets(),
        c.vms(), c.rulesets(), c.loadBalancers(), c.ids());
    connections = new ConnectionTable();
    partition = new HostPartition(PolicySnapshot.of(0, config),
        new FlowReconciler(new FlowDiffer(), Duration.ofSeconds(5)), new FrameParser(), connections,
        new RuleStatistics());
    host1 = new FakeBridge("host1", 1L, Map.of("web1-eth0", WEB1_PORT, "db1-eth0", DB1_PORT, "red1-eth0", 3,
        "host1-up", 4, "tun-host2", 5, "tun-host3", 6));
    partition.switchConnected(host1);
    host1.clearSent();
  }

  @Test
  void aMarkedReplyIsSentOnAndItsLearnedConnectionJoinsTheTable() {
    long metadata = Pipeline.srcVmMetadata(config.vmIndex("db1")) | Pipeline.SKIP_OUT;

    partition.packetIn(host1, host1.packetIn(DB1_PORT, dbToWeb(41000), metadata));

    FlowTuple original = FlowTuple.of(dbToWebHeaders(41000), EvalFixtures.BLUE).reversed();
    assertThat(connections.all()).contains(new Connection(original, original, "db1", Connection.Kind.STATEFUL));
    assertThat(partition.counters().deniedMisses()).isZero();
    assertThat(host1.sentOf(OFPacketOut.class)).hasSize(1);
  }

  @Test
  void theSameReplyWithoutMarkerIsDenied() {
    partition.packetIn(host1, host1.packetIn(DB1_PORT, dbToWeb(41001)));

    assertThat(partition.counters().deniedMisses()).isEqualTo(1);
    assertThat(connections.all()).isEmpty();
    assertThat(host1.sentOf(OFPacketOut.class)).isEmpty();
  }

  @Test
  void aMarkerNamingAVmNumberOutOfRangeIsCountedAndDropped() {
    long metadata = 0xfffeL | Pipeline.SKIP_OUT;

    partition.packetIn(host1, host1.packetIn(DB1_PORT, dbToWeb(41002), metadata));

    assertThat(partition.counters().ignoredMisses()).isEqualTo(1);
    assertThat(partition.counters().offloads()).isZero();
    assertThat(connections.all()).isEmpty();
    assertThat(host1.sentOf(OFFlowMod.class)).isEmpty();
    assertThat(host1.sentOf(OFPacketOut.class)).isEmpty();
  }

  private PacketHeaders dbToWebHeaders(int webPort) {
    Vm db1 = config.vm("db1").orElseThrow();
    Vm web1 = config.vm("web1").orElseThrow();
    return PacketHeaders.tcp(db1.mac(), EvalFixtures.GATEWAY, db1.ip(), web1.ip(), 5432, webPort);
  }

  private byte[] dbToWeb(int webPort) {
    return FrameBuilder.ipv4(dbToWebHeaders(webPort)).build();
  }
}
