package org.nicflow.controller.openflow.packet;

import java.io.ByteArrayOutputStream;
import java.util.Objects;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.packet.PacketHeaders;

/**
 * Builds Ethernet frames for tests: IPv4 with TCP, UDP, ICMP or any other protocol (optional
 * 802.1Q tag, IP options, fragmentation, Ethernet padding) and ARP, with correct IPv4 header and
 * TCP/UDP/ICMP checksums. For ICMP, the headers' {@code tpSrc}/{@code tpDst} are type and code.
 *
 * <pre>{@code
 * byte[] syn = FrameBuilder.ipv4(PacketHeaders.tcp(vmMac, gwMac, vmIp, webIp, 40000, 80)).build();
 * byte[] who = FrameBuilder.arpRequest(vmMac, vmIp, gatewayIp);
 * }</pre>
 */
public final class FrameBuilder {

  public static final int TCP_SYN = 0x02;
  public static final int TCP_ACK = 0x10;

  private final PacketHeaders headers;
  private int vlan = -1;
  private byte[] ipOptions = new byte[0];
  private int fragmentOffset;
  private boolean moreFragments;
  private byte[] payload = new byte[0];
  private int ttl = 64;
  private int identification = 1;
  private int tcpFlags = TCP_SYN;
  private int tcpDataOffset = 5;
  private int icmpRest;
  private boolean pad;

  private FrameBuilder(PacketHeaders headers) {
    this.headers = Objects.requireNonNull(headers, "headers");
    this.icmpRest = headers.icmpId() << 16;
  }

  /**
   * An IPv4 frame carrying these headers (protocol, addresses, ports or ICMP type/code and echo
   * identifier, DSCP).
   */
  public static FrameBuilder ipv4(PacketHeaders headers) {
    return new FrameBuilder(headers);
  }

  /** Adds an 802.1Q tag with this VLAN id. */
  public FrameBuilder vlan(int vid) {
    this.vlan = vid & 0xfff;
    return this;
  }

  /** IPv4 options, zero-padded to a multiple of 4 bytes (at most 40). */
  public FrameBuilder ipOptions(byte[] options) {
    if (options.length > 40) {
      throw new IllegalArgumentException("at most 40 bytes of IPv4 options");
    }
    this.ipOptions = java.util.Arrays.copyOf(options, (options.length + 3) / 4 * 4);
    return this;
  }

  /**
   * Makes the frame a fragment: {@code offsetUnits} in 8-byte units; above 0 it carries no
   * transport header, only the payload.
   */
  public FrameBuilder fragment(int offsetUnits, boolean more) {
    this.fragmentOffset = offsetUnits & 0x1fff;
    this.moreFragments = more;
    return this;
  }

  public FrameBuilder payload(byte[] data) {
    this.payload = data.clone();
    return this;
  }

  public FrameBuilder ttl(int value) {
    this.ttl = value & 0xff;
    return this;
  }

  public FrameBuilder identification(int value) {
    this.identification = value & 0xffff;
    return this;
  }

  public FrameBuilder tcpFlags(int flags) {
    this.tcpFlags = flags & 0xff;
    return this;
  }

  /**
   * The TCP data offset field, in 4-byte words (default 5, a bare header); the header is still
   * written as 20 bytes, so other values describe options that are not there.
   */
  public FrameBuilder tcpDataOffset(int words) {
    this.tcpDataOffset = words & 0xf;
    return this;
  }

  /** The second ICMP word (echo: identifier << 16 | sequence). */
  public FrameBuilder icmpRest(int word) {
    this.icmpRest = word;
    return this;
  }

  /** Pads the frame to the 60-byte Ethernet minimum (without FCS), as a NIC would. */
  public FrameBuilder padToMinimum() {
    this.pad = true;
    return this;
  }

  public byte[] build() {
    byte[] l4 = fragmentOffset > 0 ? payload : transport();
    int headerLength = 20 + ipOptions.length;
    byte[] ip = new byte[headerLength + l4.length];
    ip[0] = (byte) (0x40 | (headerLength / 4));
    ip[1] = (byte) (headers.dscp() << 2);
    put16(ip, 2, ip.length);
    put16(ip, 4, identification);
    put16(ip, 6, (moreFragments ? 0x2000 : 0) | fragmentOffset);
    ip[8] = (byte) ttl;
    ip[9] = (byte) headers.ipProto();
    put32(ip, 12, headers.nwSrc().bits());
    put32(ip, 16, headers.nwDst().bits());
    System.arraycopy(ipOptions, 0, ip, 20, ipOptions.length);
    put16(ip, 10, checksum(ip, 0, headerLength, 0));
    System.arraycopy(l4, 0, ip, headerLength, l4.length);
    return ethernet(headers.ethSrc(), headers.ethDst(), vlan, FrameParser.ETH_TYPE_IPV4, ip, pad);
  }

  private byte[] transport() {
    return switch (headers.ipProto()) {
      case Protocol.IPPROTO_TCP -> {
        byte[] t = new byte[20 + payload.length];
        put16(t, 0, headers.tpSrc());
        put16(t, 2, headers.tpDst());
        put32(t, 4, 1000);
        put32(t, 8, (tcpFlags & TCP_ACK) != 0 ? 2000 : 0);
        t[12] = (byte) (tcpDataOffset << 4);
        t[13] = (byte) tcpFlags;
        put16(t, 14, 65535);
        System.arraycopy(payload, 0, t, 20, payload.length);
        put16(t, 16, checksum(t, 0, t.length, pseudoHeaderSum(t.length)));
        yield t;
      }
      case Protocol.IPPROTO_UDP -> {
        byte[] u = new byte[8 + payload.length];
        put16(u, 0, headers.tpSrc());
        put16(u, 2, headers.tpDst());
        put16(u, 4, u.length);
        System.arraycopy(payload, 0, u, 8, payload.length);
        int sum = checksum(u, 0, u.length, pseudoHeaderSum(u.length));
        put16(u, 6, sum == 0 ? 0xffff : sum);
        yield u;
      }
      case Protocol.IPPROTO_ICMP -> {
        byte[] i = new byte[8 + payload.length];
        i[0] = (byte) headers.tpSrc();
        i[1] = (byte) headers.tpDst();
        put32(i, 4, icmpRest);
        System.arraycopy(payload, 0, i, 8, payload.length);
        put16(i, 2, checksum(i, 0, i.length, 0));
        yield i;
      }
      default -> payload.clone();
    };
  }

  private int pseudoHeaderSum(int l4Length) {
    int src = headers.nwSrc().bits();
    int dst = headers.nwDst().bits();
    return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + headers.ipProto() + l4Length;
  }

  /** An ARP packet in an Ethernet frame (broadcast destination for requests). */
  public static byte[] arp(int op, MacAddress ethSrc, MacAddress ethDst, MacAddress sha, Ipv4 spa, MacAddress tha,
      Ipv4 tpa) {
    byte[] a = new byte[28];
    put16(a, 0, 1);
    put16(a, 2, FrameParser.ETH_TYPE_IPV4);
    a[4] = 6;
    a[5] = 4;
    put16(a, 6, op);
    put48(a, 8, sha.bits());
    put32(a, 14, spa.bits());
    put48(a, 18, tha.bits());
    put32(a, 24, tpa.bits());
    return ethernet(ethSrc, ethDst, -1, FrameParser.ETH_TYPE_ARP, a, false);
  }

  /** "Who has {@code tpa}? Tell {@code spa}", broadcast. */
  public static byte[] arpRequest(MacAddress sha, Ipv4 spa, Ipv4 tpa) {
    return arp(ParsedFrame.ArpFrame.REQUEST, sha, MacAddress.BROADCAST, sha, spa, new MacAddress(0), tpa);
  }

  /** "{@code spa} is at {@code sha}", to the asker. */
  public static byte[] arpReply(MacAddress sha, Ipv4 spa, MacAddress tha, Ipv4 tpa) {
    return arp(ParsedFrame.ArpFrame.REPLY, sha, tha, sha, spa, tha, tpa);
  }

  /** An Ethernet II frame around {@code body}, with an optional 802.1Q tag ({@code vlan} >= 0). */
  public static byte[] ethernet(MacAddress src, MacAddress dst, int vlan, int ethType, byte[] body, boolean pad) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] head = new byte[vlan >= 0 ? 18 : 14];
    put48(head, 0, dst.bits());
    put48(head, 6, src.bits());
    if (vlan >= 0) {
      put16(head, 12, FrameParser.ETH_TYPE_VLAN);
      put16(head, 14, vlan);
      put16(head, 16, ethType);
    } else {
      put16(head, 12, ethType);
    }
    out.writeBytes(head);
    out.writeBytes(body);
    while (pad && out.size() < 60) {
      out.write(0);
    }
    return out.toByteArray();
  }

  /** The Internet checksum (RFC 1071) of {@code len} bytes, starting from a partial sum. */
  public static int checksum(byte[] data, int off, int len, int initial) {
    long sum = initial & 0xffffffffL;
    for (int i = 0; i + 1 < len; i += 2) {
      sum += ((data[off + i] & 0xff) << 8) | (data[off + i + 1] & 0xff);
    }
    if ((len & 1) == 1) {
      sum += (data[off + len - 1] & 0xff) << 8;
    }
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    return (int) (~sum & 0xffff);
  }

  private static void put16(byte[] b, int o, int v) {
    b[o] = (byte) (v >>> 8);
    b[o + 1] = (byte) v;
  }

  private static void put32(byte[] b, int o, int v) {
    put16(b, o, v >>> 16);
    put16(b, o + 2, v);
  }

  private static void put48(byte[] b, int o, long v) {
    put16(b, o, (int) (v >>> 32));
    put32(b, o + 2, (int) v);
  }
}
