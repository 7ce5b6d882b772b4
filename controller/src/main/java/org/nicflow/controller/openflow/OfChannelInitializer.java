package org.nicflow.controller.openflow;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of one switch channel, one job per handler: bounded framing, openflowj decoding,
 * encoding, the bound on what waits to be sent, idle detection, then the handshake/session. With
 * TLS, the TLS layer comes first and the certificate check just before the handshake ({@link
 * SwitchTls}).
 */
final class OfChannelInitializer extends ChannelInitializer<Channel> {

  static final String FRAME_DECODER = "frame-decoder";
  static final String OF_DECODER = "of-decoder";
  static final String OF_ENCODER = "of-encoder";
  static final String OUTBOUND_LIMIT = "outbound-limit";
  static final String IDLE = "idle";
  static final String SWITCH = "switch";
  static final String TLS = "tls";
  static final String CERTIFICATE = "certificate";

  /** Largest OpenFlow message: the header's length field is 16 bits. */
  static final int MAX_MESSAGE = 0xffff;

  private final SwitchRegistry registry;
  private final SwitchListener listener;
  private final OpenFlowSettings settings;
  private final OpenFlowStats stats;
  private final ChannelGroup channels;
  private final ThrottledLog throttled;
  private final Optional<SwitchTls> tls;

  OfChannelInitializer(
      SwitchRegistry registry,
      SwitchListener listener,
      OpenFlowSettings settings,
      OpenFlowStats stats,
      ChannelGroup channels,
      ThrottledLog throttled,
      Optional<SwitchTls> tls) {
    this.registry = registry;
    this.listener = listener;
    this.settings = settings;
    this.stats = stats;
    this.channels = channels;
    this.throttled = throttled;
    this.tls = tls;
  }

  @Override
  protected void initChannel(Channel channel) {
    channels.add(channel);
    var counters = stats.newChannel();
    channel
        .pipeline()
        // length at offset 2, 2 bytes, counting the whole message (hence -4)
        .addLast(FRAME_DECODER, new LengthFieldBasedFrameDecoder(MAX_MESSAGE, 2, 2, -4, 0))
        .addLast(OF_DECODER, new OfMessageDecoder())
        .addLast(OF_ENCODER, new OfMessageEncoder(counters))
        .addLast(OUTBOUND_LIMIT, new OutboundLimit(settings, counters))
        .addLast(
            IDLE,
            new IdleStateHandler(settings.echoInterval().toNanos(), 0, 0, TimeUnit.NANOSECONDS))
        .addLast(SWITCH, new SwitchHandshake(registry, listener, settings, counters, throttled));
    tls.ifPresent(t -> t.install(channel.pipeline(), registry, counters, throttled));
  }
}
