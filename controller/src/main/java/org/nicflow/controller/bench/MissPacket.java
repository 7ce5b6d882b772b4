package org.nicflow.controller.bench;

import java.nio.ByteBuffer;
import java.util.OptionalInt;

/**
 * One packet an emulated switch reports as a miss: the port it arrived on and its Ethernet frame,
 * a TCP SYN or a UDP datagram carrying {@code id} (in the TCP sequence number, in the first four
 * bytes of the UDP payload), so the packet-out that sends it on can be matched to it.
 */
record MissPacket(int inPort, byte[] frame) {

  static final int TCP = 6;
  static final int UDP = 17;

  private static final int ETH = 14;
  private static final int IP = 20;
  private static final int L4 = ETH + IP;
  private static final int MIN_FRAME = 60;

  /** The frame of a new connection's first packet. */
  static MissPacket of(int id, int inPort, long ethSrc, long ethDst, int proto, int ipSrc, int ipDst, int sport,
      int dport) {
    if (proto != TCP && proto != UDP) {
      throw new IllegalArgumentException("protocol " + proto + " is neither TCP nor UDP");
    }
    int l4 = proto == TCP ? 20 : 8 + 4;
    ByteBuffer b = ByteBuffer.allocate(Math.max(MIN_FRAME, L4 + l4));
    b.putShort((short) (ethDst >>> 32)).putInt((int) ethDst);
    b.putShort((short) (ethSrc >>> 32)).putInt((int) ethSrc);
    b.putShort((short) 0x0800);
    b.put((byte) 0x45).put((byte) 0).putShort((short) (IP + l4)).putShort((short) id).putShort((short) 0x4000);
    b.put((byte) 64).put((byte) proto).putShort((short) 0).putInt(ipSrc).putInt(ipDst);
    b.putShort(ETH + 10, ipChecksum(b));
    b.putShort((short) sport).putShort((short) dport);
    if (proto == TCP) {
      b.putInt(id).putInt(0).put((byte) 0x50).put((byte) 0x02).putShort((short) 64240).putInt(0);
    } else {
      b.putShort((short) l4).putShort((short) 0).putInt(id);
    }
    return new MissPacket(inPort, b.array());
  }

  /**
   * The id a frame carries, when it is one of ours: an IPv4 TCP or UDP frame of at least the
   * length ours have, read at {@code at} in {@code in}.
   */
  static OptionalInt idOf(ByteBuffer in, int at, int length) {
    if (length < MIN_FRAME || in.getShort(at + 12) != 0x0800 || in.get(at + ETH) != 0x45) {
      return OptionalInt.empty();
    }
    int proto = in.get(at + ETH + 9) & 0xff;
    if (proto == TCP) {
      return OptionalInt.of(in.getInt(at + L4 + 4));
    }
    if (proto == UDP) {
      return OptionalInt.of(in.getInt(at + L4 + 8));
    }
    return OptionalInt.empty();
  }

  private static short ipChecksum(ByteBuffer b) {
    int sum = 0;
    for (int i = ETH; i < L4; i += 2) {
      sum += b.getShort(i) & 0xffff;
    }
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    return (short) ~sum;
  }
}
