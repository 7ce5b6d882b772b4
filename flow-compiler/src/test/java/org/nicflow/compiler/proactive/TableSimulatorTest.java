package org.nicflow.compiler.proactive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.flow.FlowAction;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.FlowMatch;
import org.nicflow.compiler.flow.LearnSpec;
import org.nicflow.compiler.flow.MatchField;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.packet.PacketHeaders;

class TableSimulatorTest {

  private static final MacAddress A = MacAddress.parse("02:00:00:00:00:0a");
  private static final MacAddress B = MacAddress.parse("02:00:00:00:00:0b");
  private static final PacketHeaders HTTP =
      PacketHeaders.tcp(A, B, Ipv4.parse("10.0.0.1"), Ipv4.parse("10.0.0.2"), 40000, 8080);

  private static FlowMatch.Builder ip() {
    return FlowMatch.builder().exact(MatchField.ETH_TYPE, 0x0800);
  }

  @Test
  void rewritesAndMetadataAreVisibleToLaterTables() {
    List<FlowEntry> flows = List.of(
        FlowEntry.builder(Pipeline.CLASSIFY, 10).match(ip().inPort("p1").build())
            .action(new FlowAction.SetField(MatchField.IPV4_DST, Ipv4.parse("10.0.0.9").unsigned()))
            .writeMetadata(0x7, 0xffff).gotoTable(Pipeline.UNIFIED).cookie(1).build(),
        FlowEntry.builder(Pipeline.UNIFIED, 10)
            .match(ip().masked(MatchField.METADATA, 0x7, 0xffff).exact(MatchField.IPV4_DST,
                Ipv4.parse("10.0.0.9").unsigned()).build())
            .action(new FlowAction.SetField(MatchField.ETH_DST, MacAddress.parse("02:00:00:00:00:99").bits()))
            .action(new FlowAction.Output("p2")).cookie(2).build(),
        FlowEntry.builder(Pipeline.UNIFIED, 0).action(new FlowAction.OutputController()).cookie(3).build());

    SimResult r = new TableSimulator(flows).run("p1", OptionalLong.empty(), HTTP);

    assertThat(r.path()).containsExactly(new SimStep(Pipeline.CLASSIFY, 10, 1), new SimStep(Pipeline.UNIFIED, 10, 2));
    SimOutput out = r.single().orElseThrow();
    assertThat(out.port()).isEqualTo("p2");
    assertThat(out.packet().nwDst()).isEqualTo(Ipv4.parse("10.0.0.9"));
    assertThat(out.packet().ethDst()).isEqualTo(MacAddress.parse("02:00:00:00:00:99"));
    assertThat(out.field(MatchField.METADATA)).isEqualTo(0x7);
    assertThat(out.tunId()).isEmpty();
  }

  @Test
  void highestPriorityMaskedMatchWins() {
    List<FlowEntry> flows = List.of(
        FlowEntry.builder(Pipeline.CLASSIFY, 20)
            .match(ip().exact(MatchField.IP_PROTO, 6).masked(MatchField.TCP_DST, 8064, 0xffc0).build())
            .action(new FlowAction.Output("ranged")).build(),
        FlowEntry.builder(Pipeline.CLASSIFY, 5).match(ip().build()).action(new FlowAction.Output("any")).build());
    TableSimulator sim = new TableSimulator(flows);

    assertThat(sim.run("p1", OptionalLong.empty(), HTTP).single().orElseThrow().port()).isEqualTo("ranged");
    assertThat(sim.run("p1", OptionalLong.empty(), HTTP.withDestination(HTTP.nwDst(), 8128)).single().orElseThrow()
        .port()).isEqualTo("any");
  }

  @Test
  void tableMissDropsAndFieldsThePacketLacksNeverMatch() {
    List<FlowEntry> flows = List.of(FlowEntry.builder(Pipeline.CLASSIFY, 20)
        .match(ip().exact(MatchField.UDP_DST, 8080).build()).action(new FlowAction.Output("p2")).build());

    SimResult r = new TableSimulator(flows).run("p1", OptionalLong.empty(), HTTP);

    assertThat(r.dropped()).isTrue();
    assertThat(r.path()).isEmpty();
  }

  @Test
  void recordsMetersTunnelKeyAndInPortOutput() {
    List<FlowEntry> flows = List.of(
        FlowEntry.builder(Pipeline.CLASSIFY, 1).meter(3).gotoTable(Pipeline.UNIFIED).build(),
        FlowEntry.builder(Pipeline.UNIFIED, 1).match(FlowMatch.builder().exact(MatchField.TUN_ID, 5001).build())
            .action(new FlowAction.SetField(MatchField.TUN_ID, 5002)).action(new FlowAction.OutputInPort())
            .action(new FlowAction.OutputController()).build());

    SimResult r = new TableSimulator(flows).run("tun-host2", OptionalLong.of(5001), HTTP);

    assertThat(r.meters()).containsExactly(3L);
    assertThat(r.outputs()).extracting(SimOutput::kind).containsExactly(SimOutput.Kind.IN_PORT,
        SimOutput.Kind.CONTROLLER);
    assertThat(r.outputs().get(0).port()).isEqualTo("tun-host2");
    assertThat(r.outputs().get(0).tunId()).hasValue(5002);
    assertThat(r.toController()).isTrue();
  }

  @Test
  void equalPriorityOverlapWithDifferentActionsIsAnError() {
    List<FlowEntry> flows = List.of(
        FlowEntry.builder(Pipeline.CLASSIFY, 7).match(ip().build()).action(new FlowAction.Output("x")).build(),
        FlowEntry.builder(Pipeline.CLASSIFY, 7).match(ip().exact(MatchField.IP_PROTO, 6).build()).build());

    assertThatThrownBy(() -> new TableSimulator(flows).run("p1", OptionalLong.empty(), HTTP))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("ambiguous");
  }

  @Test
  void gotoBackwardsIsAnError() {
    List<FlowEntry> flows = List.of(
        FlowEntry.builder(Pipeline.CLASSIFY, 1).gotoTable(Pipeline.ROUTE).build(),
        FlowEntry.builder(Pipeline.ROUTE, 1).gotoTable(Pipeline.UNIFIED).build());

    assertThatThrownBy(() -> new TableSimulator(flows).run("p1", OptionalLong.empty(), HTTP))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("goes back");
  }

  @Test
  void resubmitRunsAnotherTablesActionsAndGoesOnAndLearnBuildsTheReplyEntry() {
    FlowAction.Learn learn = new FlowAction.Learn(Pipeline.STATE_RECEIVER, 100, 10, 0x4e9L << 52, List.of(
        new LearnSpec.MatchValue(MatchField.ETH_TYPE, 0x0800),
        new LearnSpec.MatchValue(MatchField.IP_PROTO, 6),
        new LearnSpec.MatchCopy(MatchField.METADATA, 0, MatchField.METADATA, 16, 16),
        LearnSpec.MatchCopy.whole(MatchField.IPV4_SRC, MatchField.IPV4_DST),
        LearnSpec.MatchCopy.whole(MatchField.IPV4_DST, MatchField.IPV4_SRC),
        LearnSpec.MatchCopy.whole(MatchField.TCP_SRC, MatchField.TCP_DST),
        LearnSpec.MatchCopy.whole(MatchField.TCP_DST, MatchField.TCP_SRC),
        new LearnSpec.LoadMetadata(1, 33, 1)));
    List<FlowEntry> flows = List.of(
        FlowEntry.builder(Pipeline.CLASSIFY, 10).match(ip().inPort("p1").build())
            .writeMetadata(0x2_0001, 0xffff_ffffL).gotoTable(Pipeline.DELIVER).cookie(1).build(),
        FlowEntry.builder(Pipeline.DELIVER, 10).match(ip().build())
            .action(new FlowAction.Resubmit(Pipeline.LEARN_SENDER)).action(new FlowAction.Resubmit(Pipeline.LEARN_RECEIVER))
            .action(new FlowAction.Output("p2")).cookie(2).build(),
        FlowEntry.builder(Pipeline.LEARN_SENDER, 100).match(ip().build()).action(learn).cookie(3).build());

    SimResult r = new TableSimulator(flows).run("p1", OptionalLong.empty(), HTTP);

    assertThat(r.path()).containsExactly(new SimStep(Pipeline.CLASSIFY, 10, 1), new SimStep(Pipeline.DELIVER, 10, 2),
        new SimStep(Pipeline.LEARN_SENDER, 100, 3));
    assertThat(r.single().orElseThrow().port()).isEqualTo("p2");
    FlowEntry entry = FlowEntry.builder(Pipeline.STATE_RECEIVER, 100)
        .match(ip().masked(MatchField.METADATA, 0x2, 0xffff).exact(MatchField.IP_PROTO, 6)
            .exact(MatchField.IPV4_SRC, Ipv4.parse("10.0.0.2").unsigned())
            .exact(MatchField.IPV4_DST, Ipv4.parse("10.0.0.1").unsigned())
            .exact(MatchField.TCP_SRC, 8080).exact(MatchField.TCP_DST, 40000).build())
        .action(new FlowAction.LoadMetadata(1L << 33, 1L << 33)).cookie(0x4e9L << 52).idleTimeout(10).build();
    assertThat(r.learned()).containsExactly(entry);
  }

  @Test
  void aLearnedEntryMarksTheReplyThroughResubmitAndADroppedPacketLearnsNothing() {
    FlowEntry entry = FlowEntry.builder(Pipeline.STATE_RECEIVER, 100)
        .match(ip().exact(MatchField.TCP_DST, 40000).build())
        .action(new FlowAction.LoadMetadata(1L << 33, 1L << 33)).cookie(9).build();
    List<FlowEntry> flows = List.of(
        FlowEntry.builder(Pipeline.CLASSIFY, 10).match(ip().build()).gotoTable(Pipeline.UNIFIED).cookie(1).build(),
        FlowEntry.builder(Pipeline.UNIFIED, 10).action(new FlowAction.Resubmit(Pipeline.STATE_RECEIVER))
            .gotoTable(Pipeline.inTable(1)).cookie(2).build(),
        FlowEntry.builder(Pipeline.inTable(1), 100).match(FlowMatch.builder().masked(MatchField.METADATA, 1L << 33,
            1L << 33).build()).action(new FlowAction.Output("p1")).cookie(3).build());
    PacketHeaders reply = PacketHeaders.tcp(B, A, Ipv4.parse("10.0.0.2"), Ipv4.parse("10.0.0.1"), 8080, 40000);
    TableSimulator without = new TableSimulator(flows);

    assertThat(without.run("p2", OptionalLong.empty(), reply).dropped()).isTrue();
    SimResult with = without.withFlows(List.of(entry)).run("p2", OptionalLong.empty(), reply);
    assertThat(with.single().orElseThrow().port()).isEqualTo("p1");
    assertThat(with.path()).contains(new SimStep(Pipeline.STATE_RECEIVER, 100, 9));
    assertThat(with.learned()).isEmpty();
  }
}
