package org.nicflow.controller.openflow.translate;

import org.nicflow.compiler.flow.LearnSpec;
import io.netty.buffer.ByteBufUtil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nicflow.compiler.diff.FlowDiff;
import org.nicflow.compiler.diff.FlowDiffer;
import org.nicflow.compiler.flow.Cookie;
import org.nicflow.compiler.flow.FlowAction;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.FlowKind;
import org.nicflow.compiler.flow.FlowMatch;
import org.nicflow.compiler.flow.MatchField;
import org.nicflow.compiler.flow.MeterSpec;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.compiler.flow.RandomFlows;
import org.nicflow.controller.openflow.PortMap;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowDelete;
import org.projectfloodlight.openflow.protocol.OFFlowDeleteStrict;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFFlowModCommand;
import org.projectfloodlight.openflow.protocol.OFFlowModFlags;
import org.projectfloodlight.openflow.protocol.OFFlowRemoved;
import org.projectfloodlight.openflow.protocol.OFFlowRemovedReason;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFFlowStatsReply;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFMeterFlags;
import org.projectfloodlight.openflow.protocol.OFMeterMod;
import org.projectfloodlight.openflow.protocol.OFMeterModCommand;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.action.OFAction;
import org.projectfloodlight.openflow.protocol.action.OFActionMeter;
import org.projectfloodlight.openflow.protocol.action.OFActionOutput;
import org.projectfloodlight.openflow.protocol.instruction.OFInstruction;
import org.projectfloodlight.openflow.protocol.instruction.OFInstructionApplyActions;
import org.projectfloodlight.openflow.protocol.instruction.OFInstructionGotoTable;
import org.projectfloodlight.openflow.protocol.instruction.OFInstructionMeter;
import org.projectfloodlight.openflow.protocol.meterband.OFMeterBand;
import org.projectfloodlight.openflow.protocol.meterband.OFMeterBandDrop;
import org.projectfloodlight.openflow.protocol.stat.StatField;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

class FlowModTranslatorTest {

  private static final List<String> PORT_NAMES = List.of("vm1-eth0", "vm2-eth0", "host1-up", "tun-host2");
  private static final PortMap PORTS = new PortMap(Map.of(
      "vm1-eth0", OFPort.of(1), "vm2-eth0", OFPort.of(2), "host1-up", OFPort.of(7), "tun-host2", OFPort.of(12)));
  private static final long OURS = Cookie.forVm(FlowKind.UNIFIED, 3, 1).encode();
  private static final int FLOWS_PER_VERSION = 3000;

  private static OFFactory factory(OFVersion v) {
    return OFFactories.getFactory(v);
  }

  private static FlowModTranslator translator(OFVersion v) {
    return new FlowModTranslator(factory(v), PORTS);
  }

  private static FlowEntry tcpFlow() {
    return FlowEntry.builder(Pipeline.UNIFIED, 1000)
        .match(FlowMatch.builder().inPort("vm1-eth0").exact(MatchField.ETH_TYPE, 0x0800)
            .exact(MatchField.IP_PROTO, 6).masked(MatchField.IPV4_DST, 0x0a010000L, 0xffff0000L)
            .exact(MatchField.TCP_DST, 80).build())
        .meter(2)
        .action(new FlowAction.SetField(MatchField.ETH_DST, 0x020000000102L))
        .action(new FlowAction.Output("vm2-eth0"))
        .writeMetadata(0x1, 0xffff)
        .gotoTable(Pipeline.outTable(1))
        .cookie(OURS)
        .idleTimeout(10)
        .sendFlowRemoved(true)
        .build();
  }

  @SuppressWarnings("unchecked")
  private static <T extends OFMessage> T throughTheWire(T message) {
    ByteBuf buf = Unpooled.buffer();
    try {
      message.writeTo(buf);
      return (T) OFFactories.getGenericReader().readFrom(buf);
    } catch (Exception e) {
      throw new AssertionError("could not read back " + message, e);
    } finally {
      buf.release();
    }
  }

  /** What a switch would report for a flow it installed from {@code mod}, after the wire. */
  private static OFFlowStatsEntry statsOf(OFFactory f, OFFlowMod mod) {
    OFFlowStatsEntry.Builder b = f.buildFlowStatsEntry()
        .setTableId(mod.getTableId())
        .setPriority(mod.getPriority())
        .setMatch(mod.getMatch())
        .setCookie(mod.getCookie())
        .setIdleTimeout(mod.getIdleTimeout())
        .setHardTimeout(mod.getHardTimeout())
        .setFlags(mod.getFlags())
        .setInstructions(mod.getInstructions());
    if (f.getVersion().compareTo(OFVersion.OF_15) >= 0) {
      b.setStats(f.buildStat().set(StatField.DURATION, U64.of((42L << 32) | 500))
          .set(StatField.PACKET_COUNT, U64.of(5)).set(StatField.BYTE_COUNT, U64.of(640)).build());
    } else {
      b.setDurationSec(42).setPacketCount(U64.of(5)).setByteCount(U64.of(640));
    }
    OFFlowStatsEntry entry = b.build();
    OFFlowStatsReply reply = throughTheWire(f.buildFlowStatsReply().setEntries(List.of(entry)).build());
    return reply.getEntries().get(0);
  }

  @ParameterizedTest
  @EnumSource(value = OFVersion.class, names = {"OF_13", "OF_14", "OF_15"})
  void randomFlowsRoundTripThroughFlowModAndFlowStats(OFVersion version) {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    RandomFlows gen = new RandomFlows(random, PORT_NAMES);
    FlowModTranslator t = translator(version);
    Set<MatchField> matched = EnumSet.noneOf(MatchField.class);
    Set<MatchField> masked = EnumSet.noneOf(MatchField.class);
    Set<Object> actionKinds = new HashSet<>();
    for (int i = 0; i < FLOWS_PER_VERSION; i++) {
      FlowEntry flow = gen.flow();
      try {
        OFFlowMod mod = throughTheWire(t.add(flow));
        assertThat(t.fromStats(statsOf(factory(version), mod))).contains(flow);
        OFFlowMod modify = throughTheWire(t.modifyStrict(flow));
        assertThat(t.fromStats(statsOf(factory(version), modify))).contains(flow);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("seed " + seed + ", flow " + i + " " + flow + ": " + e.getMessage(), e);
      }
      flow.match().fields().values().forEach(fm -> {
        matched.add(fm.field());
        if (!fm.isExact()) {
          masked.add(fm.field());
        }
      });
      flow.actions().forEach(a -> actionKinds.add(a instanceof FlowAction.SetField s ? s.field() : a.getClass()));
    }
    assertThat(matched).as("seed %d", seed).containsExactlyInAnyOrder(MatchField.values());
    assertThat(masked).as("seed %d", seed).isEqualTo(RandomFlows.MASKABLE);
    Set<Object> expectedKinds = new HashSet<>(RandomFlows.SETTABLE);
    expectedKinds.addAll(List.of(FlowAction.Output.class, FlowAction.OutputInPort.class,
        FlowAction.OutputController.class));
    assertThat(actionKinds).as("seed %d", seed).isEqualTo(expectedKinds);
  }

  /** The reconnect path: flows installed, dumped and read back differ in nothing from the desired ones. */
  @Test
  void installedFlowsReadBackDifferInNothing() {
    long seed = new Random().nextLong();
    RandomFlows gen = new RandomFlows(new Random(seed), PORT_NAMES);
    FlowModTranslator t = translator(OFVersion.OF_13);
    Map<FlowEntry.FlowKey, FlowEntry> desired = new java.util.LinkedHashMap<>();
    while (desired.size() < 300) {
      FlowEntry f = gen.flow();
      desired.putIfAbsent(f.key(), f);
    }
    List<FlowEntry> readBack = desired.values().stream()
        .map(f -> t.fromStats(statsOf(factory(OFVersion.OF_13), t.add(f))).orElseThrow())
        .toList();
    FlowDiff diff = new FlowDiffer().diff(desired.values(), readBack);
    assertThat(diff.isEmpty()).as("seed %d: %s", seed, diff).isTrue();
  }

  @Test
  void addCarriesTableNumbersFlagsTimeoutsAndInstructionsInOrder() {
    OFFlowMod mod = translator(OFVersion.OF_13).add(tcpFlow());
    assertThat(mod.getCommand()).isEqualTo(OFFlowModCommand.ADD);
    assertThat(mod.getTableId()).isEqualTo(TableId.of(Pipeline.number(Pipeline.UNIFIED)));
    assertThat(mod.getFlags()).containsExactly(OFFlowModFlags.SEND_FLOW_REM);
    assertThat(mod.getIdleTimeout()).isEqualTo(10);
    assertThat(mod.getCookie()).isEqualTo(U64.of(OURS));
    List<OFInstruction> ins = mod.getInstructions();
    assertThat(ins).extracting(i -> i.getClass().getInterfaces()[0].getSimpleName())
        .containsExactly("OFInstructionMeter", "OFInstructionApplyActions", "OFInstructionWriteMetadata",
            "OFInstructionGotoTable");
    assertThat(((OFInstructionMeter) ins.get(0)).getMeterId()).isEqualTo(2);
    assertThat(((OFInstructionGotoTable) ins.get(3)).getTableId())
        .isEqualTo(TableId.of(Pipeline.number(Pipeline.outTable(1))));
    assertThat(mod.getMatch().get(org.projectfloodlight.openflow.protocol.match.MatchField.IN_PORT))
        .isEqualTo(OFPort.of(1));
  }

  @Test
  void withoutTheFlagAFlowAsksForNoFlowRemoved() {
    FlowEntry quiet = tcpFlow().toBuilder().sendFlowRemoved(false).build();
    assertThat(translator(OFVersion.OF_13).add(quiet).getFlags()).isEmpty();
  }

  @Test
  void meterIsTheFirstApplyActionOnOpenFlow15() {
    FlowModTranslator t = translator(OFVersion.OF_15);
    OFFlowMod mod = throughTheWire(t.add(tcpFlow()));
    assertThat(mod.getInstructions()).noneMatch(i -> i instanceof OFInstructionMeter);
    OFInstructionApplyActions apply = (OFInstructionApplyActions) mod.getInstructions().get(0);
    assertThat(apply.getActions().get(0)).isInstanceOfSatisfying(OFActionMeter.class,
        m -> assertThat(m.getMeterId()).isEqualTo(2));
  }

  @Test
  void controllerOutputCarriesTheWholePacketAndInPortUsesTheReservedPort() {
    FlowModTranslator t = translator(OFVersion.OF_13);
    OFActionOutput controller = (OFActionOutput) t.action(new FlowAction.OutputController());
    assertThat(controller.getPort()).isEqualTo(OFPort.CONTROLLER);
    assertThat(controller.getMaxLen()).isEqualTo(0xffff);
    OFActionOutput inPort = (OFActionOutput) t.action(new FlowAction.OutputInPort());
    assertThat(inPort.getPort()).isEqualTo(OFPort.IN_PORT);
    OFActionOutput named = (OFActionOutput) t.action(new FlowAction.Output("tun-host2"));
    assertThat(named.getPort()).isEqualTo(OFPort.of(12));
  }

  @Test
  void unknownPortNameIsAnUnresolvedPortNotANullPointer() {
    FlowModTranslator t = translator(OFVersion.OF_13);
    FlowEntry inMatch = tcpFlow().toBuilder()
        .match(FlowMatch.builder().inPort("tun-host9").build()).build();
    assertThatThrownBy(() -> t.add(inMatch)).isInstanceOfSatisfying(UnresolvedPortException.class,
        e -> assertThat(e.portName()).isEqualTo("tun-host9"));
    FlowEntry inAction = FlowEntry.builder(Pipeline.DELIVER, 5).action(new FlowAction.Output("vm9-eth0")).build();
    assertThatThrownBy(() -> t.add(inAction)).isInstanceOf(UnresolvedPortException.class)
        .hasMessageContaining("vm9-eth0");
  }

  @Test
  void rejectsAMaskOnAFieldOpenFlowCannotMask() {
    FlowEntry flow = FlowEntry.builder(Pipeline.UNIFIED, 5)
        .match(FlowMatch.builder().exact(MatchField.ETH_TYPE, 0x0800).exact(MatchField.IP_PROTO, 1)
            .masked(MatchField.ICMPV4_TYPE, 8, 0xf8).build())
        .build();
    assertThatThrownBy(() -> translator(OFVersion.OF_13).add(flow))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("icmp_type");
  }

  @Test
  void rejectsAMatchWithoutItsPrerequisites() {
    FlowEntry portWithoutProto = FlowEntry.builder(Pipeline.UNIFIED, 5)
        .match(FlowMatch.builder().exact(MatchField.ETH_TYPE, 0x0800).exact(MatchField.TCP_DST, 80).build())
        .build();
    assertThatThrownBy(() -> translator(OFVersion.OF_13).add(portWithoutProto))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tcp_dst needs nw_proto=0x6");
    FlowMatch arpOnIp = FlowMatch.builder().exact(MatchField.ETH_TYPE, 0x0800).exact(MatchField.ARP_OP, 1).build();
    assertThat(FlowModTranslator.missingPrerequisites(arpOnIp)).containsExactly("arp_op needs dl_type=0x806");
    FlowMatch udpOnTcp = FlowMatch.builder().exact(MatchField.ETH_TYPE, 0x0800).exact(MatchField.IP_PROTO, 6)
        .exact(MatchField.UDP_SRC, 53).build();
    assertThat(FlowModTranslator.missingPrerequisites(udpOnTcp)).containsExactly("udp_src needs nw_proto=0x11");
  }

  @Test
  void updateModifiesInstructionsButReplacesWhenCookieOrTimeoutsChange() {
    FlowModTranslator t = translator(OFVersion.OF_13);
    FlowEntry installed = tcpFlow();
    FlowEntry newOutput = installed.toBuilder().action(new FlowAction.OutputInPort()).build();
    assertThat(t.update(newOutput, installed).getCommand()).isEqualTo(OFFlowModCommand.MODIFY_STRICT);
    for (FlowEntry changed : List.of(installed.toBuilder().cookie(OURS + 1).build(),
        installed.toBuilder().idleTimeout(99).build(), installed.toBuilder().hardTimeout(5).build(),
        installed.toBuilder().sendFlowRemoved(false).build())) {
      assertThat(t.update(changed, installed).getCommand()).isEqualTo(OFFlowModCommand.ADD);
    }
    FlowEntry otherKey = FlowEntry.builder(Pipeline.DELIVER, 1).build();
    assertThatThrownBy(() -> t.update(otherKey, installed)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesOpenFlowBefore13() {
    assertThatThrownBy(() -> new FlowModTranslator(factory(OFVersion.OF_10), PORTS))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void deleteStrictSelectsByTablePriorityAndMatchWhateverTheOutputs() {
    FlowEntry flow = tcpFlow();
    OFFlowMod mod = throughTheWire(translator(OFVersion.OF_13).deleteStrict(flow));
    assertThat(mod).isInstanceOf(OFFlowDeleteStrict.class);
    assertThat(mod.getTableId()).isEqualTo(TableId.of(Pipeline.number(flow.table())));
    assertThat(mod.getPriority()).isEqualTo(1000);
    assertThat(mod.getMatch()).isEqualTo(translator(OFVersion.OF_13).match(flow.match()));
    assertThat(mod.getOutPort()).isEqualTo(OFPort.ANY);
    assertThat(mod.getOutGroup()).isEqualTo(OFGroup.ANY);
    assertThat(mod.getCookieMask()).isEqualTo(U64.ZERO);
  }

  @Test
  void deleteByCookieCoversEveryTable() {
    OFFlowDelete del = throughTheWire(translator(OFVersion.OF_14).deleteByCookie(OURS, Cookie.OWNER_MASK));
    assertThat(del.getTableId()).isEqualTo(TableId.ALL);
    assertThat(del.getCookie()).isEqualTo(U64.of(OURS));
    assertThat(del.getCookieMask()).isEqualTo(U64.of(Cookie.OWNER_MASK));
    assertThat(del.getOutPort()).isEqualTo(OFPort.ANY);
    assertThat(del.getOutGroup()).isEqualTo(OFGroup.ANY);
    assertThat(del.getMatch().getMatchFields()).isEmpty();
  }

  @Test
  void flowOfATableNicflowDoesNotDeclareReadsAsEmpty() {
    OFFactory f = factory(OFVersion.OF_13);
    OFFlowStatsEntry entry = f.buildFlowStatsEntry().setTableId(TableId.of(200)).setPriority(1)
        .setMatch(f.buildMatch().build()).setInstructions(List.of()).build();
    assertThat(translator(OFVersion.OF_13).fromStats(entry)).isEmpty();
  }

  @Test
  void flowWithAPortTheMapCannotNameReadsAsEmpty() {
    OFFactory f = factory(OFVersion.OF_13);
    OFFlowMod mod = translator(OFVersion.OF_13).add(tcpFlow());
    FlowModTranslator forgetful = new FlowModTranslator(f, PORTS.without("vm1-eth0"));
    assertThat(forgetful.fromStats(statsOf(f, mod))).isEmpty();
  }

  @Test
  void flowWithAnActionNicflowNeverWritesReadsAsEmpty() {
    OFFactory f = factory(OFVersion.OF_13);
    List<OFAction> group = List.of(f.actions().group(OFGroup.of(1)));
    OFFlowStatsEntry entry = f.buildFlowStatsEntry().setTableId(TableId.of(Pipeline.number(Pipeline.DELIVER)))
        .setPriority(1).setMatch(f.buildMatch().build())
        .setInstructions(List.of(f.instructions().applyActions(group))).build();
    assertThat(translator(OFVersion.OF_13).fromStats(entry)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(value = OFVersion.class, names = {"OF_13", "OF_14", "OF_15"})
  void readsCountersFromFlowStats(OFVersion version) {
    OFFactory f = factory(version);
    OFFlowStatsEntry entry = statsOf(f, translator(version).add(tcpFlow()));
    assertThat(FlowCounters.from(entry)).isEqualTo(new FlowCounters(OURS, UnsignedCount.of(5), UnsignedCount.of(640), 42));
  }

  @Test
  void aFlowNicflowCannotReadCanStillBeDeletedAsReported() {
    OFFactory f = factory(OFVersion.OF_13);
    OFFlowStatsEntry stale = statsOf(f, translator(OFVersion.OF_13).add(tcpFlow()));
    FlowModTranslator portGone = new FlowModTranslator(f, PORTS.without("vm1-eth0"));
    assertThat(portGone.fromStats(stale)).isEmpty();
    OFFlowMod del = throughTheWire(portGone.deleteStrict(stale));
    assertThat(del).isInstanceOf(OFFlowDeleteStrict.class);
    assertThat(del.getMatch()).isEqualTo(stale.getMatch());
    assertThat(del.getTableId()).isEqualTo(stale.getTableId());
    assertThat(del.getPriority()).isEqualTo(stale.getPriority());
  }

  @ParameterizedTest
  @EnumSource(value = OFVersion.class, names = {"OF_13", "OF_14", "OF_15"})
  void readsKeyAndCountersOfARemovedFlow(OFVersion version) {
    OFFactory f = factory(version);
    FlowModTranslator t = translator(version);
    FlowEntry flow = tcpFlow();
    OFFlowMod mod = t.add(flow);
    OFFlowRemoved.Builder b = f.buildFlowRemoved()
        .setTableId(mod.getTableId()).setPriority(mod.getPriority()).setMatch(mod.getMatch())
        .setCookie(mod.getCookie()).setReason(OFFlowRemovedReason.IDLE_TIMEOUT).setIdleTimeout(10);
    if (version.compareTo(OFVersion.OF_15) >= 0) {
      b.setStats(f.buildStat().set(StatField.DURATION, U64.of(77L << 32))
          .set(StatField.PACKET_COUNT, U64.of(12)).set(StatField.BYTE_COUNT, U64.of(9000)).build());
    } else {
      b.setDurationSec(77).setPacketCount(U64.of(12)).setByteCount(U64.of(9000));
    }
    OFFlowRemoved removed = throughTheWire(b.build());
    assertThat(t.keyOf(removed)).contains(flow.key());
    assertThat(FlowCounters.from(removed)).isEqualTo(new FlowCounters(OURS, UnsignedCount.of(12), UnsignedCount.of(9000), 77));
  }

  @Test
  void removedFlowOfAnUndeclaredTableHasNoKey() {
    OFFactory f = factory(OFVersion.OF_13);
    OFFlowRemoved removed = f.buildFlowRemoved().setTableId(TableId.of(250)).setMatch(f.buildMatch().build())
        .setReason(OFFlowRemovedReason.DELETE).build();
    assertThat(translator(OFVersion.OF_13).keyOf(removed)).isEqualTo(Optional.empty());
  }

  @ParameterizedTest
  @EnumSource(value = OFVersion.class, names = {"OF_13", "OF_14", "OF_15"})
  void metersAreKbpsDropBandsWithABurst(OFVersion version) {
    FlowModTranslator t = translator(version);
    MeterSpec spec = new MeterSpec(3, 50_000, "web1");
    OFMeterMod add = throughTheWire(t.addMeter(spec));
    assertThat(add.getCommand()).isEqualTo(OFMeterModCommand.ADD);
    assertThat(add.getMeterId()).isEqualTo(3);
    assertThat(add.getFlags()).contains(OFMeterFlags.KBPS, OFMeterFlags.BURST);
    List<OFMeterBand> bands = version == OFVersion.OF_13 ? add.getMeters() : add.getBands();
    assertThat(bands).singleElement().isInstanceOfSatisfying(OFMeterBandDrop.class, b -> {
      assertThat(b.getRate()).isEqualTo(50_000);
      assertThat(b.getBurstSize()).isEqualTo(5_000);
    });
    assertThat(throughTheWire(t.modifyMeter(new MeterSpec(3, 1000, "web1"))).getCommand())
        .isEqualTo(OFMeterModCommand.MODIFY);
    OFMeterMod del = throughTheWire(t.deleteMeter(3));
    assertThat(del.getCommand()).isEqualTo(OFMeterModCommand.DELETE);
    assertThat(del.getMeterId()).isEqualTo(3);
  }

  @ParameterizedTest
  @EnumSource(value = OFVersion.class, names = {"OF_13", "OF_14", "OF_15"})
  void missMetersArePacketDropBandsWithTheBudgetsBurst(OFVersion version) {
    MeterSpec spec = MeterSpec.missBudget(65537, new org.nicflow.compiler.model.MissBudget(2000, 300), "web1");

    OFMeterMod add = throughTheWire(translator(version).addMeter(spec));

    assertThat(add.getMeterId()).isEqualTo(65537);
    assertThat(add.getFlags()).contains(OFMeterFlags.PKTPS, OFMeterFlags.BURST).doesNotContain(OFMeterFlags.KBPS);
    List<OFMeterBand> bands = version == OFVersion.OF_13 ? add.getMeters() : add.getBands();
    assertThat(bands).singleElement().isInstanceOfSatisfying(OFMeterBandDrop.class, b -> {
      assertThat(b.getRate()).isEqualTo(2000);
      assertThat(b.getBurstSize()).isEqualTo(300);
    });
  }

  @Test
  void slowMetersStillAllowAFewFullFrames() {
    assertThat(FlowModTranslator.burstKbits(100)).isEqualTo(FlowModTranslator.MIN_BURST_KBITS);
    assertThat(FlowModTranslator.burstKbits(1_000_000)).isEqualTo(100_000);
  }

  @Test
  void resubmitAndLearnTranslateToNiciraActionsAndReadBack() {
    FlowAction.Learn learn = new FlowAction.Learn(Pipeline.STATE_SENDER, 100, 10, 0x4e90010000000004L, List.of(
        new LearnSpec.MatchValue(MatchField.ETH_TYPE, 0x0800), new LearnSpec.MatchValue(MatchField.IP_PROTO, 17),
        new LearnSpec.MatchCopy(MatchField.METADATA, 0, MatchField.METADATA, 16, 16),
        LearnSpec.MatchCopy.whole(MatchField.IPV4_SRC, MatchField.IPV4_DST),
        LearnSpec.MatchCopy.whole(MatchField.UDP_DST, MatchField.UDP_SRC), new LearnSpec.LoadMetadata(1, 32, 1)));
    FlowEntry flow = FlowEntry.builder(Pipeline.LEARN_RECEIVER, 100)
        .match(FlowMatch.builder().masked(MatchField.METADATA, 0x800010000L, 0x7ff8ffff0000L)
            .exact(MatchField.ETH_TYPE, 0x0800).exact(MatchField.IP_PROTO, 17).build())
        .action(new FlowAction.Resubmit(Pipeline.STATE_RECEIVER)).action(learn).cookie(OURS).build();
    for (OFVersion version : List.of(OFVersion.OF_13, OFVersion.OF_14)) {
      FlowModTranslator t = translator(version);
      OFAction resubmit = t.action(new FlowAction.Resubmit(Pipeline.STATE_RECEIVER));
      ByteBuf wire = Unpooled.buffer();
      resubmit.writeTo(wire);
      assertThat(ByteBufUtil.hexDump(wire)).isEqualTo("ffff001000002320000efff833000000");
      assertThat(((NiciraAction) t.action(learn)).bytes().length % 8).isZero();
      assertThat(((NiciraAction) t.action(learn)).toFlowAction()).contains(learn);
      OFFlowMod mod = t.add(flow);
      OFFlowStatsEntry entry = factory(version).buildFlowStatsEntry().setTableId(mod.getTableId())
          .setPriority(mod.getPriority()).setMatch(mod.getMatch()).setCookie(mod.getCookie())
          .setFlags(mod.getFlags()).setInstructions(mod.getInstructions()).build();
      assertThat(t.fromStats(entry)).contains(flow);
    }
  }
}
