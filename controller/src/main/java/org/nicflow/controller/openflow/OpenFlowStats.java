package org.nicflow.controller.openflow;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.projectfloodlight.openflow.protocol.OFType;
import org.projectfloodlight.openflow.types.DatapathId;

/**
 * OpenFlow channel counters, global and per switch. Thread-safe. Messages exchanged before a switch
 * has told its dpid (HELLO, FEATURES_REPLY) are added to its counters once it has.
 */
public final class OpenFlowStats {

  private final Counters global = new Counters();
  private final Map<DatapathId, Counters> perSwitch = new ConcurrentHashMap<>();

  /** Counters of one switch or of all switches, at one moment. */
  public record Counts(
      Map<OFType, Long> messagesIn,
      Map<OFType, Long> messagesOut,
      long errors,
      long illegalMessages,
      long malformedCloses,
      long packetIns,
      long listenerFailures,
      long readPauses,
      long tlsFailures,
      long identityRefusals,
      long writePauses,
      long packetOutsShed,
      long outboundOverflowCloses,
      long dpidTakeovers,
      long droppedAfterClose,
      long packetInsShed) {
    public Counts {
      messagesIn = Map.copyOf(messagesIn);
      messagesOut = Map.copyOf(messagesOut);
    }

    public long in(OFType type) {
      return messagesIn.getOrDefault(type, 0L);
    }

    public long out(OFType type) {
      return messagesOut.getOrDefault(type, 0L);
    }
  }

  /** Everything, at one moment. */
  public record Snapshot(Counts global, Map<DatapathId, Counts> switches) {
    public Snapshot {
      switches = Map.copyOf(switches);
    }

    public Counts of(DatapathId dpid) {
      var counts = switches.get(dpid);
      if (counts == null) {
        throw new IllegalArgumentException("no counters for switch " + dpid);
      }
      return counts;
    }
  }

  public Snapshot snapshot() {
    var switches = new java.util.HashMap<DatapathId, Counts>();
    perSwitch.forEach((dpid, counters) -> switches.put(dpid, counters.counts()));
    return new Snapshot(global.counts(), switches);
  }

  /** Counters for one new channel; they feed the global ones and, once attached, a switch's. */
  ChannelCounters newChannel() {
    return new ChannelCounters();
  }

  /** One channel's view; called on its event loop only. */
  final class ChannelCounters {
    private final Counters beforeDpid = new Counters();
    private volatile Counters target = beforeDpid;

    void attach(DatapathId dpid) {
      Counters counters = perSwitch.computeIfAbsent(dpid, d -> new Counters());
      counters.add(beforeDpid);
      target = counters;
    }

    void in(OFType type) {
      global.in(type);
      target.in(type);
      if (type == OFType.PACKET_IN) {
        global.packetIns.increment();
        target.packetIns.increment();
      }
    }

    void out(OFType type) {
      global.out(type);
      target.out(type);
    }

    void error() {
      global.errors.increment();
      target.errors.increment();
    }

    void illegal() {
      global.illegal.increment();
      target.illegal.increment();
    }

    void listenerFailure() {
      global.listenerFailures.increment();
      target.listenerFailures.increment();
    }

    void malformedClose() {
      global.malformedCloses.increment();
      target.malformedCloses.increment();
    }

    /** The TLS handshake failed or the TLS layer broke: the connection was closed. */
    void tlsFailure() {
      global.tlsFailures.increment();
      target.tlsFailures.increment();
    }

    /** The switch's certificate does not name the host whose dpid it claimed: refused. */
    void identityRefusal() {
      global.identityRefusals.increment();
      target.identityRefusals.increment();
    }

    /** Reading from the switch was paused because its executor fell behind. Any thread. */
    void readPaused() {
      global.readPauses.increment();
      target.readPauses.increment();
    }

    /** Reading from the switch was paused because it does not read what is sent to it. */
    void writePaused() {
      global.writePauses.increment();
      target.writePauses.increment();
    }

    /** A packet-in was dropped on arrival: its port had its share of the switch's queue waiting. */
    void packetInShed() {
      global.packetInsShed.increment();
      target.packetInsShed.increment();
    }

    /** A packet-out was dropped: the switch is not reading. */
    void packetOutShed() {
      global.packetOutsShed.increment();
      target.packetOutsShed.increment();
    }

    /** The connection was closed: more than the outbound limit waited for the switch. */
    void outboundOverflow() {
      global.outboundOverflowCloses.increment();
      target.outboundOverflowCloses.increment();
    }

    /** This connection lost its dpid to a newer one of the same switch. */
    void dpidTakenOver() {
      global.dpidTakeovers.increment();
      target.dpidTakeovers.increment();
    }

    /**
     * A packet-in or a message to send was dropped because its connection had closed (the
     * switch re-syncs when it connects again). Any thread.
     */
    void droppedAfterClose() {
      global.droppedAfterClose.increment();
      target.droppedAfterClose.increment();
    }
  }

  private static final class Counters {
    private final Map<OFType, LongAdder> in = new EnumMap<>(OFType.class);
    private final Map<OFType, LongAdder> out = new EnumMap<>(OFType.class);
    private final LongAdder errors = new LongAdder();
    private final LongAdder illegal = new LongAdder();
    private final LongAdder malformedCloses = new LongAdder();
    private final LongAdder packetIns = new LongAdder();
    private final LongAdder listenerFailures = new LongAdder();
    private final LongAdder readPauses = new LongAdder();
    private final LongAdder packetInsShed = new LongAdder();
    private final LongAdder tlsFailures = new LongAdder();
    private final LongAdder identityRefusals = new LongAdder();
    private final LongAdder writePauses = new LongAdder();
    private final LongAdder packetOutsShed = new LongAdder();
    private final LongAdder outboundOverflowCloses = new LongAdder();
    private final LongAdder dpidTakeovers = new LongAdder();
    private final LongAdder droppedAfterClose = new LongAdder();

    Counters() {
      for (OFType type : OFType.values()) {
        in.put(type, new LongAdder());
        out.put(type, new LongAdder());
      }
    }

    void in(OFType type) {
      in.get(type).increment();
    }

    void out(OFType type) {
      out.get(type).increment();
    }

    void add(Counters other) {
      other.in.forEach((type, n) -> in.get(type).add(n.sum()));
      other.out.forEach((type, n) -> out.get(type).add(n.sum()));
      errors.add(other.errors.sum());
      illegal.add(other.illegal.sum());
      malformedCloses.add(other.malformedCloses.sum());
      packetIns.add(other.packetIns.sum());
      listenerFailures.add(other.listenerFailures.sum());
      readPauses.add(other.readPauses.sum());
      tlsFailures.add(other.tlsFailures.sum());
      identityRefusals.add(other.identityRefusals.sum());
      writePauses.add(other.writePauses.sum());
      packetOutsShed.add(other.packetOutsShed.sum());
      outboundOverflowCloses.add(other.outboundOverflowCloses.sum());
      dpidTakeovers.add(other.dpidTakeovers.sum());
      droppedAfterClose.add(other.droppedAfterClose.sum());
      packetInsShed.add(other.packetInsShed.sum());
    }

    Counts counts() {
      return new Counts(
          nonZero(in),
          nonZero(out),
          errors.sum(),
          illegal.sum(),
          malformedCloses.sum(),
          packetIns.sum(),
          listenerFailures.sum(),
          readPauses.sum(),
          tlsFailures.sum(),
          identityRefusals.sum(),
          writePauses.sum(),
          packetOutsShed.sum(),
          outboundOverflowCloses.sum(),
          dpidTakeovers.sum(),
          droppedAfterClose.sum(),
          packetInsShed.sum());
    }

    private static Map<OFType, Long> nonZero(Map<OFType, LongAdder> adders) {
      var result = new EnumMap<OFType, Long>(OFType.class);
      adders.forEach(
          (type, n) -> {
            long sum = n.sum();
            if (sum > 0) {
              result.put(type, sum);
            }
          });
      return result;
    }
  }
}
