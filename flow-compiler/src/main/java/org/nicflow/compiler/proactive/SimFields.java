package org.nicflow.compiler.proactive;

import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalLong;
import org.nicflow.compiler.flow.MatchField;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.packet.PacketHeaders;

/** The header fields a packet has, as OpenFlow sees them (fields a packet lacks are absent). */
final class SimFields {

  static final long ETH_TYPE_IPV4 = 0x0800;
  static final long ETH_TYPE_ARP = 0x0806;

  private SimFields() {}

  static Map<MatchField, Long> of(PacketHeaders p, OptionalLong tunId) {
    Map<MatchField, Long> f = common(tunId);
    f.put(MatchField.ETH_SRC, p.ethSrc().bits());
    f.put(MatchField.ETH_DST, p.ethDst().bits());
    f.put(MatchField.ETH_TYPE, ETH_TYPE_IPV4);
    f.put(MatchField.IP_PROTO, (long) p.ipProto());
    f.put(MatchField.IPV4_SRC, p.nwSrc().unsigned());
    f.put(MatchField.IPV4_DST, p.nwDst().unsigned());
    f.put(MatchField.IP_DSCP, (long) p.dscp());
    switch (p.ipProto()) {
      case Protocol.IPPROTO_TCP -> {
        f.put(MatchField.TCP_SRC, (long) p.tpSrc());
        f.put(MatchField.TCP_DST, (long) p.tpDst());
      }
      case Protocol.IPPROTO_UDP -> {
        f.put(MatchField.UDP_SRC, (long) p.tpSrc());
        f.put(MatchField.UDP_DST, (long) p.tpDst());
      }
      case Protocol.IPPROTO_ICMP -> {
        f.put(MatchField.ICMPV4_TYPE, (long) p.tpSrc());
        f.put(MatchField.ICMPV4_CODE, (long) p.tpDst());
      }
      default -> { }
    }
    return f;
  }

  static Map<MatchField, Long> of(ArpPacket a) {
    Map<MatchField, Long> f = common(OptionalLong.empty());
    f.put(MatchField.ETH_SRC, a.ethSrc().bits());
    f.put(MatchField.ETH_DST, a.ethDst().bits());
    f.put(MatchField.ETH_TYPE, ETH_TYPE_ARP);
    f.put(MatchField.ARP_OP, (long) a.op());
    f.put(MatchField.ARP_SHA, a.sha().bits());
    f.put(MatchField.ARP_SPA, a.spa().unsigned());
    f.put(MatchField.ARP_THA, a.tha().bits());
    f.put(MatchField.ARP_TPA, a.tpa().unsigned());
    return f;
  }

  private static Map<MatchField, Long> common(OptionalLong tunId) {
    Map<MatchField, Long> f = new EnumMap<>(MatchField.class);
    f.put(MatchField.TUN_ID, tunId.orElse(0));
    f.put(MatchField.METADATA, 0L);
    return f;
  }
}
