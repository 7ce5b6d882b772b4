package org.nicflow.compiler.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Direction;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.model.Vnet;
import org.nicflow.compiler.packet.PacketHeaders;

/**
 * A packet written in {@code ovs-ofctl} flow syntax for {@code nicflow trace} (docs/cli.md,
 * "trace"): a protocol keyword ({@code tcp}, {@code udp}, {@code icmp}, {@code ip}) and
 * {@code key=value} fields separated by commas: {@code nw_src}, {@code nw_dst}, {@code tp_src},
 * {@code tp_dst}, {@code icmp_type}, {@code icmp_code}, {@code icmp_id} (an echo request's or
 * reply's identifier, default 0), {@code ip_dscp}, {@code nw_proto} (with {@code ip}),
 * {@code dl_src}, {@code dl_dst}.
 *
 * <p>Defaults: for {@code out} the VM's address is the source ({@code nw_src}, {@code dl_src} = its
 * IP and MAC) and {@code dl_dst} is the gateway MAC. For {@code in} the VM's address is the
 * destination ({@code nw_dst}); {@code dl_src}/{@code dl_dst} are those of a frame sent by the VM of
 * the VNET at {@code nw_src} when there is one (its MAC to the gateway MAC), else of a frame from
 * the physical network (the host's next hop MAC, or the gateway MAC, to the VM's MAC). {@code tp_src}
 * defaults to 49152; {@code tp_dst} is required for tcp and udp. {@code icmp} defaults to echo
 * request (type 8, code 0); {@code ip} without {@code nw_proto} is protocol 0.
 *
 * <p>Where the packet enters ({@link #ingress}): for {@code out}, the VM's port. For {@code in}:
 * when {@code nw_src} is inside the VM's VNET prefix and a VM of that VNET has that address, the
 * packet is sent by that VM (its port, on its host), so its {@code out} layers run before this
 * VM's {@code in} layers; otherwise it arrives on the uplink of the VM's host (so it must be a VIP
 * or the reply of a SNAT connection to be admitted).
 */
public final class PacketSpec {

  private static final List<String> KEYS = List.of("nw_src", "nw_dst", "tp_src", "tp_dst", "icmp_type",
      "icmp_code", "icmp_id", "ip_dscp", "nw_proto", "dl_src", "dl_dst");
  static final int DEFAULT_SOURCE_PORT = 49152;

  private PacketSpec() {}

  /** Parses {@code spec} as a packet of {@code vm} travelling {@code direction}. */
  public static PacketHeaders parse(String spec, Config config, Vm vm, Direction direction) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(vm, "vm");
    Objects.requireNonNull(direction, "direction");
    if (direction == Direction.BOTH) {
      throw new IllegalArgumentException("direction must be in or out");
    }
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("empty packet: expected e.g. 'tcp,nw_dst=10.1.0.12,tp_dst=80'");
    }
    Integer proto = null;
    Map<String, String> fields = new LinkedHashMap<>();
    for (String raw : spec.split(",", -1)) {
      String part = raw.trim();
      if (part.isEmpty()) {
        throw new IllegalArgumentException("empty field in '" + spec + "'");
      }
      int eq = part.indexOf('=');
      if (eq < 0) {
        int p = switch (part.toLowerCase(Locale.ROOT)) {
          case "tcp" -> Protocol.IPPROTO_TCP;
          case "udp" -> Protocol.IPPROTO_UDP;
          case "icmp" -> Protocol.IPPROTO_ICMP;
          case "ip" -> -1;
          default -> throw new IllegalArgumentException(
              "unknown keyword '" + part + "' (expected tcp, udp, icmp or ip, or key=value)");
        };
        if (proto != null) {
          throw new IllegalArgumentException("more than one protocol keyword in '" + spec + "'");
        }
        proto = p;
        continue;
      }
      String key = part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
      String value = part.substring(eq + 1).trim();
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException("unknown field '" + key + "' (expected one of " + String.join(", ", KEYS)
            + ")");
      }
      if (value.isEmpty()) {
        throw new IllegalArgumentException(key + " has no value");
      }
      if (fields.putIfAbsent(key, value) != null) {
        throw new IllegalArgumentException(key + " given twice");
      }
    }
    if (proto == null) {
      throw new IllegalArgumentException("no protocol: start with tcp, udp, icmp or ip");
    }
    int ipProto = proto;
    if (ipProto == -1) {
      ipProto = fields.containsKey("nw_proto") ? number(fields, "nw_proto", 0, 255) : 0;
    } else if (fields.containsKey("nw_proto")) {
      throw new IllegalArgumentException("nw_proto goes with 'ip', not with a protocol keyword");
    }
    boolean ports = ipProto == Protocol.IPPROTO_TCP || ipProto == Protocol.IPPROTO_UDP;
    boolean icmp = ipProto == Protocol.IPPROTO_ICMP;
    if (!ports && (fields.containsKey("tp_src") || fields.containsKey("tp_dst"))) {
      throw new IllegalArgumentException("tp_src/tp_dst need tcp or udp");
    }
    if (!icmp && (fields.containsKey("icmp_type") || fields.containsKey("icmp_code")
        || fields.containsKey("icmp_id"))) {
      throw new IllegalArgumentException("icmp_type/icmp_code/icmp_id need icmp");
    }
    int tpSrc = 0;
    int tpDst = 0;
    if (ports) {
      if (!fields.containsKey("tp_dst")) {
        throw new IllegalArgumentException("tp_dst is required for tcp and udp");
      }
      tpSrc = fields.containsKey("tp_src") ? number(fields, "tp_src", 0, 65535) : DEFAULT_SOURCE_PORT;
      tpDst = number(fields, "tp_dst", 0, 65535);
    } else if (icmp) {
      tpSrc = fields.containsKey("icmp_type") ? number(fields, "icmp_type", 0, 255) : FlowTuple.ICMP_ECHO_REQUEST;
      tpDst = fields.containsKey("icmp_code") ? number(fields, "icmp_code", 0, 255) : 0;
      if (fields.containsKey("icmp_id") && tpSrc != FlowTuple.ICMP_ECHO_REQUEST && tpSrc != FlowTuple.ICMP_ECHO_REPLY) {
        throw new IllegalArgumentException("icmp_id needs an echo request or reply (icmp_type 8 or 0)");
      }
    }
    int icmpId = fields.containsKey("icmp_id") ? number(fields, "icmp_id", 0, 65535) : 0;
    int dscp = fields.containsKey("ip_dscp") ? number(fields, "ip_dscp", 0, 63) : 0;

    MacAddress gateway = config.controller().gatewayMac();
    Ipv4 src;
    Ipv4 dst;
    MacAddress dlSrc;
    MacAddress dlDst;
    if (direction == Direction.OUT) {
      src = fields.containsKey("nw_src") ? address(fields, "nw_src") : vm.ip();
      dst = required(fields, "nw_dst", "out");
      dlSrc = fields.containsKey("dl_src") ? mac(fields, "dl_src") : vm.mac();
      dlDst = fields.containsKey("dl_dst") ? mac(fields, "dl_dst") : gateway;
    } else {
      src = required(fields, "nw_src", "in");
      dst = fields.containsKey("nw_dst") ? address(fields, "nw_dst") : vm.ip();
      Optional<Vm> sender = vmOfVnetAt(config, vm, src);
      MacAddress fromNetwork = config.host(vm.host()).flatMap(h -> h.nextHopMac()).orElse(gateway);
      dlSrc = fields.containsKey("dl_src") ? mac(fields, "dl_src") : sender.map(Vm::mac).orElse(fromNetwork);
      dlDst = fields.containsKey("dl_dst") ? mac(fields, "dl_dst") : sender.isPresent() ? gateway : vm.mac();
    }
    return new PacketHeaders(dlSrc, dlDst, ipProto, src, dst, tpSrc, tpDst, dscp, icmpId);
  }

  /** Where a traced packet of {@code vm} enters (see the class comment). */
  public static Ingress ingress(Config config, Vm vm, Direction direction, PacketHeaders packet) {
    if (direction == Direction.OUT) {
      return new Ingress.VmPort(vm.host(), vm.name());
    }
    Optional<Vm> sender = vmOfVnetAt(config, vm, packet.nwSrc());
    if (sender.isPresent()) {
      return new Ingress.VmPort(sender.get().host(), sender.get().name());
    }
    return new Ingress.Uplink(vm.host());
  }

  private static Optional<Vm> vmOfVnetAt(Config config, Vm vm, Ipv4 address) {
    Optional<Vnet> vnet = config.vnet(vm.vnet());
    if (vnet.isEmpty() || !vnet.get().prefix().contains(address)) {
      return Optional.empty();
    }
    return config.vms().stream().filter(v -> v.vnet().equals(vm.vnet()) && v.ip().equals(address)).findFirst();
  }

  private static Ipv4 required(Map<String, String> fields, String key, String direction) {
    if (!fields.containsKey(key)) {
      throw new IllegalArgumentException(key + " is required for direction " + direction);
    }
    return address(fields, key);
  }

  private static Ipv4 address(Map<String, String> fields, String key) {
    try {
      return Ipv4.parse(fields.get(key));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
  }

  private static MacAddress mac(Map<String, String> fields, String key) {
    try {
      return MacAddress.parse(fields.get(key));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
  }

  private static int number(Map<String, String> fields, String key, int lo, int hi) {
    String text = fields.get(key);
    int value;
    try {
      value = text.startsWith("0x") || text.startsWith("0X") ? Integer.parseInt(text.substring(2), 16)
          : Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + ": not a number: '" + text + "'", e);
    }
    if (value < lo || value > hi) {
      throw new IllegalArgumentException(key + ": " + value + " is outside " + lo + "-" + hi);
    }
    return value;
  }
}
