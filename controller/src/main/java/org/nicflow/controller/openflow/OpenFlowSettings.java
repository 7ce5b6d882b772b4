package org.nicflow.controller.openflow;

import java.time.Duration;
import java.util.Objects;
import org.nicflow.compiler.model.OpenflowOutbound;

/**
 * Where the OpenFlow server listens and how it watches a quiet switch.
 *
 * @param host address to bind
 * @param port TCP port to bind; 0 picks a free one (see {@link OpenFlowServer#boundPort()})
 * @param echoInterval after this long without any message from a switch, send it an ECHO_REQUEST
 *     (and again after each further interval)
 * @param idleTimeout after this long without any message from a switch (echo replies included),
 *     close its connection; at least {@code echoInterval}. Also the time a switch has to complete
 *     the handshake.
 * @param inboundQueueCapacity how many received messages of one switch may wait for its executor
 *     before the controller stops reading from that switch (reading resumes at half); at least 2
 * @param outbound how many bytes sent to one switch may wait for it to read them: past the pause
 *     mark the controller stops reading from the switch and drops packet-outs for it; past the
 *     close limit the connection is closed (the switch re-syncs when it connects again)
 */
public record OpenFlowSettings(
    String host,
    int port,
    Duration echoInterval,
    Duration idleTimeout,
    int inboundQueueCapacity,
    OpenflowOutbound outbound) {

  public static final Duration DEFAULT_ECHO_INTERVAL = Duration.ofSeconds(5);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(15);
  public static final int DEFAULT_INBOUND_QUEUE_CAPACITY = 4096;

  public OpenFlowSettings {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(echoInterval, "echoInterval");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(outbound, "outbound");
    if (port < 0 || port > 0xffff) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (echoInterval.isNegative() || echoInterval.isZero()) {
      throw new IllegalArgumentException("echoInterval must be positive: " + echoInterval);
    }
    if (idleTimeout.compareTo(echoInterval) < 0) {
      throw new IllegalArgumentException(
          "idleTimeout " + idleTimeout + " is shorter than echoInterval " + echoInterval);
    }
    if (inboundQueueCapacity < 2) {
      throw new IllegalArgumentException(
          "inboundQueueCapacity must be at least 2: " + inboundQueueCapacity);
    }
  }

  /** With the default outbound queue limit. */
  public OpenFlowSettings(
      String host, int port, Duration echoInterval, Duration idleTimeout, int inboundQueueCapacity) {
    this(host, port, echoInterval, idleTimeout, inboundQueueCapacity, OpenflowOutbound.DEFAULT);
  }

  /** With the default queue bounds. */
  public OpenFlowSettings(String host, int port, Duration echoInterval, Duration idleTimeout) {
    this(host, port, echoInterval, idleTimeout, DEFAULT_INBOUND_QUEUE_CAPACITY);
  }

  public OpenFlowSettings withInboundQueueCapacity(int capacity) {
    return new OpenFlowSettings(
        host, port, echoInterval, idleTimeout, capacity, outbound);
  }

  /** Closing at {@code bytes}, pausing at a 32nd of that. */
  public OpenFlowSettings withOutboundQueueBytes(int bytes) {
    return withOutbound(OpenflowOutbound.closingAt(bytes));
  }

  public OpenFlowSettings withOutbound(OpenflowOutbound limits) {
    return new OpenFlowSettings(
        host, port, echoInterval, idleTimeout, inboundQueueCapacity, limits);
  }

  /** Bytes waiting for a switch past which its connection is closed. */
  int outboundQueueBytes() {
    return outbound.closeBytes();
  }

  /**
   * Bytes waiting for a switch at which the controller stops reading from it and drops its
   * packet-outs (Netty's high water mark); both resume once less than half of that waits.
   */
  int outboundPauseBytes() {
    return outbound.pauseBytes();
  }

  /**
   * How many of a switch's waiting packet-ins may have come in on one port: a quarter of the
   * inbound queue (1,024 by default), so that one port flooding misses cannot fill the queue and
   * stop the controller reading the others' (see {@link PacketInRounds}).
   */
  static int portShare(int inboundQueueCapacity) {
    return Math.max(1, inboundQueueCapacity / 4);
  }

  public static OpenFlowSettings of(String host, int port) {
    return new OpenFlowSettings(host, port, DEFAULT_ECHO_INTERVAL, DEFAULT_IDLE_TIMEOUT);
  }

  /** How many consecutive idle intervals make the connection dead. */
  int idleIntervalsBeforeClose() {
    long n = (idleTimeout.toNanos() + echoInterval.toNanos() - 1) / echoInterval.toNanos();
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, n));
  }
}
