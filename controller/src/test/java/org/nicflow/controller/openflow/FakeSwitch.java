package org.nicflow.controller.openflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPortDesc;
import org.projectfloodlight.openflow.protocol.OFStatsReplyFlags;
import org.projectfloodlight.openflow.protocol.OFType;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.DatapathId;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.U32;

/** A switch on the far side of an {@link EmbeddedChannel} running the server's pipeline. */
final class FakeSwitch {

  final EmbeddedChannel channel;
  final OFFactory factory;
  private final Deque<OFMessage> received = new ArrayDeque<>();
  private final SwitchHandshake handshake;

  FakeSwitch(OpenFlowServer server, OFVersion version) {
    this.channel = new EmbeddedChannel(server.initializer());
    this.factory = OFFactories.getFactory(version);
    this.handshake = channel.pipeline().get(SwitchHandshake.class);
  }

  SwitchHandshake handshake() {
    return handshake;
  }

  SwitchHandshake.State state() {
    return handshake().state();
  }

  void send(OFMessage message) {
    ByteBuf buf = Unpooled.buffer();
    message.writeTo(buf);
    channel.writeInbound(buf);
  }

  void sendBytes(byte[] bytes) {
    channel.writeInbound(Unpooled.wrappedBuffer(bytes));
  }

  /** The next message the controller sent. */
  OFMessage next() {
    drainOutbound();
    assertThat(received).as("messages from the controller").isNotEmpty();
    return received.removeFirst();
  }

  @SuppressWarnings("unchecked")
  <T extends OFMessage> T next(OFType type) {
    OFMessage message = next();
    assertThat(message.getType()).isEqualTo(type);
    return (T) message;
  }

  List<OFMessage> remaining() {
    drainOutbound();
    var all = List.copyOf(received);
    received.clear();
    return all;
  }

  private void drainOutbound() {
    channel.runPendingTasks();
    Object out;
    while ((out = channel.readOutbound()) != null) {
      ByteBuf buf = (ByteBuf) out;
      try {
        while (buf.isReadable()) {
          received.addLast(OFFactories.getGenericReader().readFrom(buf));
        }
      } catch (Exception e) {
        throw new AssertionError("controller sent an unreadable message", e);
      } finally {
        buf.release();
      }
    }
  }

  OFMessage hello(Set<OFVersion> offered) {
    long bits = 0;
    for (OFVersion v : offered) {
      bits |= 1L << v.getWireVersion();
    }
    return factory
        .buildHello()
        .setXid(1)
        .setElements(
            List.of(
                factory.buildHelloElemVersionbitmap().setBitmaps(List.of(U32.of(bits))).build()))
        .build();
  }

  OFPortDesc port(String name, int number) {
    return factory
        .buildPortDesc()
        .setPortNo(OFPort.of(number))
        .setName(name)
        .setHwAddr(MacAddress.of(0x020000000000L + number))
        .build();
  }

  /**
   * Runs the whole handshake as a switch of {@code dpid} with these ports, the port description
   * split in two parts when there are several ports. Ends READY.
   */
  void connect(DatapathId dpid, Map<String, Integer> ports) {
    assertThat(next().getType()).isEqualTo(OFType.HELLO);
    completeHandshake(dpid, ports);
  }

  /** The handshake after the controller's HELLO has been read. */
  void completeHandshake(DatapathId dpid, Map<String, Integer> ports) {
    send(hello(Set.of(factory.getVersion())));
    completeAfterHello(dpid, ports);
  }

  /** The rest of {@link #completeHandshake} once this switch has sent its HELLO. */
  void completeAfterHello(DatapathId dpid, Map<String, Integer> ports) {
    OFMessage featuresRequest = next(OFType.FEATURES_REQUEST);
    send(
        factory
            .buildFeaturesReply()
            .setXid(featuresRequest.getXid())
            .setDatapathId(dpid)
            .setNTables((short) 254)
            .build());
    OFMessage portDesc = next(OFType.STATS_REQUEST);
    List<OFPortDesc> descs =
        ports.entrySet().stream().map(e -> port(e.getKey(), e.getValue())).toList();
    int half = descs.size() / 2;
    if (half > 0) {
      send(
          factory
              .buildPortDescStatsReply()
              .setXid(portDesc.getXid())
              .setFlags(Set.of(OFStatsReplyFlags.REPLY_MORE))
              .setEntries(descs.subList(0, half))
              .build());
    }
    send(
        factory
            .buildPortDescStatsReply()
            .setXid(portDesc.getXid())
            .setEntries(descs.subList(half, descs.size()))
            .build());
    next(OFType.SET_CONFIG);
    OFMessage barrier = next(OFType.BARRIER_REQUEST);
    send(factory.buildBarrierReply().setXid(barrier.getXid()).build());
  }

  SwitchConnection session() {
    return handshake().session().orElseThrow();
  }
}
