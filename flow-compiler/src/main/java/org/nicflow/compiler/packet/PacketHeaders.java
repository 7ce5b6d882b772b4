package org.nicflow.compiler.packet;

import java.util.Objects;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.model.Protocol;

/**
 * The headers of an IPv4 packet that policy looks at and may rewrite. For ICMP, {@code tpSrc} is
 * the ICMP type and {@code tpDst} the code (as OpenFlow and ovs-ofctl treat them); for other
 * protocols without ports both are 0. {@code icmpId} is the identifier of an ICMP echo request or
 * reply (0-65535), which OpenFlow can neither match nor rewrite; it is 0 for every other packet.
 */
public record PacketHeaders(
    MacAddress ethSrc, MacAddress ethDst, int ipProto, Ipv4 nwSrc, Ipv4 nwDst, int tpSrc, int tpDst, int dscp,
    int icmpId) {

  /** ICMP type of an echo request. */
  public static final int ICMP_ECHO_REQUEST = 8;
  /** ICMP type of an echo reply. */
  public static final int ICMP_ECHO_REPLY = 0;

  public PacketHeaders {
    Objects.requireNonNull(ethSrc, "ethSrc");
    Objects.requireNonNull(ethDst, "ethDst");
    Objects.requireNonNull(nwSrc, "nwSrc");
    Objects.requireNonNull(nwDst, "nwDst");
    if (ipProto < 0 || ipProto > 255) {
      throw new IllegalArgumentException("ip protocol " + ipProto + " is outside 0-255");
    }
    if (tpSrc < 0 || tpSrc > 65535 || tpDst < 0 || tpDst > 65535) {
      throw new IllegalArgumentException("transport port outside 0-65535");
    }
    if (dscp < 0 || dscp > 63) {
      throw new IllegalArgumentException("dscp " + dscp + " is outside 0-63");
    }
    if (icmpId < 0 || icmpId > 65535) {
      throw new IllegalArgumentException("ICMP identifier " + icmpId + " is outside 0-65535");
    }
    if (icmpId != 0 && !(ipProto == Protocol.IPPROTO_ICMP && (tpSrc == ICMP_ECHO_REQUEST || tpSrc == ICMP_ECHO_REPLY))) {
      throw new IllegalArgumentException("only an ICMP echo request or reply has an identifier");
    }
  }

  /** Headers of a packet without an echo identifier (identifier 0). */
  public PacketHeaders(
      MacAddress ethSrc, MacAddress ethDst, int ipProto, Ipv4 nwSrc, Ipv4 nwDst, int tpSrc, int tpDst, int dscp) {
    this(ethSrc, ethDst, ipProto, nwSrc, nwDst, tpSrc, tpDst, dscp, 0);
  }

  public static PacketHeaders tcp(MacAddress ethSrc, MacAddress ethDst, Ipv4 src, Ipv4 dst, int sport, int dport) {
    return new PacketHeaders(ethSrc, ethDst, Protocol.IPPROTO_TCP, src, dst, sport, dport, 0);
  }

  public boolean hasPorts() {
    return ipProto == Protocol.IPPROTO_TCP || ipProto == Protocol.IPPROTO_UDP;
  }

  public boolean isIcmp() {
    return ipProto == Protocol.IPPROTO_ICMP;
  }

  /** Whether this is an ICMP echo request or reply: a packet whose identifier names its session. */
  public boolean isIcmpEcho() {
    return ipProto == Protocol.IPPROTO_ICMP && (tpSrc == ICMP_ECHO_REQUEST || tpSrc == ICMP_ECHO_REPLY);
  }

  /** These headers with echo identifier {@code id} (an echo request or reply only, or id 0). */
  public PacketHeaders withIcmpId(int id) {
    return new PacketHeaders(ethSrc, ethDst, ipProto, nwSrc, nwDst, tpSrc, tpDst, dscp, id);
  }

  public PacketHeaders withEth(MacAddress src, MacAddress dst) {
    return new PacketHeaders(src, dst, ipProto, nwSrc, nwDst, tpSrc, tpDst, dscp, icmpId);
  }

  public PacketHeaders withSource(Ipv4 src, int port) {
    return new PacketHeaders(ethSrc, ethDst, ipProto, src, nwDst, port, tpDst, dscp, icmpId);
  }

  public PacketHeaders withDestination(Ipv4 dst, int port) {
    return new PacketHeaders(ethSrc, ethDst, ipProto, nwSrc, dst, tpSrc, port, dscp, icmpId);
  }

  public PacketHeaders withDscp(int newDscp) {
    return new PacketHeaders(ethSrc, ethDst, ipProto, nwSrc, nwDst, tpSrc, tpDst, newDscp, icmpId);
  }

  /** The ovs-ofctl protocol keyword: tcp, udp, icmp, or ip,nw_proto=N. */
  public String protoKeyword() {
    return switch (ipProto) {
      case Protocol.IPPROTO_TCP -> "tcp";
      case Protocol.IPPROTO_UDP -> "udp";
      case Protocol.IPPROTO_ICMP -> "icmp";
      default -> "ip,nw_proto=" + ipProto;
    };
  }
}
