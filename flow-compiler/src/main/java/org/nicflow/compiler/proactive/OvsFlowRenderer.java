package org.nicflow.compiler.proactive;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.nicflow.compiler.flow.FieldMatch;
import org.nicflow.compiler.flow.FlowAction;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.LearnSpec;
import org.nicflow.compiler.flow.MatchField;
import org.nicflow.compiler.flow.MeterSpec;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.model.Protocol;

/**
 * Writes flows in the syntax of {@code ovs-ofctl -O OpenFlow13 add-flows}: one line per flow,
 * tables by number, ports by name (ovs-ofctl resolves names against the bridge), the protocol as a
 * keyword ({@code ip}, {@code tcp}, {@code udp}, {@code icmp}, {@code arp}), masked ports in hex.
 */
public final class OvsFlowRenderer {

  private static final long ETH_TYPE_IPV4 = 0x0800;
  private static final long ETH_TYPE_ARP = 0x0806;
  private static final Pattern PLAIN_PORT = Pattern.compile("[A-Za-z0-9_.-]+");
  private static final Set<String> RESERVED_PORTS = Set.of("in_port", "table", "normal",
      "flood", "all", "controller", "local", "none", "any", "unset");

  /** TCP flag names by bit, as ovs-ofctl spells them. */
  private static final List<String> TCP_FLAG_NAMES =
      List.of("fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", "ns");

  private final boolean includeMeters;

  /**
   * @param includeMeters render meter instructions ({@code meter:N}); a bridge without the meters
   *     rejects flows that name them
   */
  public OvsFlowRenderer(boolean includeMeters) {
    this.includeMeters = includeMeters;
  }

  /** All flows, one line each, each line ending in a newline. */
  public String renderAll(List<FlowEntry> flows) {
    StringBuilder sb = new StringBuilder();
    for (FlowEntry f : flows) {
      sb.append(render(f)).append('\n');
    }
    return sb.toString();
  }

  /**
   * A meter in {@code ovs-ofctl -O OpenFlow13 add-meter} syntax: one drop band at the VM's rate,
   * e.g. {@code meter=1,kbps,band=type=drop,rate=50000}, or for a miss budget
   * {@code meter=65537,pktps,burst,band=type=drop,rate=2000,burst_size=2000}.
   */
  public String renderMeter(MeterSpec meter) {
    return switch (meter.unit()) {
      case KBPS -> "meter=" + meter.meterId() + ",kbps,band=type=drop,rate=" + meter.rate();
      case PKTPS -> "meter=" + meter.meterId() + ",pktps,burst,band=type=drop,rate=" + meter.rate() + ",burst_size="
          + meter.burst();
    };
  }

  /** One flow as an add-flows line (no newline). */
  public String render(FlowEntry flow) {
    List<String> parts = new ArrayList<>();
    parts.add("table=" + Pipeline.number(flow.table()));
    parts.add("priority=" + flow.priority());
    parts.add("cookie=0x" + Long.toHexString(flow.cookie()));
    if (flow.idleTimeout() > 0) {
      parts.add("idle_timeout=" + flow.idleTimeout());
    }
    if (flow.hardTimeout() > 0) {
      parts.add("hard_timeout=" + flow.hardTimeout());
    }
    if (flow.sendFlowRemoved()) {
      parts.add("send_flow_rem");
    }
    parts.addAll(matchParts(flow.match().fields()));
    return String.join(",", parts) + ",actions=" + actions(flow);
  }

  /** The match alone, comma-separated in canonical field order (empty for match-all). */
  public String renderMatch(Map<MatchField, FieldMatch> fields) {
    return String.join(",", matchParts(fields));
  }

  private static List<String> matchParts(Map<MatchField, FieldMatch> fields) {
    List<String> parts = new ArrayList<>();
    FieldMatch ethType = fields.get(MatchField.ETH_TYPE);
    FieldMatch proto = fields.get(MatchField.IP_PROTO);
    boolean protoShown = false;
    if (ethType != null && ethType.isExact() && ethType.value() == ETH_TYPE_IPV4) {
      if (proto != null && proto.isExact() && keyword((int) proto.value()) != null) {
        parts.add(keyword((int) proto.value()));
        protoShown = true;
      } else {
        parts.add("ip");
      }
    } else if (ethType != null && ethType.isExact() && ethType.value() == ETH_TYPE_ARP) {
      parts.add("arp");
    } else if (ethType != null) {
      parts.add("dl_type=" + hexMasked(ethType));
    }
    for (FieldMatch m : fields.values()) {
      MatchField f = m.field();
      if (f == MatchField.ETH_TYPE || (f == MatchField.IP_PROTO && protoShown)) {
        continue;
      }
      parts.add(fieldName(f) + "=" + value(m));
    }
    return parts;
  }

  private static String keyword(int ipProto) {
    return switch (ipProto) {
      case Protocol.IPPROTO_TCP -> "tcp";
      case Protocol.IPPROTO_UDP -> "udp";
      case Protocol.IPPROTO_ICMP -> "icmp";
      default -> null;
    };
  }

  /** ovs-ofctl's names: transport ports are tp_src/tp_dst whatever the protocol keyword. */
  private static String fieldName(MatchField f) {
    return switch (f) {
      case TCP_SRC, UDP_SRC -> "tp_src";
      case TCP_DST, UDP_DST -> "tp_dst";
      default -> f.ovsName();
    };
  }

  private static String value(FieldMatch m) {
    return switch (m.field()) {
      case IN_PORT -> portName(m.portName());
      case ETH_SRC, ETH_DST, ARP_SHA, ARP_THA -> m.isExact()
          ? mac(m.value()) : mac(m.value()) + "/" + mac(m.mask());
      case IPV4_SRC, IPV4_DST, ARP_SPA, ARP_TPA -> ipv4(m);
      case ARP_OP, IP_PROTO, IP_DSCP, ICMPV4_TYPE, ICMPV4_CODE -> m.isExact()
          ? Long.toString(m.value()) : hexMasked(m);
      case TCP_SRC, TCP_DST, UDP_SRC, UDP_DST -> m.isExact() ? Long.toString(m.value()) : hexMasked(m);
      case TCP_FLAGS -> tcpFlags(m);
      default -> hexMasked(m);
    };
  }

  /**
   * A port name as ovs-ofctl reads it: bare when it is plain, in double quotes (with {@code \\}
   * and {@code "} escaped) when it has other characters, is all digits (a bare number is a port
   * number) or is a reserved port keyword.
   */
  static String portName(String name) {
    boolean plain = PLAIN_PORT.matcher(name).matches() && !name.chars().allMatch(Character::isDigit)
        && !RESERVED_PORTS.contains(name.toLowerCase(Locale.ROOT));
    if (plain) {
      return name;
    }
    return '"' + name.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  /** ovs-ofctl's flag form, {@code +syn-ack}: each masked bit set (+) or clear (-), low bit first. */
  private static String tcpFlags(FieldMatch m) {
    StringBuilder sb = new StringBuilder();
    for (int bit = 0; bit < TCP_FLAG_NAMES.size(); bit++) {
      if ((m.mask() & (1L << bit)) != 0) {
        sb.append((m.value() & (1L << bit)) != 0 ? '+' : '-').append(TCP_FLAG_NAMES.get(bit));
      }
    }
    return m.mask() >>> TCP_FLAG_NAMES.size() == 0 && sb.length() > 0 ? sb.toString() : hexMasked(m);
  }

  private static String hexMasked(FieldMatch m) {
    String v = "0x" + Long.toHexString(m.value());
    return m.isExact() ? v : v + "/0x" + Long.toHexString(m.mask());
  }

  private static String mac(long bits) {
    return new MacAddress(bits).toString();
  }

  private static String ipv4(FieldMatch m) {
    String addr = new Ipv4((int) m.value()).toString();
    if (m.isExact()) {
      return addr;
    }
    int mask = (int) m.mask();
    int len = Integer.bitCount(mask);
    boolean prefix = len == 0 || mask == (-1 << (32 - len));
    return prefix ? addr + "/" + len : addr + "/" + new Ipv4(mask);
  }

  private String actions(FlowEntry flow) {
    List<String> parts = new ArrayList<>();
    if (includeMeters) {
      flow.meterId().ifPresent(id -> parts.add("meter:" + id));
    }
    for (FlowAction a : flow.actions()) {
      parts.add(action(a));
    }
    flow.writeMetadata().ifPresent(w -> parts.add(
        String.format(Locale.ROOT, "write_metadata:0x%x/0x%x", w.value(), w.mask())));
    flow.gotoTable().ifPresent(t -> parts.add("goto_table:" + Pipeline.number(t)));
    return parts.isEmpty() ? "drop" : String.join(",", parts);
  }

  private static String action(FlowAction a) {
    if (a instanceof FlowAction.Output o) {
      return "output:" + portName(o.port());
    } else if (a instanceof FlowAction.OutputInPort) {
      return "in_port";
    } else if (a instanceof FlowAction.OutputController) {
      return "controller";
    } else if (a instanceof FlowAction.SetField s) {
      return "set_field:" + setValue(s.field(), s.value()) + "->" + s.field().ovsName();
    } else if (a instanceof FlowAction.Resubmit r) {
      return "resubmit(," + Pipeline.number(r.table()) + ")";
    } else if (a instanceof FlowAction.LoadMetadata m) {
      return String.format(Locale.ROOT, "set_field:0x%x/0x%x->metadata", m.value(), m.mask());
    } else if (a instanceof FlowAction.Learn l) {
      return learn(l);
    }
    throw new IllegalArgumentException("unknown action " + a);
  }

  /**
   * A learn action as ovs-ofctl reads it, fields by their NXM/OXM names, e.g. {@code
   * learn(table=51,idle_timeout=10,priority=100,cookie=0x..,NXM_OF_ETH_TYPE[]=0x800,...,
   * OXM_OF_METADATA[0..15]=OXM_OF_METADATA[16..31],load:0x1->OXM_OF_METADATA[33])}.
   */
  private static String learn(FlowAction.Learn l) {
    List<String> parts = new ArrayList<>();
    parts.add("table=" + Pipeline.number(l.table()));
    if (l.idleTimeout() > 0) {
      parts.add("idle_timeout=" + l.idleTimeout());
    }
    parts.add("priority=" + l.priority());
    parts.add("cookie=0x" + Long.toHexString(l.cookie()));
    for (LearnSpec spec : l.specs()) {
      if (spec instanceof LearnSpec.MatchValue v) {
        parts.add(nxmName(v.field()) + "[]=0x" + Long.toHexString(v.value()));
      } else if (spec instanceof LearnSpec.MatchCopy c) {
        parts.add(subfield(c.dst(), c.dstOffset(), c.bits()) + "=" + subfield(c.src(), c.srcOffset(), c.bits()));
      } else if (spec instanceof LearnSpec.LoadMetadata m) {
        parts.add("load:0x" + Long.toHexString(m.value()) + "->" + subfield(MatchField.METADATA, m.offset(), m.bits()));
      }
    }
    return "learn(" + String.join(",", parts) + ")";
  }

  private static String subfield(MatchField f, int offset, int bits) {
    if (offset == 0 && bits == f.bits()) {
      return nxmName(f) + "[]";
    }
    return bits == 1 ? nxmName(f) + "[" + offset + "]" : nxmName(f) + "[" + offset + ".." + (offset + bits - 1) + "]";
  }

  /** The NXM/OXM name ovs-ofctl uses for a field inside learn. */
  static String nxmName(MatchField f) {
    return switch (f) {
      case METADATA -> "OXM_OF_METADATA";
      case ETH_TYPE -> "NXM_OF_ETH_TYPE";
      case IP_PROTO -> "NXM_OF_IP_PROTO";
      case IPV4_SRC -> "NXM_OF_IP_SRC";
      case IPV4_DST -> "NXM_OF_IP_DST";
      case TCP_SRC -> "NXM_OF_TCP_SRC";
      case TCP_DST -> "NXM_OF_TCP_DST";
      case UDP_SRC -> "NXM_OF_UDP_SRC";
      case UDP_DST -> "NXM_OF_UDP_DST";
      case ICMPV4_TYPE -> "NXM_OF_ICMP_TYPE";
      case ICMPV4_CODE -> "NXM_OF_ICMP_CODE";
      case TUN_ID -> "NXM_NX_TUN_ID";
      case ETH_SRC -> "NXM_OF_ETH_SRC";
      case ETH_DST -> "NXM_OF_ETH_DST";
      case IP_DSCP -> "OXM_OF_IP_DSCP";
      default -> throw new IllegalArgumentException("no learn name for " + f);
    };
  }

  private static String setValue(MatchField f, long v) {
    return switch (f) {
      case ETH_SRC, ETH_DST, ARP_SHA, ARP_THA -> mac(v);
      case IPV4_SRC, IPV4_DST, ARP_SPA, ARP_TPA -> new Ipv4((int) v).toString();
      case TUN_ID -> "0x" + Long.toHexString(v);
      default -> Long.toString(v);
    };
  }
}
