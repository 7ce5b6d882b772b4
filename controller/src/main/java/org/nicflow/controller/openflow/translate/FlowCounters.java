package org.nicflow.controller.openflow.translate;

import java.util.Objects;
import org.projectfloodlight.openflow.protocol.OFFlowRemoved;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.stat.Stat;
import org.projectfloodlight.openflow.protocol.stat.StatField;
import org.projectfloodlight.openflow.types.U64;

/**
 * A flow's counters as a switch reports them (flow stats or flow-removed): its cookie, packets,
 * bytes and age in whole seconds. Packets and bytes are unsigned 64-bit on the wire and read as
 * such: 2<sup>64</sup>−1 is that number, not −1.
 */
public record FlowCounters(long cookie, UnsignedCount packets, UnsignedCount bytes, long durationSec) {

  public FlowCounters {
    Objects.requireNonNull(packets, "packets");
    Objects.requireNonNull(bytes, "bytes");
  }

  public static FlowCounters from(OFFlowStatsEntry entry) {
    if (entry.getVersion().compareTo(OFVersion.OF_15) >= 0) {
      return fromStat(entry.getCookie().getValue(), entry.getStats());
    }
    return new FlowCounters(entry.getCookie().getValue(), count(entry.getPacketCount()),
        count(entry.getByteCount()), entry.getDurationSec());
  }

  public static FlowCounters from(OFFlowRemoved removed) {
    if (removed.getVersion().compareTo(OFVersion.OF_15) >= 0) {
      return fromStat(removed.getCookie().getValue(), removed.getStats());
    }
    return new FlowCounters(removed.getCookie().getValue(), count(removed.getPacketCount()),
        count(removed.getByteCount()), removed.getDurationSec());
  }

  /** OpenFlow 1.5 carries counters as OXS fields; duration is seconds (high 32) and nanoseconds. */
  private static FlowCounters fromStat(long cookie, Stat stat) {
    return new FlowCounters(cookie, count(value(stat, StatField.PACKET_COUNT)),
        count(value(stat, StatField.BYTE_COUNT)), value(stat, StatField.DURATION).getValue() >>> 32);
  }

  private static U64 value(Stat stat, StatField<U64> field) {
    if (stat == null || !stat.supports(field)) {
      return U64.ZERO;
    }
    U64 v = stat.get(field);
    return v == null ? U64.ZERO : v;
  }

  private static UnsignedCount count(U64 wire) {
    return wire == null ? UnsignedCount.ZERO : new UnsignedCount(wire.getValue());
  }
}
