package org.nicflow.controller.openflow;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.List;
import org.projectfloodlight.openflow.exceptions.OFParseError;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFMessageReader;

/**
 * Turns one frame (exactly one OpenFlow message, as the length-field frame decoder cuts it) into an
 * {@link OFMessage} of whatever version its header says. A frame openflowj cannot read raises a
 * {@link MalformedMessageException}. Flow-stats replies holding Nicira actions openflowj lacks are
 * read through {@link NiciraActionSplice}.
 */
final class OfMessageDecoder extends MessageToMessageDecoder<ByteBuf> {

  private final OFMessageReader<OFMessage> reader = OFFactories.getGenericReader();

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
    int length = frame.readableBytes();
    int version = length > 0 ? frame.getUnsignedByte(frame.readerIndex()) : -1;
    int type = length > 1 ? frame.getUnsignedByte(frame.readerIndex() + 1) : -1;
    OFMessage message;
    try {
      var spliced = NiciraActionSplice.cut(frame);
      if (spliced.isPresent()) {
        message = reader.readFrom(spliced.get().frame());
        message = message == null ? null : NiciraActionSplice.restore(message, spliced.get().cuts());
      } else {
        message = reader.readFrom(frame);
      }
    } catch (OFParseError | RuntimeException e) {
      throw new MalformedMessageException(describe(version, type, length) + ": " + e.getMessage());
    }
    if (message == null) {
      throw new MalformedMessageException(describe(version, type, length) + ": truncated");
    }
    frame.skipBytes(frame.readableBytes());
    out.add(message);
  }

  private static String describe(int version, int type, int length) {
    return String.format(
        "unreadable message (version 0x%02x, type %d, %d bytes)", version, type, length);
  }

  /** A frame that is not a readable OpenFlow message; the connection cannot be trusted further. */
  static final class MalformedMessageException extends DecoderException {
    MalformedMessageException(String reason) {
      super(reason);
    }
  }
}
