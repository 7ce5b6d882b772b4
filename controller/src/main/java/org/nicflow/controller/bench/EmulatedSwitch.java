package org.nicflow.controller.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.OptionalInt;

/**
 * One emulated OpenFlow 1.3 switch on one connection: answers what the controller asks as Open
 * vSwitch would (features, port descriptions, configuration, barriers, echo, role, asynchronous
 * configuration, multipart statistics), sends packet-ins of its {@link MissTraffic.SwitchPlan plan}
 * with at most {@code window} unanswered, and matches each packet-out to the packet-in whose packet
 * it carries. Not thread-safe: one thread runs every switch ({@link MissLoad}).
 */
final class EmulatedSwitch {

  private static final byte UNSENT = 0;
  private static final byte IN_FLIGHT = 1;
  private static final byte ANSWERED = 2;
  private static final byte EXPIRED = 3;

  /** Stop queueing packet-ins while this much is waiting to be written. */
  private static final int WRITE_BACKLOG = 256 * 1024;

  private final MissTraffic.SwitchPlan plan;
  private final SocketChannel channel;
  private final int window;
  private final ByteBuffer in = ByteBuffer.allocate(4 * 65536);
  private final ByteBuffer out = ByteBuffer.allocate(4 * 1024 * 1024);
  private final long[] sentAt;
  private final byte[] state;
  private final long[] latencies;
  private int latencyCount;
  private int next;
  private int oldest;
  private int inFlight;
  private int xid = 1;
  private int missSendLen = 128;
  private boolean featuresAnswered;
  private int barriersAnswered;
  private boolean closed;
  private long lastHeard;
  private boolean measuring;

  private long flowMods;
  private long packetOuts;
  private long strayPacketOuts;
  private long lateAnswers;
  private long repeatedAnswers;
  private long errors;
  private long expired;
  private long lastAnswerAt;

  EmulatedSwitch(MissTraffic.SwitchPlan plan, SocketChannel channel, int window) {
    if (window < 1) {
      throw new IllegalArgumentException("in-flight window must be at least 1, got " + window);
    }
    this.plan = plan;
    this.channel = channel;
    this.window = window;
    int n = plan.packets().size();
    this.sentAt = new long[n];
    this.state = new byte[n];
    this.latencies = new long[n];
    SwitchWire.hello(out);
  }

  MissTraffic.SwitchPlan plan() {
    return plan;
  }

  SocketChannel channel() {
    return channel;
  }

  /**
   * Handshake answered and the controller quiet for {@code settleNanos} since it last spoke; a
   * controller that fenced its handshake with a barrier (nicflow does) has that barrier answered,
   * one that never sends a barrier must have been quiet four times as long (never, when {@code
   * settleNanos} is 0).
   */
  boolean settled(long now, long settleNanos) {
    long quiet = now - lastHeard;
    return featuresAnswered && quiet >= settleNanos && (barriersAnswered > 0 || settleNanos > 0 && quiet >= 4 * settleNanos);
  }

  boolean isClosed() {
    return closed;
  }

  /** From now on, flow-mods count and packet-ins go out. */
  void startMeasuring() {
    measuring = true;
  }

  boolean hasUnsent() {
    return !closed && next < state.length;
  }

  int inFlight() {
    return inFlight;
  }

  /** Reads what the socket has and answers it; false when the controller closed the connection. */
  boolean read(long now) throws IOException {
    int n;
    try {
      n = channel.read(in);
    } catch (IOException reset) {
      n = -1; // the controller reset the connection: as closed
    }
    if (n < 0) {
      closed = true;
      return false;
    }
    in.flip();
    while (in.remaining() >= SwitchWire.HEADER) {
      int at = in.position();
      int length = SwitchWire.length(in, at);
      if (length < SwitchWire.HEADER) {
        throw new IOException(plan.name() + ": message of length " + length + " from the controller");
      }
      if (in.remaining() < length) {
        break;
      }
      handle(at, length, now);
      in.position(at + length);
    }
    in.compact();
    lastHeard = now;
    return true;
  }

  private void handle(int at, int length, long now) {
    switch (SwitchWire.type(in, at)) {
      case SwitchWire.ECHO_REQUEST -> SwitchWire.echoReply(out, in, at);
      case SwitchWire.FEATURES_REQUEST -> {
        SwitchWire.featuresReply(out, SwitchWire.xid(in, at), plan.dpid());
        featuresAnswered = true;
      }
      case SwitchWire.GET_CONFIG_REQUEST -> SwitchWire.getConfigReply(out, SwitchWire.xid(in, at), missSendLen);
      case SwitchWire.SET_CONFIG -> missSendLen = length >= 12 ? in.getShort(at + 10) & 0xffff : missSendLen;
      case SwitchWire.MULTIPART_REQUEST -> SwitchWire.multipartReply(out, in, at, plan.ports());
      case SwitchWire.BARRIER_REQUEST -> {
        SwitchWire.barrierReply(out, SwitchWire.xid(in, at));
        barriersAnswered++;
      }
      case SwitchWire.ROLE_REQUEST -> SwitchWire.roleReply(out, in, at);
      case SwitchWire.GET_ASYNC_REQUEST -> SwitchWire.asyncReply(out, SwitchWire.xid(in, at));
      case SwitchWire.QUEUE_GET_CONFIG_REQUEST -> SwitchWire.queueConfigReply(out, in, at);
      case SwitchWire.FLOW_MOD -> {
        if (measuring) {
          flowMods++;
        }
      }
      case SwitchWire.PACKET_OUT -> packetOut(at, length, now);
      case SwitchWire.ERROR -> {
        if (measuring) {
          errors++;
        }
      }
      case SwitchWire.EXPERIMENTER -> SwitchWire.badType(out, in, at);
      default -> {
        // hello, group, port, table and meter mods, set-async: nothing to answer
      }
    }
  }

  private void packetOut(int at, int length, long now) {
    if (!measuring) {
      return;
    }
    packetOuts++;
    int data = SwitchWire.packetOutData(in, at);
    OptionalInt id = data < 0 ? OptionalInt.empty() : MissPacket.idOf(in, data, at + length - data);
    if (id.isEmpty() || id.getAsInt() < 0 || id.getAsInt() >= next) {
      strayPacketOuts++;
      return;
    }
    int i = id.getAsInt();
    switch (state[i]) {
      case IN_FLIGHT -> {
        state[i] = ANSWERED;
        inFlight--;
        latencies[latencyCount++] = now - sentAt[i];
        lastAnswerAt = now;
      }
      case EXPIRED -> lateAnswers++;
      default -> repeatedAnswers++;
    }
  }

  /** Queues packet-ins until {@code window} are unanswered or every packet went out. */
  void fill(long now) {
    while (inFlight < window && next < state.length && out.position() < WRITE_BACKLOG) {
      MissPacket p = plan.packets().get(next);
      SwitchWire.packetIn(out, xid++, p.inPort(), p.frame());
      sentAt[next] = now;
      state[next] = IN_FLIGHT;
      next++;
      inFlight++;
    }
  }

  /** Gives up on packet-ins unanswered for longer than {@code timeoutNanos}. */
  void expire(long now, long timeoutNanos) {
    while (oldest < next) {
      if (state[oldest] == IN_FLIGHT) {
        if (now - sentAt[oldest] < timeoutNanos) {
          return;
        }
        state[oldest] = EXPIRED;
        inFlight--;
        expired++;
      }
      oldest++;
    }
  }

  /** Writes what is queued; true when everything went out (or the connection is gone). */
  boolean flush() {
    if (out.position() == 0 || closed) {
      return true;
    }
    out.flip();
    try {
      channel.write(out);
    } catch (IOException reset) {
      closed = true; // reported as a disconnected switch
      return true;
    } finally {
      out.compact();
    }
    return out.position() == 0;
  }

  /** This switch's share of the report. */
  MissReport.SwitchCounts counts() {
    return new MissReport.SwitchCounts(plan.name(), next, latencyCount, expired + inFlight, lateAnswers, flowMods,
        packetOuts, strayPacketOuts, repeatedAnswers, errors, closed, lastAnswerAt,
        java.util.Arrays.copyOf(latencies, latencyCount));
  }
}
