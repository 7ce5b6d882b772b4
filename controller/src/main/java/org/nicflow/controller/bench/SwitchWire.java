package org.nicflow.controller.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The OpenFlow 1.3 messages an emulated switch writes, encoded by hand into a {@link ByteBuffer}
 * (big-endian, as on the wire). The generator stays off openflowj and Netty so that it costs little
 * CPU beside the controller it measures and works against any controller.
 */
final class SwitchWire {

  static final int VERSION = 0x04;
  static final int HEADER = 8;

  static final int HELLO = 0;
  static final int ERROR = 1;
  static final int ECHO_REQUEST = 2;
  static final int ECHO_REPLY = 3;
  static final int EXPERIMENTER = 4;
  static final int FEATURES_REQUEST = 5;
  static final int FEATURES_REPLY = 6;
  static final int GET_CONFIG_REQUEST = 7;
  static final int GET_CONFIG_REPLY = 8;
  static final int SET_CONFIG = 9;
  static final int PACKET_IN = 10;
  static final int PACKET_OUT = 13;
  static final int FLOW_MOD = 14;
  static final int MULTIPART_REQUEST = 18;
  static final int MULTIPART_REPLY = 19;
  static final int BARRIER_REQUEST = 20;
  static final int BARRIER_REPLY = 21;
  static final int QUEUE_GET_CONFIG_REQUEST = 22;
  static final int QUEUE_GET_CONFIG_REPLY = 23;
  static final int ROLE_REQUEST = 24;
  static final int ROLE_REPLY = 25;
  static final int GET_ASYNC_REQUEST = 26;
  static final int GET_ASYNC_REPLY = 27;

  static final int MP_DESC = 0;
  static final int MP_AGGREGATE = 2;
  static final int MP_GROUP_FEATURES = 8;
  static final int MP_METER_FEATURES = 11;
  static final int MP_PORT_DESC = 13;

  static final int NO_BUFFER = 0xffffffff;
  static final int MAX_MESSAGE = 0xffff;

  private static final int ERROR_BAD_REQUEST = 1;
  private static final int BAD_TYPE = 1;
  private static final int BAD_MULTIPART = 2;
  private static final int PORT_DESC_LENGTH = 64;
  private static final int PORT_NAME_LENGTH = 16;

  private SwitchWire() {}

  /** A port the switch describes. */
  record Port(int number, String name, long mac) {}

  static int type(ByteBuffer in, int at) {
    return in.get(at + 1) & 0xff;
  }

  static int length(ByteBuffer in, int at) {
    return in.getShort(at + 2) & 0xffff;
  }

  static int xid(ByteBuffer in, int at) {
    return in.getInt(at + 4);
  }

  static void hello(ByteBuffer out) {
    header(out, HELLO, 16, 0);
    out.putShort((short) 1); // element: version bitmap
    out.putShort((short) 8);
    out.putInt(1 << VERSION);
  }

  static void echoReply(ByteBuffer out, ByteBuffer in, int at) {
    int length = length(in, at);
    header(out, ECHO_REPLY, length, xid(in, at));
    copy(out, in, at + HEADER, length - HEADER);
  }

  static void featuresReply(ByteBuffer out, int xid, long dpid) {
    header(out, FEATURES_REPLY, 32, xid);
    out.putLong(dpid);
    out.putInt(256); // buffers
    out.put((byte) 254); // tables
    out.put((byte) 0); // auxiliary id
    out.putShort((short) 0);
    out.putInt(0x4f); // flow, table, port, group stats, ip reassembly... as OVS reports
    out.putInt(0);
  }

  static void getConfigReply(ByteBuffer out, int xid, int missSendLen) {
    header(out, GET_CONFIG_REPLY, 12, xid);
    out.putShort((short) 0);
    out.putShort((short) missSendLen);
  }

  static void barrierReply(ByteBuffer out, int xid) {
    header(out, BARRIER_REPLY, HEADER, xid);
  }

  static void roleReply(ByteBuffer out, ByteBuffer in, int at) {
    header(out, ROLE_REPLY, 24, xid(in, at));
    copy(out, in, at + HEADER, 16); // the role and generation id asked for
  }

  static void asyncReply(ByteBuffer out, int xid) {
    header(out, GET_ASYNC_REPLY, 32, xid);
    out.putInt(0x7).putInt(0x7); // packet-in: no match, action, invalid ttl
    out.putInt(0x7).putInt(0x7); // port status: add, delete, modify
    out.putInt(0xf).putInt(0xf); // flow removed: every reason
  }

  static void queueConfigReply(ByteBuffer out, ByteBuffer in, int at) {
    header(out, QUEUE_GET_CONFIG_REPLY, 16, xid(in, at));
    out.putInt(length(in, at) >= 12 ? in.getInt(at + HEADER) : 0);
    out.putInt(0);
  }

  /**
   * The answer to a multipart request: the port list for port descriptions, a description, empty
   * or zero statistics for the rest, an ERROR for experimenter and unknown kinds.
   */
  static void multipartReply(ByteBuffer out, ByteBuffer in, int at, Iterable<Port> ports) {
    int xid = xid(in, at);
    int kind = length(in, at) >= 12 ? in.getShort(at + HEADER) & 0xffff : -1;
    int start = out.position();
    header(out, MULTIPART_REPLY, 0, xid);
    out.putShort((short) kind);
    out.putShort((short) 0);
    out.putInt(0);
    switch (kind) {
      case MP_DESC -> {
        text(out, "nicflow", 256);
        text(out, "emulated switch", 256);
        text(out, "nicflow bench miss", 256);
        text(out, "0", 32);
        text(out, "bench", 256);
      }
      case MP_AGGREGATE -> {
        out.putLong(0).putLong(0).putInt(0).putInt(0);
      }
      case MP_GROUP_FEATURES -> {
        for (int i = 0; i < 10; i++) {
          out.putInt(0);
        }
      }
      case MP_METER_FEATURES -> {
        out.putInt(1 << 16).putInt(0x6).putInt(0xf).put((byte) 2).put((byte) 0).putShort((short) 0);
      }
      case MP_PORT_DESC -> {
        for (Port port : ports) {
          portDesc(out, port);
        }
      }
      case 1, 3, 4, 5, 6, 7, 9, 10, 12 -> {
        // flows, tables, port and queue statistics, groups, meters, table features: none
      }
      default -> {
        out.position(start);
        error(out, in, at, ERROR_BAD_REQUEST, BAD_MULTIPART);
        return;
      }
    }
    out.putShort(start + 2, (short) (out.position() - start));
  }

  /** ERROR bad-request/bad-type answering the message at {@code at} (its first 64 bytes). */
  static void badType(ByteBuffer out, ByteBuffer in, int at) {
    error(out, in, at, ERROR_BAD_REQUEST, BAD_TYPE);
  }

  /**
   * A packet-in of {@code frame} from {@code inPort}, as OVS sends a table miss with the whole
   * packet: no buffer, reason no-match, table 0, the in_port in an OXM match.
   */
  static void packetIn(ByteBuffer out, int xid, int inPort, byte[] frame) {
    header(out, PACKET_IN, 34 + 8 + frame.length, xid);
    out.putInt(NO_BUFFER);
    out.putShort((short) frame.length);
    out.put((byte) 0); // no match
    out.put((byte) 0); // table
    out.putLong(0); // cookie
    out.putShort((short) 1); // OXM match
    out.putShort((short) 12);
    out.putInt(0x80000004); // OFPXMC_OPENFLOW_BASIC, IN_PORT, 4 bytes
    out.putInt(inPort);
    out.putInt(0); // match padding to 8
    out.putShort((short) 0);
    out.put(frame);
  }

  /** Where the packet of the PACKET_OUT at {@code at} begins, or -1 when it carries none. */
  static int packetOutData(ByteBuffer in, int at) {
    int length = length(in, at);
    if (length < 24) {
      return -1;
    }
    int data = at + 24 + (in.getShort(at + 16) & 0xffff);
    return data < at + length ? data : -1;
  }

  private static void portDesc(ByteBuffer out, Port port) {
    int start = out.position();
    out.putInt(port.number());
    out.putInt(0);
    out.putShort((short) (port.mac() >>> 32));
    out.putInt((int) port.mac());
    out.putShort((short) 0);
    text(out, port.name(), PORT_NAME_LENGTH);
    out.putInt(0); // config
    out.putInt(0x4); // state: live
    out.putInt(0x840).putInt(0).putInt(0).putInt(0); // curr: 10 Gb/s full duplex, copper
    out.putInt(10_000_000).putInt(10_000_000); // kb/s
    if (out.position() - start != PORT_DESC_LENGTH) {
      throw new IllegalStateException("port description of " + (out.position() - start) + " bytes");
    }
  }

  private static void error(ByteBuffer out, ByteBuffer in, int at, int type, int code) {
    int echoed = Math.min(length(in, at), 64);
    header(out, ERROR, 12 + echoed, xid(in, at));
    out.putShort((short) type);
    out.putShort((short) code);
    copy(out, in, at, echoed);
  }

  private static void header(ByteBuffer out, int type, int length, int xid) {
    out.put((byte) VERSION);
    out.put((byte) type);
    out.putShort((short) length);
    out.putInt(xid);
  }

  private static void text(ByteBuffer out, String text, int width) {
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    int n = Math.min(bytes.length, width - 1);
    out.put(bytes, 0, n);
    for (int i = n; i < width; i++) {
      out.put((byte) 0);
    }
  }

  private static void copy(ByteBuffer out, ByteBuffer in, int from, int length) {
    for (int i = 0; i < length; i++) {
      out.put(in.get(from + i));
    }
  }
}
