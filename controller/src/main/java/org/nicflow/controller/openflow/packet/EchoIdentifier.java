package org.nicflow.controller.openflow.packet;

import java.util.Arrays;

/**
 * Rewrites the identifier of an ICMP echo request or reply in an Ethernet frame, for the packets
 * the switch cannot rewrite (OpenFlow has no field for it; docs/semantics.md, "ICMP echo
 * sessions"). The ICMP checksum is updated incrementally (RFC 1624); the IP header does not cover
 * the identifier and is left as it is.
 */
public final class EchoIdentifier {

  /** Offset of the identifier in the ICMP header. */
  static final int ID_OFFSET = 4;
  private static final int CHECKSUM_OFFSET = 2;
  private static final int ETH_HEADER = 14;
  private static final int ETH_TYPE_IPV4 = 0x0800;
  private static final int ETH_TYPE_VLAN = 0x8100;
  private static final int ETH_TYPE_QINQ = 0x88a8;
  private static final int MAX_TAGS = 2;

  private EchoIdentifier() {}

  /**
   * A copy of {@code frame} whose echo identifier is {@code id}; the frame itself when it already
   * has it.
   *
   * @throws IllegalArgumentException when the frame is not a whole, first-fragment ICMP echo
   *     request or reply in IPv4
   */
  public static byte[] rewrite(byte[] frame, int id) {
    if (id < 0 || id > 0xffff) {
      throw new IllegalArgumentException("echo identifier " + id + " is outside 0-65535");
    }
    int icmp = icmpOffset(frame);
    int old = u16(frame, icmp + ID_OFFSET);
    if (old == id) {
      return frame;
    }
    byte[] out = Arrays.copyOf(frame, frame.length);
    put16(out, icmp + ID_OFFSET, id);
    // RFC 1624, eqn. 3: HC' = ~(~HC + ~m + m')
    int sum = (~u16(frame, icmp + CHECKSUM_OFFSET) & 0xffff) + (~old & 0xffff) + id;
    sum = (sum & 0xffff) + (sum >>> 16);
    sum = (sum & 0xffff) + (sum >>> 16);
    put16(out, icmp + CHECKSUM_OFFSET, ~sum & 0xffff);
    return out;
  }

  private static int icmpOffset(byte[] f) {
    if (f.length < ETH_HEADER) {
      throw new IllegalArgumentException("frame of " + f.length + " bytes has no Ethernet header");
    }
    int ethType = u16(f, 12);
    int o = ETH_HEADER;
    for (int tags = 0; (ethType == ETH_TYPE_VLAN || ethType == ETH_TYPE_QINQ) && tags < MAX_TAGS; tags++) {
      if (f.length < o + 4) {
        throw new IllegalArgumentException("VLAN tag cut short");
      }
      ethType = u16(f, o + 2);
      o += 4;
    }
    if (ethType != ETH_TYPE_IPV4 || f.length < o + 20 || (f[o] & 0xf0) != 0x40) {
      throw new IllegalArgumentException("not an IPv4 frame");
    }
    int headerLength = (f[o] & 0xf) * 4;
    boolean firstFragment = (u16(f, o + 6) & 0x1fff) == 0;
    int icmp = o + headerLength;
    if ((f[o + 9] & 0xff) != 1 || !firstFragment || headerLength < 20 || f.length < icmp + 8) {
      throw new IllegalArgumentException("not a whole ICMP header");
    }
    int type = f[icmp] & 0xff;
    if (type != 0 && type != 8) {
      throw new IllegalArgumentException("ICMP type " + type + " is not an echo request or reply");
    }
    return icmp;
  }

  private static int u16(byte[] f, int o) {
    return ((f[o] & 0xff) << 8) | (f[o + 1] & 0xff);
  }

  private static void put16(byte[] f, int o, int v) {
    f[o] = (byte) (v >>> 8);
    f[o + 1] = (byte) v;
  }
}
