package org.nicflow.controller.openflow.translate;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;
import java.util.function.ToLongFunction;
import org.nicflow.compiler.flow.MatchField;
import org.projectfloodlight.openflow.protocol.match.MatchFields;
import org.projectfloodlight.openflow.types.ArpOpcode;
import org.projectfloodlight.openflow.types.EthType;
import org.projectfloodlight.openflow.types.ICMPv4Code;
import org.projectfloodlight.openflow.types.ICMPv4Type;
import org.projectfloodlight.openflow.types.IPv4Address;
import org.projectfloodlight.openflow.types.IpDscp;
import org.projectfloodlight.openflow.types.IpProtocol;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFMetadata;
import org.projectfloodlight.openflow.types.OFValueType;
import org.projectfloodlight.openflow.types.TransportPort;
import org.projectfloodlight.openflow.types.U16;
import org.projectfloodlight.openflow.types.U64;

/**
 * How one nicflow value field is written as an openflowj value and read back. Values travel as the
 * unsigned bits of the field in a {@code long}; {@code maskable} says whether OpenFlow (and OVS)
 * accept an arbitrary mask on the field.
 */
record FieldCodec<F extends OFValueType<F>>(
    MatchField field,
    org.projectfloodlight.openflow.protocol.match.MatchField<F> ofField,
    LongFunction<F> encode,
    ToLongFunction<F> decode,
    boolean maskable) {

  private static final Map<MatchField, FieldCodec<?>> BY_FIELD = declare();
  private static final Map<MatchFields, FieldCodec<?>> BY_OF_FIELD = inverse(BY_FIELD);

  /** The codec of a value field; {@code in_port} has none (ports are names, see PortMap). */
  static FieldCodec<?> of(MatchField field) {
    FieldCodec<?> codec = BY_FIELD.get(field);
    if (codec == null) {
      throw new IllegalArgumentException(field + " is not a value field");
    }
    return codec;
  }

  /** The codec reading an openflowj field, empty for fields nicflow never uses. */
  static Optional<FieldCodec<?>> ofOpenFlow(MatchFields id) {
    return Optional.ofNullable(BY_OF_FIELD.get(id));
  }

  F value(long bits) {
    return encode.apply(bits);
  }

  long bits(F value) {
    return decode.applyAsLong(value) & field.fullMask();
  }

  /** openflowj's field constants, named apart from nicflow's {@link MatchField}. */
  private static final class OfField {
    static final org.projectfloodlight.openflow.protocol.match.MatchField<ArpOpcode> ARP_OP =
        org.projectfloodlight.openflow.protocol.match.MatchField.ARP_OP;
    static final org.projectfloodlight.openflow.protocol.match.MatchField<MacAddress> ARP_SHA =
        org.projectfloodlight.openflow.protocol.match.MatchField.ARP_SHA;
    static final org.projectfloodlight.openflow.protocol.match.MatchField<IPv4Address> ARP_SPA =
        org.projectfloodlight.openflow.protocol.match.MatchField.ARP_SPA;
    static final org.projectfloodlight.openflow.protocol.match.MatchField<MacAddress> ARP_THA =
        org.projectfloodlight.openflow.protocol.match.MatchField.ARP_THA;
    static final org.projectfloodlight.openflow.protocol.match.MatchField<IPv4Address> ARP_TPA =
        org.projectfloodlight.openflow.protocol.match.MatchField.ARP_TPA;
    static final org.projectfloodlight.openflow.protocol.match.MatchField<MacAddress> ETH_DST =
        org.projectfloodlight.openflow.protocol.match.MatchField.ETH_DST;
    static final org.projectfloodlight.openflow.protocol.match.MatchField<MacAddress> ETH_SRC =
        org.projectfloodlight.openflow.protocol.match.MatchField.ETH_SRC;
    static final org.projectfloodlight.openflow.protocol.match.MatchField<EthType> ETH_TYPE =
        org.projectfloodlight.openflow.protocol.match.MatchField.ETH_TYPE;
    static final org.projectfloodlight.openflow.protocol.match.MatchField<ICMPv4Code> ICMPV4_CODE =
        org.projectfloodlight.openflow.protocol.match.MatchField.ICMPV4_CODE;
    static final org.projectfloodlight.openflow.protocol.match.MatchField<ICMPv4Type> ICMPV4_TYPE =
        org.projectfloodlight.openflow.protocol.match.MatchField.ICMPV4_TYPE;
    static final org.projectfloodlight.openflow.protocol.match.MatchField<IPv4Address> IPV4_DST =
        org.projectfloodlight.openflow.protocol.match.MatchField.IPV4_DST;
    static final org.projectfloodlight.openflow.protocol.match.MatchField<IPv4Address> IPV4_SRC =
        org.projectfloodlight.openflow.protocol.match.MatchField.IPV4_SRC;
    static final org.projectfloodlight.openflow.protocol.match.MatchField<IpDscp> IP_DSCP =
        org.projectfloodlight.openflow.protocol.match.MatchField.IP_DSCP;
    static final org.projectfloodlight.openflow.protocol.match.MatchField<IpProtocol> IP_PROTO =
        org.projectfloodlight.openflow.protocol.match.MatchField.IP_PROTO;
    static final org.projectfloodlight.openflow.protocol.match.MatchField<OFMetadata> METADATA =
        org.projectfloodlight.openflow.protocol.match.MatchField.METADATA;
    static final org.projectfloodlight.openflow.protocol.match.MatchField<TransportPort> TCP_DST =
        org.projectfloodlight.openflow.protocol.match.MatchField.TCP_DST;
    static final org.projectfloodlight.openflow.protocol.match.MatchField<U16> TCP_FLAGS =
        org.projectfloodlight.openflow.protocol.match.MatchField.OVS_TCP_FLAGS;
    static final org.projectfloodlight.openflow.protocol.match.MatchField<TransportPort> TCP_SRC =
        org.projectfloodlight.openflow.protocol.match.MatchField.TCP_SRC;
    static final org.projectfloodlight.openflow.protocol.match.MatchField<U64> TUNNEL_ID =
        org.projectfloodlight.openflow.protocol.match.MatchField.TUNNEL_ID;
    static final org.projectfloodlight.openflow.protocol.match.MatchField<TransportPort> UDP_DST =
        org.projectfloodlight.openflow.protocol.match.MatchField.UDP_DST;
    static final org.projectfloodlight.openflow.protocol.match.MatchField<TransportPort> UDP_SRC =
        org.projectfloodlight.openflow.protocol.match.MatchField.UDP_SRC;

    private OfField() {}
  }

  private static Map<MatchField, FieldCodec<?>> declare() {
    Map<MatchField, FieldCodec<?>> m = new EnumMap<>(MatchField.class);
    put(m, MatchField.TUN_ID, OfField.TUNNEL_ID,
        U64::of, U64::getValue, true);
    put(m, MatchField.METADATA, OfField.METADATA,
        v -> OFMetadata.of(U64.of(v)), v -> v.getValue().getValue(), true);
    put(m, MatchField.ETH_SRC, OfField.ETH_SRC,
        MacAddress::of, MacAddress::getLong, true);
    put(m, MatchField.ETH_DST, OfField.ETH_DST,
        MacAddress::of, MacAddress::getLong, true);
    put(m, MatchField.ETH_TYPE, OfField.ETH_TYPE,
        v -> EthType.of((int) v), EthType::getValue, false);
    put(m, MatchField.ARP_OP, OfField.ARP_OP,
        v -> ArpOpcode.of((int) v), ArpOpcode::getOpcode, false);
    put(m, MatchField.ARP_SPA, OfField.ARP_SPA,
        v -> IPv4Address.of((int) v), IPv4Address::getInt, true);
    put(m, MatchField.ARP_TPA, OfField.ARP_TPA,
        v -> IPv4Address.of((int) v), IPv4Address::getInt, true);
    put(m, MatchField.ARP_SHA, OfField.ARP_SHA,
        MacAddress::of, MacAddress::getLong, true);
    put(m, MatchField.ARP_THA, OfField.ARP_THA,
        MacAddress::of, MacAddress::getLong, true);
    put(m, MatchField.IP_PROTO, OfField.IP_PROTO,
        v -> IpProtocol.of((short) v), IpProtocol::getIpProtocolNumber, false);
    put(m, MatchField.IPV4_SRC, OfField.IPV4_SRC,
        v -> IPv4Address.of((int) v), IPv4Address::getInt, true);
    put(m, MatchField.IPV4_DST, OfField.IPV4_DST,
        v -> IPv4Address.of((int) v), IPv4Address::getInt, true);
    put(m, MatchField.IP_DSCP, OfField.IP_DSCP,
        v -> IpDscp.of((byte) v), IpDscp::getDscpValue, false);
    put(m, MatchField.TCP_SRC, OfField.TCP_SRC,
        v -> TransportPort.of((int) v), TransportPort::getPort, true);
    put(m, MatchField.TCP_DST, OfField.TCP_DST,
        v -> TransportPort.of((int) v), TransportPort::getPort, true);
    put(m, MatchField.TCP_FLAGS, OfField.TCP_FLAGS,
        v -> U16.of((int) v), U16::getValue, true);
    put(m, MatchField.UDP_SRC, OfField.UDP_SRC,
        v -> TransportPort.of((int) v), TransportPort::getPort, true);
    put(m, MatchField.UDP_DST, OfField.UDP_DST,
        v -> TransportPort.of((int) v), TransportPort::getPort, true);
    put(m, MatchField.ICMPV4_TYPE, OfField.ICMPV4_TYPE,
        v -> ICMPv4Type.of((short) v), ICMPv4Type::getType, false);
    put(m, MatchField.ICMPV4_CODE, OfField.ICMPV4_CODE,
        v -> ICMPv4Code.of((short) v), ICMPv4Code::getCode, false);
    for (MatchField f : MatchField.values()) {
      if (f != MatchField.IN_PORT && !m.containsKey(f)) {
        throw new IllegalStateException("no OpenFlow codec for " + f);
      }
    }
    return java.util.Collections.unmodifiableMap(m);
  }

  private static <F extends OFValueType<F>> void put(Map<MatchField, FieldCodec<?>> m, MatchField field,
      org.projectfloodlight.openflow.protocol.match.MatchField<F> ofField, LongFunction<F> encode,
      ToLongFunction<F> decode, boolean maskable) {
    m.put(field, new FieldCodec<>(field, ofField, encode, decode, maskable));
  }

  private static Map<MatchFields, FieldCodec<?>> inverse(Map<MatchField, FieldCodec<?>> byField) {
    Map<MatchFields, FieldCodec<?>> m = new HashMap<>();
    byField.values().forEach(c -> m.put(c.ofField().id, c));
    return Map.copyOf(m);
  }
}
