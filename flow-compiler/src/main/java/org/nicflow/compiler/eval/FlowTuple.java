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
 * protocols without ports have ports 0.
 */
public record FlowTuple(int scope, int proto, Ipv4 src, int srcPort, Ipv4 dst, int dstPort) {

  public static final int PUBLIC = 0;

  static final int ICMP_ECHO_REQUEST = 8;
  static final int ICMP_ECHO_REPLY = 0;
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
    return new FlowTuple(scope, packet.ipProto(), packet.nwSrc(), sport, packet.nwDst(), dport);
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
  }

  public FlowTuple reversed() {
    return new FlowTuple(scope, proto, dst, dstPort, src, srcPort);
  }
}
