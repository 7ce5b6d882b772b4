package org.nicflow.compiler.unified;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.nicflow.compiler.eval.Connection;
import org.nicflow.compiler.eval.ConnectionLookup;
import org.nicflow.compiler.eval.ConnectionTable;
import org.nicflow.compiler.eval.Decision;
import org.nicflow.compiler.eval.EchoPairs;
import org.nicflow.compiler.eval.FlowTuple;
import org.nicflow.compiler.eval.Ingress;
import org.nicflow.compiler.eval.LayerDecision;
import org.nicflow.compiler.eval.Output;
import org.nicflow.compiler.eval.ReferenceEvaluator;
import org.nicflow.compiler.flow.Cookie;
import org.nicflow.compiler.flow.FlowAction;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.FlowKind;
import org.nicflow.compiler.flow.FlowMatch;
import org.nicflow.compiler.flow.MatchField;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Host;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.model.RuleAction;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.model.Vnet;
import org.nicflow.compiler.packet.PacketHeaders;

/**
 * The reactive unified flows (docs/semantics.md, "Offload modes") for one evaluated packet, for the
 * bridge of the host it entered: exact-match flows in {@link Pipeline#UNIFIED} carrying the
 * composed rewrites of every layer and the output.
 *
 * <ul>
 *   <li>Allowed: one forward flow ({@link FlowKind#UNIFIED}), then, for each new connection whose
 *       reply enters this bridge (and, for a packet arriving by tunnel, each live connection made by
 *       the sender's host that the packet is a forward packet of), one reverse flow
 *       ({@link FlowKind#REVERSE}). The reverse flow is
 *       what the reference evaluator decides for that reply given the decision's connections: the
 *       reply is evaluated where it enters this bridge (the replying VM's port when it is local; the
 *       tunnel from its host when it is remote, after evaluating its own host's side; the uplink for
 *       a connection whose translated side is {@code public}). A reply the evaluator would drop, or
 *       one that never enters this bridge (it leaves the replier's host by its own uplink), gets no
 *       reverse flow; it misses and is evaluated like any packet.
 *   <li>Dropped: one {@link FlowKind#DENIED} flow without actions, idle timeout 5 s, hard 10 s.
 *   <li>ICMP echo the switch cannot carry ({@link Decision#controllerPath()}: a request of a SNAT
 *       session, a rewritten query identifier, or a pair shared by sessions that are not alike, see
 *       {@link EchoPairs}): the same flows, with output to the controller instead of the rewrites,
 *       so that the controller decides and rewrites each such packet itself.
 * </ul>
 *
 * <p>Every flow has priority 1000, sends flow-removed, and no meter (the classify table meters).
 * Cookies name the deciding rule: the last layer decision taken by a rule (not a default and not
 * connection state); when there is none, the last layer decision (a default) with no rule index;
 * when the decision has no layer step at all, the VM the packet entered from, with neither layer nor
 * rule. A reverse flow carries the same VM, layer and rule as its forward flow: the rule that made
 * the connection. Output is deterministic; flows with the same identity are emitted once.
 */
public final class UnifiedFlowBuilder {

  public static final int PRIORITY = 1000;
  public static final int DENIED_IDLE_TIMEOUT_S = 5;
  public static final int DENIED_HARD_TIMEOUT_S = 10;
  private static final int ETH_TYPE_IPV4 = 0x0800;

  private final Config config;
  private final ReferenceEvaluator evaluator;

  /** Builds the flows of {@code config}; cookies carry its stable numbers and generations. */
  public UnifiedFlowBuilder(Config config) {
    this(config, new ReferenceEvaluator(config));
  }

  /** As {@link #UnifiedFlowBuilder(Config)}, sharing {@code evaluator}, which must be {@code config}'s. */
  public UnifiedFlowBuilder(Config config, ReferenceEvaluator evaluator) {
    this.config = Objects.requireNonNull(config, "config");
    this.evaluator = Objects.requireNonNull(evaluator, "evaluator");
  }

  /**
   * The flows for {@code ingress.host()}'s bridge that {@code decision} (for {@code packet}) needs,
   * for a decision taken without live connections. Prefer
   * {@link #flowsFor(Ingress, PacketHeaders, Decision, ConnectionLookup)} with the connections the
   * decision was evaluated with.
   */
  public List<FlowEntry> flowsFor(Ingress ingress, PacketHeaders packet, Decision decision) {
    return flowsFor(ingress, packet, decision, ConnectionLookup.NONE);
  }

  /**
   * The flows for {@code ingress.host()}'s bridge that {@code decision} (for {@code packet}) needs.
   * Reverse flows are what the evaluator decides for each reply with {@code live} (the connections
   * the decision was evaluated with) and the decision's new connections: a reply may depend on a
   * connection made earlier elsewhere, e.g. the load-balancer connection of a packet that reached
   * its backend by tunnel.
   */
  public List<FlowEntry> flowsFor(Ingress ingress, PacketHeaders packet, Decision decision, ConnectionLookup live) {
    Objects.requireNonNull(live, "live");
    Objects.requireNonNull(ingress, "ingress");
    Objects.requireNonNull(packet, "packet");
    Objects.requireNonNull(decision, "decision");
    Cookie cookie = cookieOf(decision, ingress, decision.allowed() ? FlowKind.UNIFIED : FlowKind.DENIED);
    if (!decision.allowed()) {
      FlowEntry drop = FlowEntry.builder(Pipeline.UNIFIED, PRIORITY).match(match(ingress, packet))
          .cookie(cookie.encode()).idleTimeout(DENIED_IDLE_TIMEOUT_S).hardTimeout(DENIED_HARD_TIMEOUT_S)
          .sendFlowRemoved(true).build();
      return List.of(drop);
    }
    Map<FlowEntry.FlowKey, FlowEntry> flows = new LinkedHashMap<>();
    FlowEntry forward = flow(ingress, packet, decision, cookie);
    flows.put(forward.key(), forward);
    Cookie reverseCookie = cookie.withKind(FlowKind.REVERSE);
    ConnectionLookup state = live.with(decision.newConnections());
    for (Connection c : connectionsOf(ingress, packet, decision, live)) {
      reply(ingress.host(), c, decision, state).ifPresent(r -> {
        FlowEntry reverse = flow(r.ingress(), r.packet(), r.decision(), reverseCookie);
        flows.putIfAbsent(reverse.key(), reverse);
      });
    }
    return List.copyOf(flows.values());
  }

  /**
   * The actions the switch applies to a packet of {@code decision} that the controller sends on
   * itself: those of its exact flow, which for a {@link Decision#controllerPath()} decision sends
   * packets to the controller instead. The controller rewrites what the switch cannot (an echo's
   * query identifier) in the packet before it sends it with these.
   */
  public List<FlowAction> sendOnActions(Ingress ingress, PacketHeaders packet, Decision decision) {
    Output out = decision.output().orElseThrow(() -> new IllegalArgumentException("a dropped packet is not sent on"));
    return actions(packet, decision.packet(), out, hairpin(ingress, out), marksDscp(decision));
  }

  /**
   * The connections whose replies get reverse flows: the decision's new ones and, for a packet that
   * arrived by tunnel, the live connections it is a forward packet of (made by the sender's host;
   * their {@code translated} tuple is the arriving packet, in the VNET's or, for SNAT, the
   * {@code public} scope).
   */
  private static List<Connection> connectionsOf(Ingress ingress, PacketHeaders packet, Decision decision,
      ConnectionLookup live) {
    List<Connection> all = new ArrayList<>(decision.newConnections());
    if (ingress instanceof Ingress.Tunnel tunnel) {
      for (FlowTuple t : List.of(FlowTuple.of(packet, tunnel.vni()), FlowTuple.of(packet, FlowTuple.PUBLIC))) {
        for (Connection c : live.allByReplyKey(t.reversed())) {
          if (c.translated().equals(t) && !all.contains(c)) {
            all.add(c);
          }
        }
      }
    }
    return all;
  }

  /** A reply packet as it enters {@code host}'s bridge, and what the evaluator decides for it. */
  public record Reply(Ingress ingress, PacketHeaders packet, Decision decision) {}

  /**
   * The reply of {@code connection} as it enters {@code host}'s bridge and the evaluator's (allowing)
   * decision for it, given {@code connections}; empty when the reply does not enter this bridge or
   * would be dropped.
   */
  public Optional<Reply> reply(String host, Connection connection, Decision forward,
      ConnectionLookup connections) {
    FlowTuple key = connection.replyKey();
    Optional<int[]> fields = replyFields(key);
    if (fields.isEmpty()) {
      return Optional.empty();
    }
    MacAddress gateway = config.controller().gatewayMac();
    if (key.scope() == FlowTuple.PUBLIC) {
      boolean leftHere = forward.output().map(o -> o.kind() == Output.Kind.UPLINK && o.host().equals(host))
          .orElse(false);
      if (!leftHere) {
        return Optional.empty();
      }
      Host h = config.host(host).orElseThrow();
      PacketHeaders p = headers(h.nextHopMac().orElse(gateway), gateway, key, fields.get());
      return evaluated(new Ingress.Uplink(host), p, connections);
    }
    Optional<Vnet> vnet = config.vnetByVni(key.scope());
    Optional<Vm> replier = vnet.flatMap(n -> config.vms().stream()
        .filter(v -> v.vnet().equals(n.name()) && v.ip().equals(key.src())).findFirst());
    if (replier.isEmpty()) {
      return Optional.empty();
    }
    Vm vm = replier.get();
    PacketHeaders p = headers(vm.mac(), gateway, key, fields.get());
    Ingress.VmPort atReplier = new Ingress.VmPort(vm.host(), vm.name());
    if (vm.host().equals(host)) {
      return evaluated(atReplier, p, connections);
    }
    Decision there = evaluator.evaluate(atReplier, p, connections);
    boolean tunnelledHere = there.output().map(o -> o.kind() == Output.Kind.TUNNEL && o.host().equals(host))
        .orElse(false);
    if (!there.allowed() || !tunnelledHere) {
      return Optional.empty();
    }
    return evaluated(new Ingress.Tunnel(host, vm.host(), vnet.get().vni()), there.packet(), connections);
  }

  private Optional<Reply> evaluated(Ingress ingress, PacketHeaders packet,
      ConnectionLookup connections) {
    Decision d = evaluator.evaluate(ingress, packet, connections);
    return d.allowed() ? Optional.of(new Reply(ingress, packet, d)) : Optional.empty();
  }

  /** TCP/UDP ports or ICMP type and code of the reply; empty for ICMP other than echo. */
  private static Optional<int[]> replyFields(FlowTuple key) {
    if (key.proto() == Protocol.IPPROTO_ICMP) {
      // Only echo has a reply: the reply key of an echo request reads as an echo reply.
      int[] f = key.transportFields();
      boolean echoReply = f[0] == 0 && key.srcPort() != 0;
      return echoReply ? Optional.of(f) : Optional.empty();
    }
    if (key.proto() == Protocol.IPPROTO_TCP || key.proto() == Protocol.IPPROTO_UDP) {
      return Optional.of(new int[] {key.srcPort(), key.dstPort()});
    }
    return Optional.of(new int[] {0, 0});
  }

  private static PacketHeaders headers(MacAddress src, MacAddress dst, FlowTuple key, int[] fields) {
    PacketHeaders p = new PacketHeaders(src, dst, key.proto(), key.src(), key.dst(), fields[0], fields[1], 0);
    return p.isIcmpEcho() ? p.withIcmpId(key.queryId()) : p;
  }

  /**
   * The unified flow of {@code decision}: its composed rewrites and output, or, for a decision the
   * switch cannot carry ({@link Decision#controllerPath()}), output to the controller.
   */
  private FlowEntry flow(Ingress ingress, PacketHeaders in, Decision decision, Cookie cookie) {
    Output out = decision.output().orElseThrow();
    List<FlowAction> actions = decision.controllerPath() ? List.of(new FlowAction.OutputController())
        : actions(in, decision.packet(), out, hairpin(ingress, out), marksDscp(decision));
    return FlowEntry.builder(Pipeline.UNIFIED, PRIORITY).match(match(ingress, in))
        .actions(actions)
        .cookie(cookie.encode())
        .idleTimeout(config.controller().idleTimeoutS()).sendFlowRemoved(true).build();
  }

  /**
   * The reverse flows the new connections of {@code decision} need on the bridges of the other
   * hosts, by host. The reply of a connection to a VM on another host (or to a load-balancer
   * backend there) first enters that host's bridge at the VM's port; without a flow there,
   * proactive tables would run the owner's {@code in} layers without the connection's state (and
   * drop a reply they deny), and a reactive bridge would spend a round trip to the controller. Each
   * flow carries the {@link FlowKind#REVERSE} cookie of this decision's forward flow. Empty when the
   * packet was dropped or made no connection.
   */
  public Map<String, List<FlowEntry>> remoteReplyFlows(Ingress ingress, Decision decision) {
    if (!decision.allowed() || decision.newConnections().isEmpty()) {
      return Map.of();
    }
    Cookie reverseCookie = cookieOf(decision, ingress, FlowKind.REVERSE);
    ConnectionTable state = ConnectionTable.of(decision.newConnections());
    Map<String, Map<FlowEntry.FlowKey, FlowEntry>> byHost = new LinkedHashMap<>();
    for (Connection c : decision.newConnections()) {
      for (Host other : config.hosts()) {
        if (!other.name().equals(ingress.host())) {
          reply(other.name(), c, decision, state).ifPresent(r -> {
            FlowEntry reverse = flow(r.ingress(), r.packet(), r.decision(), reverseCookie);
            byHost.computeIfAbsent(other.name(), h -> new LinkedHashMap<>()).putIfAbsent(reverse.key(), reverse);
          });
        }
      }
    }
    Map<String, List<FlowEntry>> result = new LinkedHashMap<>();
    byHost.forEach((host, flows) -> result.put(host, List.copyOf(flows.values())));
    return Collections.unmodifiableMap(result);
  }

  /** The exact match of {@code packet} entering at {@code ingress}. */
  public FlowMatch match(Ingress ingress, PacketHeaders packet) {
    FlowMatch.Builder m = FlowMatch.builder();
    if (ingress instanceof Ingress.VmPort port) {
      Vm vm = config.vm(port.vm()).orElseThrow(() -> new IllegalArgumentException("no VM named " + port.vm()));
      m.inPort(vm.port());
    } else if (ingress instanceof Ingress.Tunnel tunnel) {
      m.inPort(Host.tunnelPortName(tunnel.fromHost()));
      m.exact(MatchField.TUN_ID, tunnel.vni());
    } else {
      Host host = config.host(ingress.host())
          .orElseThrow(() -> new IllegalArgumentException("no host named " + ingress.host()));
      m.inPort(host.uplink());
    }
    m.exact(MatchField.ETH_TYPE, ETH_TYPE_IPV4);
    m.exact(MatchField.IP_PROTO, packet.ipProto());
    m.exact(MatchField.IPV4_SRC, packet.nwSrc().unsigned());
    m.exact(MatchField.IPV4_DST, packet.nwDst().unsigned());
    switch (packet.ipProto()) {
      case Protocol.IPPROTO_TCP -> m.exact(MatchField.TCP_SRC, packet.tpSrc()).exact(MatchField.TCP_DST, packet.tpDst());
      case Protocol.IPPROTO_UDP -> m.exact(MatchField.UDP_SRC, packet.tpSrc()).exact(MatchField.UDP_DST, packet.tpDst());
      case Protocol.IPPROTO_ICMP -> m.exact(MatchField.ICMPV4_TYPE, packet.tpSrc())
          .exact(MatchField.ICMPV4_CODE, packet.tpDst());
      default -> { }
    }
    return m.build();
  }

  /**
   * Whether {@code out} is the port the packet entered on: a VM addressing itself. OpenFlow never
   * outputs a packet to its own in_port by name, so such a flow outputs to {@code in_port}.
   */
  private boolean hairpin(Ingress ingress, Output out) {
    return out.kind() == Output.Kind.LOCAL && ingress instanceof Ingress.VmPort port
        && config.vm(port.vm()).map(vm -> vm.port().equals(out.port())).orElse(false);
  }

  /** Whether a layer remarked the packet: every packet of the flow must then leave with that DSCP. */
  private static boolean marksDscp(Decision decision) {
    return decision.layers().stream().anyMatch(l -> RuleAction.SET_DSCP.key().equals(l.action()));
  }

  /** The actions of a flow whose packets leave as {@code out}; see the four-argument form. */
  static List<FlowAction> actions(PacketHeaders in, PacketHeaders out, Output output) {
    return actions(in, out, output, false, false);
  }

  /**
   * Set-fields, then the output ({@code in_port} for a hairpin). The flow matches neither Ethernet
   * addresses nor DSCP, so later packets of the connection may differ from the first in those:
   * the delivery MACs are always set, and DSCP whenever a rule remarked it ({@code marksDscp}).
   * Addresses and ports are matched exactly and set only when they change.
   */
  static List<FlowAction> actions(PacketHeaders in, PacketHeaders out, Output output, boolean hairpin,
      boolean marksDscp) {
    List<FlowAction> actions = new ArrayList<>();
    actions.add(new FlowAction.SetField(MatchField.ETH_SRC, out.ethSrc().bits()));
    actions.add(new FlowAction.SetField(MatchField.ETH_DST, out.ethDst().bits()));
    if (!in.nwSrc().equals(out.nwSrc())) {
      actions.add(new FlowAction.SetField(MatchField.IPV4_SRC, out.nwSrc().unsigned()));
    }
    if (!in.nwDst().equals(out.nwDst())) {
      actions.add(new FlowAction.SetField(MatchField.IPV4_DST, out.nwDst().unsigned()));
    }
    if (out.hasPorts()) {
      boolean tcp = out.ipProto() == Protocol.IPPROTO_TCP;
      if (in.tpSrc() != out.tpSrc()) {
        actions.add(new FlowAction.SetField(tcp ? MatchField.TCP_SRC : MatchField.UDP_SRC, out.tpSrc()));
      }
      if (in.tpDst() != out.tpDst()) {
        actions.add(new FlowAction.SetField(tcp ? MatchField.TCP_DST : MatchField.UDP_DST, out.tpDst()));
      }
    }
    if (marksDscp || in.dscp() != out.dscp()) {
      actions.add(new FlowAction.SetField(MatchField.IP_DSCP, out.dscp()));
    }
    if (output.kind() == Output.Kind.TUNNEL) {
      actions.add(new FlowAction.SetField(MatchField.TUN_ID, output.vni()));
    }
    actions.add(hairpin ? new FlowAction.OutputInPort() : new FlowAction.Output(output.port()));
    return List.copyOf(actions);
  }

  private Cookie cookieOf(Decision decision, Ingress ingress, FlowKind kind) {
    List<LayerDecision> steps = decision.layers();
    LayerDecision chosen = null;
    if (!steps.isEmpty() && RuleAction.DENY.key().equals(steps.get(steps.size() - 1).action())) {
      chosen = steps.get(steps.size() - 1); // the step that dropped it: a deny rule or a default deny
    }
    for (int i = steps.size() - 1; i >= 0 && chosen == null; i--) {
      if (steps.get(i).ruleIndex() >= 0 && steps.get(i).layerIndex() >= 0) {
        chosen = steps.get(i);
      }
    }
    if (chosen == null && !steps.isEmpty()) {
      chosen = steps.get(steps.size() - 1);
    }
    if (chosen == null) {
      Optional<Vm> vm = ingress instanceof Ingress.VmPort port ? config.vm(port.vm()) : Optional.empty();
      return vm.isPresent()
          ? Cookie.forVm(kind, config.generationOf(vm.get()), config.vmIndex(vm.get().name()))
          : new Cookie(kind, 0, Cookie.NO_VM, Cookie.NO_LAYER, Cookie.NO_RULE);
    }
    Optional<Vm> vm = config.vm(chosen.vm());
    if (vm.isEmpty()) {
      return new Cookie(kind, 0, Cookie.NO_VM, Cookie.NO_LAYER, Cookie.NO_RULE);
    }
    String ruleset = vm.get().ruleset();
    int layer = chosen.layerIndex() >= 0 ? config.ids().layer(ruleset, chosen.layer()) : Cookie.NO_LAYER;
    int rule = chosen.ruleIndex() >= 0 && chosen.layerIndex() >= 0
        ? config.ids().rule(ruleset, chosen.layer(), chosen.rule()) : Cookie.NO_RULE;
    return new Cookie(kind, config.generationOf(vm.get()), config.vmIndex(vm.get().name()), layer, rule);
  }
}
