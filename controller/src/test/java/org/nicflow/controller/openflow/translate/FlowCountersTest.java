package org.nicflow.controller.openflow.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowRemoved;
import org.projectfloodlight.openflow.protocol.OFFlowRemovedReason;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFFlowStatsReply;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.stat.StatField;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/** Counters read from the wire are unsigned: all-ones bits are 2^64-1 packets, never -1. */
class FlowCountersTest {

  private static final long ALL_ONES = -1L;
  private static final long TOP_BIT = Long.MIN_VALUE;

  @ParameterizedTest
  @EnumSource(value = OFVersion.class, names = {"OF_13", "OF_14", "OF_15"})
  void flowStatsCountersAboveLongMaxReadUnsigned(OFVersion version) {
    OFFactory f = OFFactories.getFactory(version);
    OFFlowStatsEntry.Builder entry = f.buildFlowStatsEntry().setTableId(TableId.of(3)).setCookie(U64.of(9))
        .setMatch(f.buildMatch().build());
    if (version.compareTo(OFVersion.OF_15) >= 0) {
      entry.setStats(f.buildStat().set(StatField.DURATION, U64.of(0xffff_ffffL << 32))
          .set(StatField.PACKET_COUNT, U64.of(ALL_ONES)).set(StatField.BYTE_COUNT, U64.of(TOP_BIT)).build());
    } else {
      entry.setDurationSec(0xffff_ffffL).setPacketCount(U64.of(ALL_ONES)).setByteCount(U64.of(TOP_BIT));
    }
    OFFlowStatsReply reply = throughTheWire(f.buildFlowStatsReply().setEntries(java.util.List.of(entry.build()))
        .build());

    FlowCounters counters = FlowCounters.from(reply.getEntries().get(0));

    assertThat(counters.packets()).hasToString("18446744073709551615").isEqualTo(UnsignedCount.MAX);
    assertThat(counters.bytes()).hasToString("9223372036854775808");
    assertThat(counters.durationSec()).isEqualTo(4294967295L);
  }

  @ParameterizedTest
  @EnumSource(value = OFVersion.class, names = {"OF_13", "OF_14", "OF_15"})
  void removedFlowCountersAboveLongMaxReadUnsigned(OFVersion version) {
    OFFactory f = OFFactories.getFactory(version);
    OFFlowRemoved.Builder removed = f.buildFlowRemoved().setTableId(TableId.of(3)).setCookie(U64.of(9))
        .setMatch(f.buildMatch().build()).setReason(OFFlowRemovedReason.IDLE_TIMEOUT);
    if (version.compareTo(OFVersion.OF_15) >= 0) {
      removed.setStats(f.buildStat().set(StatField.DURATION, U64.of(0))
          .set(StatField.PACKET_COUNT, U64.of(ALL_ONES)).set(StatField.BYTE_COUNT, U64.of(TOP_BIT)).build());
    } else {
      removed.setPacketCount(U64.of(ALL_ONES)).setByteCount(U64.of(TOP_BIT));
    }

    FlowCounters counters = FlowCounters.from(throughTheWire(removed.build()));

    assertThat(counters.packets()).hasToString("18446744073709551615");
    assertThat(counters.bytes()).hasToString("9223372036854775808");
    assertThat(counters.cookie()).isEqualTo(9);
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
}
