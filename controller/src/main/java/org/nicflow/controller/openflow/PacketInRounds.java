package org.nicflow.controller.openflow;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.projectfloodlight.openflow.types.OFPort;

/**
 * The packet-ins of one switch that wait for its executor, served round-robin by the port they
 * came in on, so that a VM flooding new connections does not queue ahead of its neighbours' misses
 * (docs/controller.md, "Packet-ins under a flood").
 *
 * <p>Each admitted packet-in takes one turn in the executor's queue, in arrival order, and a turn
 * serves the next packet-in of its <em>round</em> in port rotation: one from each port that has
 * some waiting, then again. A round is closed by any message that packet-ins must not overtake (a
 * barrier, statistics or bundle reply, an ERROR, a PORT_STATUS): packet-ins that arrive after it
 * are served after it, in a new round. FLOW_REMOVED does not close a round: a packet-in served
 * before the removal of a flow that had expired when it was sent is one that crossed the removal
 * in the switch, and the host partition takes either order alike (the flow and its connection are
 * forgotten when the removal is handled).
 *
 * <p>A port may hold at most {@code portShare} waiting packet-ins; past that its packet-ins are
 * shed on arrival (counted by the caller), so one port cannot fill the switch's backlog and make
 * the controller stop reading the other ports' misses too.
 *
 * <p>{@link #offer} and {@link #close} run on the channel's event loop, {@link #take} on the
 * switch's executor; all under this object's lock.
 */
final class PacketInRounds {

  /** Packet-ins that may overtake one another: served in port rotation. */
  static final class Round {
    private final Map<OFPort, ArrayDeque<OFPacketIn>> byPort = new HashMap<>();
    /** Ports with packet-ins waiting in this round, in the order they are served next. */
    private final ArrayDeque<OFPort> rotation = new ArrayDeque<>();
  }

  private final int portShare;
  private final Map<OFPort, Integer> waiting = new HashMap<>();
  private Round current = new Round();

  /** @param portShare most packet-ins one port may have waiting; at least 1 */
  PacketInRounds(int portShare) {
    if (portShare < 1) {
      throw new IllegalArgumentException("portShare must be at least 1: " + portShare);
    }
    this.portShare = portShare;
  }

  /**
   * Queues a packet-in that came in on {@code port}. Returns the round whose next turn is to be
   * queued for it, or empty when the port already has its share waiting and the packet-in is shed.
   */
  synchronized Optional<Round> offer(OFPort port, OFPacketIn packetIn) {
    int held = waiting.getOrDefault(port, 0);
    if (held >= portShare) {
      return Optional.empty();
    }
    waiting.put(port, held + 1);
    ArrayDeque<OFPacketIn> queue = current.byPort.computeIfAbsent(port, p -> new ArrayDeque<>());
    if (queue.isEmpty()) {
      current.rotation.addLast(port);
    }
    queue.addLast(packetIn);
    return Optional.of(current);
  }

  /** A message packet-ins must not overtake has arrived: later packet-ins go to a new round. */
  synchronized void close() {
    if (!current.rotation.isEmpty()) {
      current = new Round();
    }
  }

  /**
   * The next packet-in of {@code round}: the first waiting of the port whose turn it is. A round
   * has as many turns as packet-ins were admitted to it, so it is never empty when asked.
   */
  synchronized OFPacketIn take(Round round) {
    OFPort port = round.rotation.pollFirst();
    if (port == null) {
      throw new IllegalStateException("a turn of a round with no packet-in waiting");
    }
    ArrayDeque<OFPacketIn> queue = round.byPort.get(port);
    OFPacketIn next = queue.pollFirst();
    if (queue.isEmpty()) {
      round.byPort.remove(port);
    } else {
      round.rotation.addLast(port);
    }
    waiting.computeIfPresent(port, (p, n) -> n == 1 ? null : n - 1);
    return next;
  }

  /** Packet-ins waiting from {@code port}. */
  synchronized int waiting(OFPort port) {
    return waiting.getOrDefault(port, 0);
  }
}
