package org.nicflow.controller.openflow;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import org.projectfloodlight.openflow.protocol.OFMessage;

/** Serialises outgoing {@link OFMessage}s and counts them. */
final class OfMessageEncoder extends MessageToByteEncoder<OFMessage> {

  private final OpenFlowStats.ChannelCounters counters;

  OfMessageEncoder(OpenFlowStats.ChannelCounters counters) {
    super(OFMessage.class);
    this.counters = counters;
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, OFMessage message, ByteBuf out) {
    message.writeTo(out);
    counters.out(message.getType());
  }
}
