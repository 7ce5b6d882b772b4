package org.nicflow.compiler.flow;

/**
 * OpenFlow 1.3 match fields the pipeline uses, with their ovs-ofctl names and widths. Field order
 * is the canonical order of rendering and of flow identity.
 */
public enum MatchField {
  IN_PORT("in_port", 32),
  TUN_ID("tun_id", 64),
  METADATA("metadata", 64),
  ETH_SRC("dl_src", 48),
  ETH_DST("dl_dst", 48),
  ETH_TYPE("dl_type", 16),
  ARP_OP("arp_op", 16),
  ARP_SPA("arp_spa", 32),
  ARP_TPA("arp_tpa", 32),
  ARP_SHA("arp_sha", 48),
  ARP_THA("arp_tha", 48),
  IP_PROTO("nw_proto", 8),
  IPV4_SRC("nw_src", 32),
  IPV4_DST("nw_dst", 32),
  IP_DSCP("ip_dscp", 6),
  TCP_SRC("tcp_src", 16),
  TCP_DST("tcp_dst", 16),
  /** TCP header flags (FIN 0x001, SYN 0x002, RST 0x004, PSH 0x008, ACK 0x010, ...); OVS takes it from OpenFlow 1.3 on. */
  TCP_FLAGS("tcp_flags", 12),
  UDP_SRC("udp_src", 16),
  UDP_DST("udp_dst", 16),
  ICMPV4_TYPE("icmp_type", 8),
  ICMPV4_CODE("icmp_code", 8);

  private final String ovsName;
  private final int bits;

  MatchField(String ovsName, int bits) {
    this.ovsName = ovsName;
    this.bits = bits;
  }

  public String ovsName() {
    return ovsName;
  }

  public int bits() {
    return bits;
  }

  /** All-ones mask of this field's width. */
  public long fullMask() {
    return bits == 64 ? -1L : (1L << bits) - 1;
  }
}
