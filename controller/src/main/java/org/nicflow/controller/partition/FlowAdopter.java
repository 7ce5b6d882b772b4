package org.nicflow.controller.partition;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.nicflow.compiler.eval.Connection;
import org.nicflow.compiler.eval.ConnectionTable;
import org.nicflow.compiler.flow.Cookie;
import org.nicflow.compiler.flow.FieldMatch;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.FlowEntry.FlowKey;
import org.nicflow.compiler.flow.FlowKind;
import org.nicflow.compiler.flow.FlowMatch;
import org.nicflow.compiler.flow.MatchField;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Host;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.packet.PacketHeaders;

/**
 * Takes back the connection flows a switch still holds when the controller (re)connects to it — after
 * a controller restart, or a switch that reconnects — so that live connections keep flowing and the
 * connection table (SNAT mappings and load-balancer choices included) is what it was. Each unified
 * flow's exact match says which packet made it; that packet is decided again under the policy in
 * force, with the connections taken back so far: when the decision gives this very flow (same key,
 * same actions), the flow is adopted with its siblings and the connections the decision creates;
 * otherwise it is deleted (its connection's next packet misses and is decided afresh). Forward
 * flows are taken first, so a reply flow is judged with its connection known. Pure: returns what
 * to adopt, rewrite and delete.
 */
public final class FlowAdopter {

  /** One miss taken back: its flows as the policy makes them, and the connections they carry. */
  public record Adopted(FlowRedecider.Installed origin, List<Connection> connections) {
    public Adopted {
      Objects.requireNonNull(origin, "origin");
      connections = List.copyOf(connections);
    }
  }

  /**
   * @param rewrite adopted flows whose cookie or timeouts differ from the switch's: an ADD of the
   *     same match puts them right in place
   * @param delete connection flows no decision stands behind any more
   */
  public record Result(List<Adopted> adopted, List<FlowEntry> rewrite, List<FlowEntry> delete) {
    public Result {
      adopted = List.copyOf(adopted);
      rewrite = List.copyOf(rewrite);
      delete = List.copyOf(delete);
    }
  }

  private final Config config;
  private final MissHandler missHandler;

  public FlowAdopter(Config config, MissHandler missHandler) {
    this.config = Objects.requireNonNull(config, "config");
    this.missHandler = Objects.requireNonNull(missHandler, "missHandler");
  }

  /**
   * What to make of {@code held}, the flows the switch of {@code host} reports, given the
   * connections live now ({@code live}, not changed here).
   */
  public Result adopt(String host, List<FlowEntry> held, ConnectionTable live) {
    ConnectionTable scratch = ConnectionTable.of(live.all());
    Map<FlowKey, FlowEntry> byKey = new HashMap<>();
    List<FlowEntry> candidates = new ArrayList<>();
    for (FlowEntry f : held) {
      if (isConnectionFlow(f)) {
        byKey.put(f.key(), f);
        candidates.add(f);
      }
    }
    candidates.sort(Comparator.comparingInt(FlowAdopter::order));
    Set<FlowKey> settled = new HashSet<>();
    List<Adopted> adopted = new ArrayList<>();
    List<FlowEntry> rewrite = new ArrayList<>();
    List<FlowEntry> delete = new ArrayList<>();
    for (FlowEntry f : candidates) {
      if (settled.contains(f.key())) {
        continue;
      }
      Optional<Packet> packet = packetOf(host, f);
      Miss miss = packet.isEmpty() ? null : missHandler.handle(host, Optional.of(packet.get().inPort()),
          packet.get().tunnelId(), packet.get().headers(), scratch);
      List<FlowEntry> mine = new ArrayList<>();
      boolean standsBehind = false;
      if (miss instanceof Miss.Offload offload) {
        for (FlowEntry g : offload.flows()) {
          FlowEntry there = byKey.get(g.key());
          if (there != null && !settled.contains(g.key()) && sameActions(there, g)) {
            mine.add(g);
            standsBehind |= g.key().equals(f.key());
          }
        }
      }
      if (!standsBehind) {
        settled.add(f.key());
        delete.add(f);
        continue;
      }
      Miss.Offload offload = (Miss.Offload) miss;
      offload.decision().newConnections().forEach(scratch::add);
      for (FlowEntry g : mine) {
        settled.add(g.key());
        if (!g.equals(byKey.get(g.key()))) {
          rewrite.add(g);
        }
      }
      adopted.add(new Adopted(new FlowRedecider.Installed(host, packet.get().inPort(), packet.get().tunnelId(),
          packet.get().headers(), offload.flows(), mine, new FlowRedecider(missHandler).whole(host, offload)),
          offload.decision().newConnections()));
    }
    return new Result(adopted, rewrite, delete);
  }

  private static boolean isConnectionFlow(FlowEntry f) {
    return f.table().equals(Pipeline.UNIFIED) && Cookie.kindOf(f.cookie()).map(FlowKind::isConnection).orElse(false);
  }

  /** Forward flows first (they make connections), then denied, then reverse flows. */
  private static int order(FlowEntry f) {
    return switch (Cookie.decode(f.cookie()).kind()) {
      case UNIFIED -> 0;
      case DENIED -> 1;
      default -> 2;
    };
  }

  private static boolean sameActions(FlowEntry a, FlowEntry b) {
    return a.actions().equals(b.actions()) && a.meterId().equals(b.meterId()) && a.gotoTable().equals(b.gotoTable())
        && a.writeMetadata().equals(b.writeMetadata());
  }

  /** The packet an exact unified match stands for, as it arrived. */
  private record Packet(String inPort, OptionalLong tunnelId, PacketHeaders headers) {}

  private Optional<Packet> packetOf(String host, FlowEntry f) {
    FlowMatch m = f.match();
    Optional<String> inPort = m.get(MatchField.IN_PORT).map(FieldMatch::portName);
    Optional<Long> proto = exact(m, MatchField.IP_PROTO);
    Optional<Long> src = exact(m, MatchField.IPV4_SRC);
    Optional<Long> dst = exact(m, MatchField.IPV4_DST);
    if (inPort.isEmpty() || proto.isEmpty() || src.isEmpty() || dst.isEmpty()) {
      return Optional.empty();
    }
    int p = (int) (long) proto.get();
    int tpSrc;
    int tpDst;
    if (p == Protocol.IPPROTO_TCP) {
      tpSrc = exact(m, MatchField.TCP_SRC).orElse(-1L).intValue();
      tpDst = exact(m, MatchField.TCP_DST).orElse(-1L).intValue();
    } else if (p == Protocol.IPPROTO_UDP) {
      tpSrc = exact(m, MatchField.UDP_SRC).orElse(-1L).intValue();
      tpDst = exact(m, MatchField.UDP_DST).orElse(-1L).intValue();
    } else if (p == Protocol.IPPROTO_ICMP) {
      tpSrc = exact(m, MatchField.ICMPV4_TYPE).orElse(-1L).intValue();
      tpDst = exact(m, MatchField.ICMPV4_CODE).orElse(-1L).intValue();
    } else {
      tpSrc = 0;
      tpDst = 0;
    }
    if (tpSrc < 0 || tpDst < 0) {
      return Optional.empty();
    }
    // The unified match carries no MACs: the classify table already checked the sender's, and
    // every VM addresses the gateway.
    MacAddress gateway = config.controller().gatewayMac();
    MacAddress sender = config.vmsOnHost(host).stream().filter(vm -> vm.port().equals(inPort.get()))
        .map(Vm::mac).findFirst().orElse(gateway);
    OptionalLong tunnelId = exact(m, MatchField.TUN_ID).map(OptionalLong::of).orElse(OptionalLong.empty());
    if (inPort.get().startsWith("tun-") && tunnelId.isEmpty()) {
      return Optional.empty();
    }
    if (config.host(host).isEmpty() || (!inPort.get().startsWith("tun-")
        && !inPort.get().equals(config.host(host).map(Host::uplink).orElse(""))
        && config.vmsOnHost(host).stream().noneMatch(vm -> vm.port().equals(inPort.get())))) {
      return Optional.empty();
    }
    return Optional.of(new Packet(inPort.get(), tunnelId, new PacketHeaders(sender, gateway, p,
        new Ipv4((int) (long) src.get()), new Ipv4((int) (long) dst.get()), tpSrc, tpDst, 0)));
  }

  private static Optional<Long> exact(FlowMatch m, MatchField field) {
    return m.get(field).filter(fm -> fm.mask() == field.fullMask()).map(FieldMatch::value);
  }
}
