package org.nicflow.controller.openflow.translate;

import org.projectfloodlight.openflow.protocol.OFFlowRemoved;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.stat.Stat;
import org.projectfloodlight.openflow.protocol.stat.StatField;
import org.projectfloodlight.openflow.types.U64;

/**
 * A flow's counters as a switch reports them (flow stats or flow-removed): its cookie, packets,
 * bytes and age in whole seconds. Counters are unsigned 64-bit on the wire; values above
 * {@link Long#MAX_VALUE} would read negative, which no real flow reaches.
 */
public record FlowCounters(long cookie, long packets, long bytes, long durationSec) {

  public static FlowCounters from(OFFlowStatsEntry entry) {
    if (entry.getVersion().compareTo(OFVersion.OF_15) >= 0) {
      return fromStat(entry.getCookie().getValue(), entry.getStats());
    }
    return new FlowCounters(entry.getCookie().getValue(), entry.getPacketCount().getValue(),
        entry.getByteCount().getValue(), entry.getDurationSec());
  }

  public static FlowCounters from(OFFlowRemoved removed) {
    if (removed.getVersion().compareTo(OFVersion.OF_15) >= 0) {
      return fromStat(removed.getCookie().getValue(), removed.getStats());
    }
    return new FlowCounters(removed.getCookie().getValue(), removed.getPacketCount().getValue(),
        removed.getByteCount().getValue(), removed.getDurationSec());
  }

  /** OpenFlow 1.5 carries counters as OXS fields; duration is seconds (high 32) and nanoseconds. */
  private static FlowCounters fromStat(long cookie, Stat stat) {
    return new FlowCounters(cookie, value(stat, StatField.PACKET_COUNT), value(stat, StatField.BYTE_COUNT),
        value(stat, StatField.DURATION) >>> 32);
  }

  private static long value(Stat stat, StatField<U64> field) {
    if (stat == null || !stat.supports(field)) {
      return 0;
    }
    U64 v = stat.get(field);
    return v == null ? 0 : v.getValue();
  }
}
