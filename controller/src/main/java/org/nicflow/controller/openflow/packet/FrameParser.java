package org.nicflow.controller.openflow.packet;

import io.netty.buffer.ByteBuf;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.packet.PacketHeaders;
import org.nicflow.controller.openflow.packet.ParsedFrame.ArpFrame;
import org.nicflow.controller.openflow.packet.ParsedFrame.Fragment;
import org.nicflow.controller.openflow.packet.ParsedFrame.Ipv4Frame;
import org.nicflow.controller.openflow.packet.ParsedFrame.Malformed;
import org.nicflow.controller.openflow.packet.ParsedFrame.Unsupported;

/**
 * Parses the frames of packet-ins: Ethernet II (up to two 802.1Q/802.1ad tags skipped), ARP over
 * Ethernet/IPv4, IPv4 with options, and the TCP/UDP ports or ICMP type/code. Never throws: any
 * input, however short or garbled, gives a {@link ParsedFrame}.
 *
 * <p>What counts as malformed: a header cut short, an IPv4 version other than 4, a header length
 * under 20 bytes, a total length shorter than the header or longer than the frame, a TCP header
 * under 20 bytes or whose data offset is under 5 words or reaches past the IPv4 packet (its total
 * length: Ethernet padding does not count), a UDP header under 8 or an ICMP header under 8 (in a packet that should carry
 * one). Bytes after the IPv4 total length are Ethernet padding and ignored. Checksums are not
 * verified (the switch does not either). Later fragments carry no transport header: their ports
 * are 0 and {@link Fragment#LATER} says so.
 */
public final class FrameParser {

  static final int ETH_HEADER = 14;
  static final int ETH_TYPE_IPV4 = 0x0800;
  static final int ETH_TYPE_ARP = 0x0806;
  static final int ETH_TYPE_VLAN = 0x8100;
  static final int ETH_TYPE_QINQ = 0x88a8;
  private static final int MAX_TAGS = 2;
  private static final int ARP_LENGTH = 28;

  /** Parses a frame held in an array; {@code null} is malformed. */
  public ParsedFrame parse(byte[] frame) {
    if (frame == null) {
      return new Malformed("no frame");
    }
    try {
      return ethernet(frame);
    } catch (RuntimeException e) {
      // Bounds are checked before every read, so this is a parser bug; report, never throw.
      return new Malformed("parser fault: " + e);
    }
  }

  /** Parses the readable bytes of a buffer without moving its reader index. */
  public ParsedFrame parse(ByteBuf frame) {
    if (frame == null) {
      return new Malformed("no frame");
    }
    byte[] bytes = new byte[frame.readableBytes()];
    frame.getBytes(frame.readerIndex(), bytes);
    return parse(bytes);
  }

  private ParsedFrame ethernet(byte[] f) {
    if (f.length < ETH_HEADER) {
      return new Malformed("frame of " + f.length + " bytes is shorter than an Ethernet header");
    }
    MacAddress dst = new MacAddress(u48(f, 0));
    MacAddress src = new MacAddress(u48(f, 6));
    int ethType = u16(f, 12);
    int offset = ETH_HEADER;
    for (int tags = 0; (ethType == ETH_TYPE_VLAN || ethType == ETH_TYPE_QINQ) && tags < MAX_TAGS; tags++) {
      if (f.length < offset + 4) {
        return new Malformed("VLAN tag cut short");
      }
      ethType = u16(f, offset + 2);
      offset += 4;
    }
    return switch (ethType) {
      case ETH_TYPE_IPV4 -> ipv4(f, offset, src, dst);
      case ETH_TYPE_ARP -> arp(f, offset);
      default -> new Unsupported(ethType);
    };
  }

  private static ParsedFrame arp(byte[] f, int o) {
    if (f.length < o + ARP_LENGTH) {
      return new Malformed("ARP packet cut short: " + (f.length - o) + " of " + ARP_LENGTH + " bytes");
    }
    int htype = u16(f, o);
    int ptype = u16(f, o + 2);
    if (htype != 1 || ptype != ETH_TYPE_IPV4 || u8(f, o + 4) != 6 || u8(f, o + 5) != 4) {
      return new Malformed(String.format("ARP for hardware type %d, protocol 0x%04x is not Ethernet/IPv4",
          htype, ptype));
    }
    return new ArpFrame(u16(f, o + 6), new MacAddress(u48(f, o + 8)), new Ipv4(s32(f, o + 14)),
        new MacAddress(u48(f, o + 18)), new Ipv4(s32(f, o + 24)));
  }

  private static ParsedFrame ipv4(byte[] f, int o, MacAddress ethSrc, MacAddress ethDst) {
    int available = f.length - o;
    if (available < 20) {
      return new Malformed("IPv4 header cut short: " + available + " bytes");
    }
    int version = u8(f, o) >>> 4;
    if (version != 4) {
      return new Malformed("IP version " + version + " in an IPv4 frame");
    }
    int headerLength = (u8(f, o) & 0xf) * 4;
    if (headerLength < 20) {
      return new Malformed("IPv4 header length " + headerLength + " is under 20");
    }
    if (headerLength > available) {
      return new Malformed("IPv4 options cut short");
    }
    int totalLength = u16(f, o + 2);
    if (totalLength < headerLength) {
      return new Malformed("IPv4 total length " + totalLength + " is shorter than its header");
    }
    if (totalLength > available) {
      return new Malformed("IPv4 total length " + totalLength + " exceeds the " + available + " bytes received");
    }
    int dscp = u8(f, o + 1) >>> 2;
    int flagsAndOffset = u16(f, o + 6);
    Fragment fragment = (flagsAndOffset & 0x1fff) != 0 ? Fragment.LATER
        : (flagsAndOffset & 0x2000) != 0 ? Fragment.FIRST : Fragment.NONE;
    int proto = u8(f, o + 9);
    Ipv4 src = new Ipv4(s32(f, o + 12));
    Ipv4 dst = new Ipv4(s32(f, o + 16));
    int l4 = o + headerLength;
    int l4Length = totalLength - headerLength;
    int tpSrc = 0;
    int tpDst = 0;
    int icmpId = 0;
    if (fragment != Fragment.LATER) {
      switch (proto) {
        case Protocol.IPPROTO_TCP -> {
          if (l4Length < 20) {
            return new Malformed("TCP header cut short: " + l4Length + " bytes");
          }
          int tcpHeaderLength = (u8(f, l4 + 12) >>> 4) * 4;
          if (tcpHeaderLength < 20) {
            return new Malformed("TCP data offset " + tcpHeaderLength + " bytes is under 20");
          }
          if (tcpHeaderLength > l4Length) {
            return new Malformed("TCP header of " + tcpHeaderLength + " bytes runs past the "
                + l4Length + " bytes of the IPv4 payload");
          }
          tpSrc = u16(f, l4);
          tpDst = u16(f, l4 + 2);
        }
        case Protocol.IPPROTO_UDP -> {
          if (l4Length < 8) {
            return new Malformed("UDP header cut short: " + l4Length + " bytes");
          }
          tpSrc = u16(f, l4);
          tpDst = u16(f, l4 + 2);
        }
        case Protocol.IPPROTO_ICMP -> {
          if (l4Length < 8) {
            return new Malformed("ICMP header cut short: " + l4Length + " bytes");
          }
          tpSrc = u8(f, l4);
          tpDst = u8(f, l4 + 1);
          if (tpSrc == PacketHeaders.ICMP_ECHO_REQUEST || tpSrc == PacketHeaders.ICMP_ECHO_REPLY) {
            icmpId = u16(f, l4 + EchoIdentifier.ID_OFFSET);
          }
        }
        default -> { }
      }
    }
    PacketHeaders headers = new PacketHeaders(ethSrc, ethDst, proto, src, dst, tpSrc, tpDst, dscp, icmpId);
    return new Ipv4Frame(headers, f.length, fragment);
  }

  private static int u8(byte[] f, int o) {
    return f[o] & 0xff;
  }

  private static int u16(byte[] f, int o) {
    return (u8(f, o) << 8) | u8(f, o + 1);
  }

  private static int s32(byte[] f, int o) {
    return (u16(f, o) << 16) | u16(f, o + 2);
  }

  private static long u48(byte[] f, int o) {
    return ((long) u16(f, o) << 32) | (s32(f, o + 2) & 0xffff_ffffL);
  }
}
