package org.nicflow.compiler.proactive;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import org.nicflow.compiler.flow.MatchField;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.packet.PacketHeaders;

/**
 * A packet a simulated pipeline sent somewhere, with every header field as it was at that output.
 *
 * @param port the port's name; for {@link Kind#IN_PORT} the port the packet came in on, for
 *     {@link Kind#CONTROLLER} {@value #CONTROLLER_PORT}
 */
public record SimOutput(Kind kind, String port, Map<MatchField, Long> fields) {

  public static final String CONTROLLER_PORT = "CONTROLLER";

  /** How the output was addressed. */
  public enum Kind {
    /** output:NAME */
    PORT,
    /** output:in_port */
    IN_PORT,
    /** output:controller */
    CONTROLLER
  }

  public SimOutput {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(port, "port");
    fields = Collections.unmodifiableMap(new EnumMap<>(fields));
  }

  public long field(MatchField field) {
    Long v = fields.get(field);
    if (v == null) {
      throw new IllegalStateException("output packet has no " + field.ovsName());
    }
    return v;
  }

  /** The tunnel key set on the packet; empty when it is 0 (no tunnel). */
  public OptionalLong tunId() {
    long v = fields.getOrDefault(MatchField.TUN_ID, 0L);
    return v == 0 ? OptionalLong.empty() : OptionalLong.of(v);
  }

  public boolean isArp() {
    return fields.getOrDefault(MatchField.ETH_TYPE, 0L) == SimFields.ETH_TYPE_ARP;
  }

  /** The IPv4 headers at output. */
  public PacketHeaders packet() {
    if (fields.getOrDefault(MatchField.ETH_TYPE, 0L) != SimFields.ETH_TYPE_IPV4) {
      throw new IllegalStateException("output packet is not IPv4");
    }
    int proto = (int) field(MatchField.IP_PROTO);
    int tpSrc = 0;
    int tpDst = 0;
    if (proto == Protocol.IPPROTO_TCP) {
      tpSrc = (int) field(MatchField.TCP_SRC);
      tpDst = (int) field(MatchField.TCP_DST);
    } else if (proto == Protocol.IPPROTO_UDP) {
      tpSrc = (int) field(MatchField.UDP_SRC);
      tpDst = (int) field(MatchField.UDP_DST);
    } else if (proto == Protocol.IPPROTO_ICMP) {
      tpSrc = (int) field(MatchField.ICMPV4_TYPE);
      tpDst = (int) field(MatchField.ICMPV4_CODE);
    }
    return new PacketHeaders(new MacAddress(field(MatchField.ETH_SRC)), new MacAddress(field(MatchField.ETH_DST)),
        proto, new Ipv4((int) field(MatchField.IPV4_SRC)), new Ipv4((int) field(MatchField.IPV4_DST)), tpSrc, tpDst,
        (int) field(MatchField.IP_DSCP));
  }

  /** The ARP frame at output. */
  public ArpPacket arp() {
    if (!isArp()) {
      throw new IllegalStateException("output packet is not ARP");
    }
    return new ArpPacket(new MacAddress(field(MatchField.ETH_SRC)), new MacAddress(field(MatchField.ETH_DST)),
        (int) field(MatchField.ARP_OP), new MacAddress(field(MatchField.ARP_SHA)),
        new Ipv4((int) field(MatchField.ARP_SPA)), new MacAddress(field(MatchField.ARP_THA)),
        new Ipv4((int) field(MatchField.ARP_TPA)));
  }
}
