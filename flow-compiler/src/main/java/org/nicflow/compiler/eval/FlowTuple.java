package org.nicflow.compiler.eval;

import java.util.Objects;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.packet.PacketHeaders;

/**
 * A connection's 5-tuple as seen in one address scope. {@code scope} is the VNI of the VNET whose
 * addresses these are, or {@link #PUBLIC} for addresses on the physical network; VNET address
 * spaces overlap, so the scope is part of the key. For ICMP, ports hold type and code, except
 * that echo request (type 8, code c) is {@code (8, 256 + c)} and echo reply (type 0, code c) is
 * {@code (256 + c, 8)}, so that the reversed tuple of a request is the tuple of its reply. Other
 * protocols without ports have ports 0. {@code queryId} is the identifier of an ICMP echo request
 * or reply (RFC 5508's query identifier; a request and its reply share it), so two echo sessions
 * between the same addresses are two connections; it is 0 for every other packet.
 */
public record FlowTuple(int scope, int proto, Ipv4 src, int srcPort, Ipv4 dst, int dstPort, int queryId) {

  public static final int PUBLIC = 0;

  static final int ICMP_ECHO_REQUEST = PacketHeaders.ICMP_ECHO_REQUEST;
  static final int ICMP_ECHO_REPLY = PacketHeaders.ICMP_ECHO_REPLY;
  private static final int ECHO_CODE_OFFSET = 256;

  /** The tuple of {@code packet} in address scope {@code scope}. */
  public static FlowTuple of(PacketHeaders packet, int scope) {
    int sport = 0;
    int dport = 0;
    if (packet.hasPorts()) {
      sport = packet.tpSrc();
      dport = packet.tpDst();
    } else if (packet.ipProto() == Protocol.IPPROTO_ICMP) {
      if (packet.tpSrc() == ICMP_ECHO_REQUEST) {
        sport = ICMP_ECHO_REQUEST;
        dport = ECHO_CODE_OFFSET + packet.tpDst();
      } else if (packet.tpSrc() == ICMP_ECHO_REPLY) {
        sport = ECHO_CODE_OFFSET + packet.tpDst();
        dport = ICMP_ECHO_REQUEST;
      } else {
        sport = packet.tpSrc();
        dport = packet.tpDst();
      }
    }
    return new FlowTuple(scope, packet.ipProto(), packet.nwSrc(), sport, packet.nwDst(), dport, packet.icmpId());
  }

  /** A tuple without a query identifier (anything but an ICMP echo, or identifier 0). */
  public FlowTuple(int scope, int proto, Ipv4 src, int srcPort, Ipv4 dst, int dstPort) {
    this(scope, proto, src, srcPort, dst, dstPort, 0);
  }

  /** Whether this is the tuple of an ICMP echo request or reply. */
  public boolean isIcmpEcho() {
    return proto == Protocol.IPPROTO_ICMP
        && ((srcPort == ICMP_ECHO_REQUEST && dstPort >= ECHO_CODE_OFFSET)
            || (dstPort == ICMP_ECHO_REQUEST && srcPort >= ECHO_CODE_OFFSET));
  }

  /** This tuple with query identifier {@code id}. */
  public FlowTuple withQueryId(int id) {
    return id == queryId ? this : new FlowTuple(scope, proto, src, srcPort, dst, dstPort, id);
  }

  /** This tuple with source port {@code port}. */
  public FlowTuple withSrcPort(int port) {
    return port == srcPort ? this : new FlowTuple(scope, proto, src, port, dst, dstPort, queryId);
  }

  /**
   * The pair this tuple belongs to: the tuple without its query identifier. What an exact OpenFlow
   * match can tell apart, since OpenFlow has no field for the identifier.
   */
  public FlowTuple pair() {
    return withQueryId(0);
  }

  /**
   * The ICMP type and code ({@code [type, code]}) of a packet with this tuple, for an ICMP tuple;
   * for TCP/UDP the ports.
   */
  public int[] transportFields() {
    if (proto == Protocol.IPPROTO_ICMP) {
      if (srcPort == ICMP_ECHO_REQUEST && dstPort >= ECHO_CODE_OFFSET) {
        return new int[] {ICMP_ECHO_REQUEST, dstPort - ECHO_CODE_OFFSET};
      }
      if (dstPort == ICMP_ECHO_REQUEST && srcPort >= ECHO_CODE_OFFSET) {
        return new int[] {ICMP_ECHO_REPLY, srcPort - ECHO_CODE_OFFSET};
      }
    }
    return new int[] {srcPort, dstPort};
  }

  public FlowTuple {
    Objects.requireNonNull(src, "src");
    Objects.requireNonNull(dst, "dst");
    if (queryId < 0 || queryId > 65535) {
      throw new IllegalArgumentException("query identifier " + queryId + " is outside 0-65535");
    }
  }

  /** The tuple of the reply: addresses and ports swapped, the same query identifier. */
  public FlowTuple reversed() {
    return new FlowTuple(scope, proto, dst, dstPort, src, srcPort, queryId);
  }
}
