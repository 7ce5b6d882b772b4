package org.nicflow.controller.partition;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.nicflow.compiler.eval.Connection;
import org.nicflow.compiler.eval.ConnectionLookup;
import org.nicflow.compiler.eval.Decision;
import org.nicflow.compiler.eval.Ingress;
import org.nicflow.compiler.eval.PacketEvaluator;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Host;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.packet.PacketHeaders;
import org.nicflow.compiler.proactive.LearnedReply;
import org.nicflow.compiler.unified.UnifiedFlowBuilder;

/**
 * The slow path of one miss: which port it came from, what the rule sets decide, and which unified
 * flows carry the rest of the connection. Pure: returns a {@link Miss}, does no I/O.
 */
public final class MissHandler {

  private final PacketEvaluator evaluator;
  private final UnifiedFlowBuilder unifiedFlows;
  /** Per host, where a packet arriving on each of its bridge's ports entered: built once, looked up per miss. */
  private final Config config;
  private final Map<String, Map<String, Ingress>> ingressByPort;
  /** Per host, the host at the other end of each of its tunnel ports. */
  private final Map<String, Map<String, String>> tunnelPeers;

  public MissHandler(Config config, PacketEvaluator evaluator, UnifiedFlowBuilder unifiedFlows) {
    this.config = Objects.requireNonNull(config, "config");
    this.evaluator = Objects.requireNonNull(evaluator, "evaluator");
    this.unifiedFlows = Objects.requireNonNull(unifiedFlows, "unifiedFlows");
    Map<String, Map<String, Ingress>> ingress = new java.util.HashMap<>();
    Map<String, Map<String, String>> peers = new java.util.HashMap<>();
    for (Host host : config.hosts()) {
      Map<String, Ingress> ports = new java.util.HashMap<>();
      // first VM listed wins a port name shared by two VMs, and the uplink wins over both, as the linear scan did
      List<Vm> vms = config.vmsOnHost(host.name());
      for (int i = vms.size() - 1; i >= 0; i--) {
        ports.put(vms.get(i).port(), new Ingress.VmPort(host.name(), vms.get(i).name()));
      }
      ports.put(host.uplink(), new Ingress.Uplink(host.name()));
      ingress.put(host.name(), Map.copyOf(ports));
      Map<String, String> tunnels = new java.util.HashMap<>();
      for (Host other : config.hosts()) {
        if (!other.name().equals(host.name())) {
          tunnels.putIfAbsent(Host.tunnelPortName(other.name()), other.name());
        }
      }
      peers.put(host.name(), Map.copyOf(tunnels));
    }
    this.ingressByPort = Map.copyOf(ingress);
    this.tunnelPeers = Map.copyOf(peers);
  }

  /**
   * Evaluates an IPv4 packet that missed the unified table of {@code host}'s bridge.
   *
   * @param inPort the name of the port it arrived on (empty: the switch reported a port nicflow
   *     does not know)
   * @param tunnelId the tunnel id the bridge reported with it, for packets from a tunnel port
   */
  public Miss handle(
      String host, Optional<String> inPort, OptionalLong tunnelId, PacketHeaders packet,
      ConnectionLookup connections) {
    return handle(host, inPort, tunnelId, 0L, packet, connections);
  }

  /**
   * As {@link #handle(String, Optional, OptionalLong, PacketHeaders, ConnectionLookup)}, for a
   * packet the switch reported with pipeline {@code metadata} (a packet-in's match carries it from
   * OpenFlow 1.3 on; 0 when absent). When its learned-state markers say the packet is the reply of a
   * connection the switch learned ({@link LearnedReply}), the packet is decided with that connection
   * too, as the evaluator decides the reply of a live connection, and the miss adopts it; markers
   * that name no VM able to own it make the miss {@link Miss.Ignored} (dropped and counted).
   */
  public Miss handle(
      String host, Optional<String> inPort, OptionalLong tunnelId, long metadata, PacketHeaders packet,
      ConnectionLookup connections) {
    if (inPort.isEmpty()) {
      return new Miss.Ignored("packet-in from a port the switch did not describe");
    }
    Optional<Ingress> ingress = ingressOf(host, inPort.get(), tunnelId);
    if (ingress.isEmpty()) {
      return new Miss.Ignored("packet-in from port " + inPort.get() + ", which is no VM port, tunnel or uplink of "
          + host + (inPort.get().startsWith("tun-") && tunnelId.isEmpty() ? " (no tunnel id)" : ""));
    }
    LearnedReply.Reading markers = LearnedReply.read(config, ingress.get(), packet, metadata);
    if (markers instanceof LearnedReply.Reading.Rejected rejected) {
      return new Miss.Ignored(rejected.reason());
    }
    List<Connection> adopted = markers instanceof LearnedReply.Reading.Adopt adopt ? adopt.connections() : List.of();
    ConnectionLookup live = connections.with(adopted);
    Decision decision = evaluator.evaluate(ingress.get(), packet, live);
    return new Miss.Offload(ingress.get(), inPort.get(), packet, decision,
        unifiedFlows.flowsFor(ingress.get(), packet, decision, live), adopted);
  }

  /**
   * The owners of the connections {@code miss} adopted from the switch, with the generation of each
   * one's rule set in this config (see {@link FlowRedecider.Installed#learnedOwners}).
   */
  public Map<String, Integer> learnedOwners(Miss.Offload miss) {
    Map<String, Integer> owners = new java.util.TreeMap<>();
    for (Connection c : miss.adopted()) {
      config.vm(c.ownerVm()).ifPresent(vm -> owners.put(vm.name(), config.generationOf(vm)));
    }
    return Map.copyOf(owners);
  }

  /**
   * Whether every VM of {@code owners} is still in this config with its rule set of the generation
   * given: the switch keeps the connections such a VM's rules learned.
   */
  public boolean rulesetsUnchanged(Map<String, Integer> owners) {
    return owners.entrySet().stream().allMatch(e -> config.vm(e.getKey())
        .map(vm -> config.generationOf(vm) == e.getValue()).orElse(false));
  }

  /**
   * The reverse flows the new connections of {@code miss} need on the bridges of other hosts, by
   * host (see {@link UnifiedFlowBuilder#remoteReplyFlows}).
   */
  public Map<String, List<FlowEntry>> remoteReplyFlows(Miss.Offload miss) {
    return unifiedFlows.remoteReplyFlows(miss.ingress(), miss.decision());
  }

  /**
   * The actions for the packet of {@code miss} when the controller sends it on itself, for a
   * decision the switch cannot carry ({@link org.nicflow.compiler.eval.Decision#controllerPath()}):
   * the rewrites and output its exact flow would have had (see
   * {@link UnifiedFlowBuilder#sendOnActions}).
   */
  public List<org.nicflow.compiler.flow.FlowAction> sendOnActions(Miss.Offload miss) {
    return unifiedFlows.sendOnActions(miss.ingress(), miss.packet(), miss.decision());
  }

  /**
   * Where a packet arriving on {@code port} of {@code host}'s bridge entered (docs/config.md, "What
   * nicflow manages").
   */
  public Optional<Ingress> ingressOf(String host, String port, OptionalLong tunnelId) {
    Map<String, Ingress> ports = ingressByPort.get(host);
    if (ports == null) {
      return Optional.empty();
    }
    Ingress known = ports.get(port);
    if (known != null) {
      return Optional.of(known);
    }
    String peer = tunnelPeers.get(host).get(port);
    if (tunnelId.isPresent() && peer != null) {
      return Optional.of(new Ingress.Tunnel(host, peer, (int) tunnelId.getAsLong()));
    }
    return Optional.empty();
  }

}
