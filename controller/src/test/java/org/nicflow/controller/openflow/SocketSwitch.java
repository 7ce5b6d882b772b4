package org.nicflow.controller.openflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPortDesc;
import org.projectfloodlight.openflow.protocol.OFType;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.DatapathId;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.U32;

/** A minimal OpenFlow 1.3 switch over a real TCP (or TLS) socket. */
final class SocketSwitch implements AutoCloseable {

  final Socket socket;
  final OFFactory factory = OFFactories.getFactory(OFVersion.OF_13);
  private final DataInputStream in;
  private final OutputStream out;

  SocketSwitch(int port) throws IOException {
    this(new Socket("127.0.0.1", port));
  }

  /** Over a socket already connected (a TLS socket, for one). */
  SocketSwitch(Socket socket) throws IOException {
    this.socket = socket;
    socket.setSoTimeout(10_000);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  void send(OFMessage message) throws IOException {
    ByteBuf buf = Unpooled.buffer();
    try {
      message.writeTo(buf);
      byte[] bytes = new byte[buf.readableBytes()];
      buf.readBytes(bytes);
      sendBytes(bytes);
    } finally {
      buf.release();
    }
  }

  void sendBytes(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** The next message, or null at end of stream. */
  OFMessage read() throws IOException {
    byte[] header = new byte[8];
    try {
      in.readFully(header);
    } catch (java.io.EOFException e) {
      return null;
    }
    int length = ((header[2] & 0xff) << 8) | (header[3] & 0xff);
    byte[] whole = new byte[length];
    System.arraycopy(header, 0, whole, 0, 8);
    in.readFully(whole, 8, length - 8);
    ByteBuf buf = Unpooled.wrappedBuffer(whole);
    try {
      return OFFactories.getGenericReader().readFrom(buf);
    } catch (Exception e) {
      throw new IOException("unreadable message from the controller", e);
    } finally {
      buf.release();
    }
  }

  OFMessage expect(OFType type) throws IOException {
    OFMessage message = read();
    assertThat(message).as("message of type %s", type).isNotNull();
    assertThat(message.getType()).isEqualTo(type);
    return message;
  }

  /** Runs the handshake to READY with one port. */
  void handshake(DatapathId dpid, String portName) throws IOException {
    expect(OFType.HELLO);
    send(
        factory
            .buildHello()
            .setXid(1)
            .setElements(
                List.of(
                    factory
                        .buildHelloElemVersionbitmap()
                        .setBitmaps(List.of(U32.of(1 << 4)))
                        .build()))
            .build());
    OFMessage features = expect(OFType.FEATURES_REQUEST);
    send(factory.buildFeaturesReply().setXid(features.getXid()).setDatapathId(dpid).build());
    OFMessage portDesc = expect(OFType.STATS_REQUEST);
    OFPortDesc port =
        factory
            .buildPortDesc()
            .setPortNo(OFPort.of(1))
            .setName(portName)
            .setHwAddr(MacAddress.of(0x020000000001L))
            .build();
    send(
        factory
            .buildPortDescStatsReply()
            .setXid(portDesc.getXid())
            .setFlags(Set.of())
            .setEntries(List.of(port))
            .build());
    expect(OFType.SET_CONFIG);
    OFMessage barrier = expect(OFType.BARRIER_REQUEST);
    send(factory.buildBarrierReply().setXid(barrier.getXid()).build());
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
