package org.nicflow.controller.openflow;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.WriteBufferWaterMark;
import org.projectfloodlight.openflow.protocol.OFPacketOut;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds what waits to be sent to one switch (Netty's outbound buffer), for a switch that stops
 * reading. Above the pause mark ({@link OpenFlowSettings#outboundPauseBytes()}, Netty's high water
 * mark) the channel is not writable: reading from the switch pauses ({@link ReadGate}), so its
 * packet-ins wait in the switch, and packet-outs for it are dropped and counted (the packet is
 * lost as if the switch had dropped it; the flow installed with it serves the next one). Other
 * messages — flow-mods, barriers, bundles — are still queued: losing one silently would leave the
 * bridge out of step with what the controller believes it holds. Past the limit ({@link
 * OpenFlowSettings#outboundQueueBytes()}) the connection is closed instead, once, counted and
 * logged: the switch is treated as failed, every pending barrier and commit fails, and the flows
 * are re-synced when it connects again. Memory held for a switch is thus at most the limit plus
 * one message. Sits between the session and the encoder (it sees {@code OFMessage}s); runs on the
 * channel's event loop.
 */
final class OutboundLimit extends ChannelDuplexHandler {

  private static final Logger log = LoggerFactory.getLogger(OutboundLimit.class);

  private final int pauseBytes;
  private final int limitBytes;
  private final OpenFlowStats.ChannelCounters counters;
  private final Exception shed = new OutboundShedException("switch not reading: packet-out dropped");
  private final Exception overflow = new OutboundShedException("switch not reading: connection closed");
  private boolean overflowed;

  OutboundLimit(OpenFlowSettings settings, OpenFlowStats.ChannelCounters counters) {
    this.pauseBytes = settings.outboundPauseBytes();
    this.limitBytes = settings.outboundQueueBytes();
    this.counters = counters;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    ctx.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(pauseBytes / 2, pauseBytes));
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    ReadGate gate = ReadGate.of(ctx.channel());
    if (ctx.channel().isWritable()) {
      gate.resume(ReadGate.Reason.OUTBOUND);
    } else if (gate.pause(ReadGate.Reason.OUTBOUND)) {
      counters.writePaused();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (overflowed) {
      promise.tryFailure(overflow);
      return;
    }
    if (msg instanceof OFPacketOut && !ctx.channel().isWritable()) {
      counters.packetOutShed();
      promise.tryFailure(shed);
      return;
    }
    long queued = queuedBytes(ctx);
    if (queued > limitBytes) {
      overflowed = true;
      counters.outboundOverflow();
      log.warn(
          "Closing switch connection from {}: {} bytes wait for it to read (limit {}); it re-syncs "
              + "when it connects again",
          ctx.channel().remoteAddress(),
          queued,
          limitBytes);
      promise.tryFailure(overflow);
      ctx.close();
      return;
    }
    ctx.write(msg, promise);
  }

  /** Bytes written to the channel and not yet taken by the socket. */
  static long queuedBytes(ChannelHandlerContext ctx) {
    ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
    return buffer == null ? 0 : buffer.totalPendingWriteBytes();
  }

  /** Why a write was not sent; without a stack trace (it is no bug, and it is frequent). */
  static final class OutboundShedException extends Exception {
    OutboundShedException(String message) {
      super(message, null, false, false);
    }
  }
}
