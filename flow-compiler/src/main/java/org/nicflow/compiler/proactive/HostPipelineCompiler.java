package org.nicflow.compiler.proactive;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.nicflow.compiler.flow.Cookie;
import org.nicflow.compiler.flow.FlowAction;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.FlowKind;
import org.nicflow.compiler.flow.FlowMatch;
import org.nicflow.compiler.flow.LearnSpec;
import org.nicflow.compiler.flow.MatchField;
import org.nicflow.compiler.flow.MeterSpec;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.compiler.model.Backend;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.DefaultAction;
import org.nicflow.compiler.model.Direction;
import org.nicflow.compiler.model.Host;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.Ipv4Prefix;
import org.nicflow.compiler.model.Layer;
import org.nicflow.compiler.model.LoadBalancer;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.model.OffloadMode;
import org.nicflow.compiler.model.PortRange;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.model.Rule;
import org.nicflow.compiler.model.RuleAction;
import org.nicflow.compiler.model.RuleSet;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.model.Vnet;

/**
 * Compiles one host's bridge flows from a config (see {@link Pipeline} and docs/semantics.md).
 *
 * <p>Both modes share {@code classify}: per VM port, ARP requests for the gateway or another VM of
 * the VNET are answered with the gateway MAC, IPv4 with the VM's own MAC and address passes the
 * VM's meter and goes on with the VM in the metadata, anything else from the port drops; IPv4 from
 * the uplink and the tunnel ports goes on; everything else drops.
 *
 * <p>Reactive mode: a {@code unified} miss goes to the controller, from a VM port through the
 * VM's miss meter ({@link #meters}). Proactive mode: a
 * {@code unified} miss goes to the layer tables: the sender's outbound layers
 * ({@code out_1..}), {@code route} (destination VM into the metadata, VNET addresses without a VM
 * dropped, anything else to the uplink's next hop), the receiver's inbound layers ({@code in_1..}
 * for every VM of a VNET present on the host, since the sender's host runs them too) and
 * {@code deliver} (local port, or the VNI and the tunnel port). Decapsulated packets enter at
 * {@code tunnel_in}, unencapsulated ones at {@code uplink_in}. Whatever needs connection state
 * goes to the controller: a deciding {@code stateful} allow or {@code snat} rule, a load-balancer
 * VIP, and, as the reply of a connection that may have outlived its flows, packets to a SNAT public
 * address from the uplink and packets from a load-balancer backend's port; also packets arriving by
 * tunnel from an address the receiving VM's inbound SNAT translates to (the sender's host already
 * ran and translated them). With {@code controller.learn_state}, a deciding {@code stateful} allow
 * instead marks the packet in the metadata and the switch learns the connection when the packet is
 * delivered to a VM port here (TCP and UDP); replies then skip the owner's layers through the state
 * tables (docs/semantics.md, "Connection state in the NIC"). The flows that send a VM's own
 * packets to the controller (its outbound layers' and its load-balancer reply guard) pass its
 * miss meter.
 *
 * <p>Inside a layer, rules are ranked by priority (highest first), then by position, and rank
 * {@code r} becomes OpenFlow priority {@value #RULE_TOP} - r; the layer default is priority
 * {@value #LAYER_DEFAULT_PRIORITY}. Rules of different VMs never overlap: each flow matches its
 * VM in the metadata.
 */
public final class HostPipelineCompiler {

  /** Priorities, by table. */
  static final int ARP_PRIORITY = 200;
  static final int ANTI_SPOOF_PRIORITY = 100;
  static final int PORT_IN_PRIORITY = 100;
  static final int PORT_DROP_PRIORITY = 50;
  static final int MISS_PRIORITY = 0;
  /** A VM port's own table-miss in reactive mode (its SYN twin one above): metered, to the controller. */
  static final int VM_MISS_PRIORITY = 2;
  static final int REPLY_TO_CONTROLLER_PRIORITY = 20;
  static final int DISPATCH_PRIORITY = 10;
  static final int RULE_TOP = 60000;
  static final int LAYER_DEFAULT_PRIORITY = 1;
  static final int ROUTE_VM_PRIORITY = 300;
  static final int ROUTE_VNET_PRIORITY = 200;
  static final int ROUTE_OUTSIDE_PRIORITY = 100;
  static final int LB_PRIORITY = 200;
  static final int SNAT_REPLY_PRIORITY = 100;
  static final int TUNNEL_IN_PRIORITY = 100;
  static final int DELIVER_PRIORITY = 100;
  static final int HAIRPIN_PRIORITY = 110;
  static final int SKIP_OWNER_PRIORITY = 65000;
  static final int LEARN_DELIVER_PRIORITY = 120;
  static final int PENDING_TO_CONTROLLER_PRIORITY = 115;
  static final int PENDING_HAIRPIN_PRIORITY = 130;
  static final int LEARN_PRIORITY = 100;
  /** Priority of the flows the switch learns in the state tables. */
  public static final int LEARNED_PRIORITY = 100;

  private static final long ETH_TYPE_IPV4 = 0x0800;
  /** The SYN bit of {@code tcp_flags}. */
  static final long TCP_SYN = 0x002;
  private static final long ETH_TYPE_ARP = 0x0806;

  private final Config config;

  /**
   * Compiles {@code config}. The cookie of every flow derived from a VM carries the VM's number and
   * its rule set's generation ({@link org.nicflow.compiler.model.PolicyIds}); host-wide plumbing
   * carries generation 0.
   */
  public HostPipelineCompiler(Config config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  /** The flows of {@code controller.mode}. */
  public List<FlowEntry> flows(String host) {
    return config.controller().mode() == OffloadMode.PROACTIVE ? proactiveFlows(host) : baseFlows(host);
  }

  /**
   * The meters of the host's VMs, each with one drop band: for a VM with {@code meter_kbps}, its
   * rate meter (id VM index + 1); for every VM, its miss budget in packets per second (id
   * {@link #MISS_METER_BASE} + VM index + 1), which the flows sending its packets to the controller
   * pass.
   */
  public List<MeterSpec> meters(String host) {
    Host h = host(host);
    List<MeterSpec> meters = new ArrayList<>();
    for (Vm vm : config.vmsOnHost(h.name())) {
      if (vm.meterKbps().isPresent()) {
        meters.add(new MeterSpec(meterId(vm), vm.meterKbps().getAsLong(), vm.name()));
      }
    }
    for (Vm vm : config.vmsOnHost(h.name())) {
      meters.add(MeterSpec.missBudget(missMeterId(vm), config.missBudgetOf(vm), vm.name()));
    }
    return List.copyOf(meters);
  }

  /**
   * Reactive mode: {@code classify}, and {@code unified} table-misses to the controller: one per VM
   * port through the VM's miss meter, so a VM that floods new connections spends only its own
   * budget, and one for everything else (uplink, tunnels).
   */
  public List<FlowEntry> baseFlows(String host) {
    Host h = host(host);
    List<FlowEntry> flows = new ArrayList<>(classify(h));
    for (Vm vm : config.vmsOnHost(h.name())) {
      FlowEntry vmMiss = FlowEntry.builder(Pipeline.UNIFIED, VM_MISS_PRIORITY)
          .match(FlowMatch.builder().inPort(vm.port()).build()).meter(missMeterId(vm))
          .action(new FlowAction.OutputController())
          .cookie(Cookie.forVm(FlowKind.BASE, config.generationOf(vm), config.vmIndex(vm.name())).encode()).build();
      flows.add(synTwin(vmMiss));
      flows.add(vmMiss);
    }
    FlowEntry miss = FlowEntry.builder(Pipeline.UNIFIED, MISS_PRIORITY).action(new FlowAction.OutputController())
        .cookie(Cookie.base(FlowKind.BASE).encode()).build();
    flows.add(synTwin(miss));
    flows.add(miss);
    return List.copyOf(flows);
  }

  /** Proactive mode: {@code classify} and every rule set of the host compiled into the tables. */
  public List<FlowEntry> proactiveFlows(String host) {
    Host h = host(host);
    List<Vm> local = config.vmsOnHost(h.name());
    List<FlowEntry> flows = new ArrayList<>(classify(h));
    flows.addAll(dispatch(h, local));
    for (Vm vm : local) {
      flows.addAll(outLayers(vm));
    }
    for (Vm vm : local) {
      flows.addAll(route(h, vm));
    }
    List<Vm> receivers = receivers(local);
    for (Vm vm : receivers) {
      flows.addAll(inLayers(vm));
    }
    flows.addAll(tunnelIn(local));
    flows.addAll(uplinkIn(local));
    for (Vm vm : receivers) {
      flows.addAll(deliver(h, vm));
    }
    if (learns()) {
      flows.addAll(learnTables(local));
    }
    return List.copyOf(flows);
  }

  private boolean learns() {
    return config.controller().learnsInSwitch();
  }

  /**
   * Whether a simulated packet went to the controller only because it might belong to a live
   * connection (a load-balancer backend's source port on its VM port, a SNAT public address on the
   * uplink, or, by tunnel, a source that the receiving VM's own inbound SNAT translates to) rather
   * than because a rule or VIP needs state. Without live connections the reference evaluator
   * treats such a packet statelessly.
   */
  public static boolean endsAtReplyGuard(SimResult result) {
    if (result.path().isEmpty()) {
      return false;
    }
    SimStep last = result.path().get(result.path().size() - 1);
    return (last.table().equals(Pipeline.UNIFIED) && last.priority() == REPLY_TO_CONTROLLER_PRIORITY)
        || (last.table().equals(Pipeline.UPLINK_IN) && last.priority() == SNAT_REPLY_PRIORITY);
  }

  // ---------------------------------------------------------------- classify

  private List<FlowEntry> classify(Host h) {
    List<FlowEntry> flows = new ArrayList<>();
    MacAddress gw = config.controller().gatewayMac();
    for (Vm vm : config.vmsOnHost(h.name())) {
      int idx = config.vmIndex(vm.name());
      Vnet vnet = config.vnetOf(vm);
      long arpCookie = Cookie.forVm(FlowKind.ARP, config.generationOf(vm), idx).encode();
      for (Ipv4 target : arpTargets(vm, vnet)) {
        flows.add(FlowEntry.builder(Pipeline.CLASSIFY, ARP_PRIORITY)
            .match(FlowMatch.builder().inPort(vm.port()).exact(MatchField.ETH_SRC, vm.mac().bits())
                .exact(MatchField.ETH_TYPE, ETH_TYPE_ARP).exact(MatchField.ARP_OP, ArpPacket.REQUEST)
                .exact(MatchField.ARP_SPA, vm.ip().unsigned()).exact(MatchField.ARP_TPA, target.unsigned()).build())
            .action(new FlowAction.SetField(MatchField.ETH_DST, vm.mac().bits()))
            .action(new FlowAction.SetField(MatchField.ETH_SRC, gw.bits()))
            .action(new FlowAction.SetField(MatchField.ARP_OP, ArpPacket.REPLY))
            .action(new FlowAction.SetField(MatchField.ARP_SHA, gw.bits()))
            .action(new FlowAction.SetField(MatchField.ARP_SPA, target.unsigned()))
            .action(new FlowAction.SetField(MatchField.ARP_THA, vm.mac().bits()))
            .action(new FlowAction.SetField(MatchField.ARP_TPA, vm.ip().unsigned()))
            .action(new FlowAction.OutputInPort())
            .cookie(arpCookie).build());
      }
      long baseCookie = Cookie.forVm(FlowKind.BASE, config.generationOf(vm), idx).encode();
      FlowEntry.Builder ip = FlowEntry.builder(Pipeline.CLASSIFY, ANTI_SPOOF_PRIORITY)
          .match(FlowMatch.builder().inPort(vm.port()).exact(MatchField.ETH_SRC, vm.mac().bits())
              .exact(MatchField.ETH_TYPE, ETH_TYPE_IPV4).exact(MatchField.IPV4_SRC, vm.ip().unsigned()).build());
      if (vm.meterKbps().isPresent()) {
        ip.meter(meterId(vm));
      }
      flows.add(ip.writeMetadata(Pipeline.srcVmMetadata(idx), Pipeline.SRC_VM_MASK).gotoTable(Pipeline.UNIFIED)
          .cookie(baseCookie).build());
      flows.add(FlowEntry.builder(Pipeline.CLASSIFY, PORT_DROP_PRIORITY)
          .match(FlowMatch.builder().inPort(vm.port()).build()).cookie(baseCookie).build());
    }
    long hostCookie = Cookie.base(FlowKind.BASE).encode();
    flows.add(FlowEntry.builder(Pipeline.CLASSIFY, PORT_IN_PRIORITY)
        .match(FlowMatch.builder().inPort(h.uplink()).exact(MatchField.ETH_TYPE, ETH_TYPE_IPV4).build())
        .gotoTable(Pipeline.UNIFIED).cookie(hostCookie).build());
    for (String tunnel : tunnelPorts(h)) {
      flows.add(FlowEntry.builder(Pipeline.CLASSIFY, PORT_IN_PRIORITY)
          .match(FlowMatch.builder().inPort(tunnel).exact(MatchField.ETH_TYPE, ETH_TYPE_IPV4).build())
          .gotoTable(Pipeline.UNIFIED).cookie(hostCookie).build());
    }
    flows.add(FlowEntry.builder(Pipeline.CLASSIFY, MISS_PRIORITY).cookie(hostCookie).build());
    return flows;
  }

  /** The gateway, then the other VMs of the VNET in config order, without duplicates. */
  private List<Ipv4> arpTargets(Vm vm, Vnet vnet) {
    Set<Ipv4> targets = new LinkedHashSet<>();
    targets.add(vnet.gateway());
    for (Vm other : config.vms()) {
      if (other.vnet().equals(vm.vnet()) && !other.name().equals(vm.name()) && !other.ip().equals(vm.ip())) {
        targets.add(other.ip());
      }
    }
    return List.copyOf(targets);
  }

  private List<String> tunnelPorts(Host h) {
    return config.hosts().stream().filter(o -> !o.name().equals(h.name()))
        .map(o -> Host.tunnelPortName(o.name())).distinct().toList();
  }

  /**
   * {@code flow} again, one priority up, for TCP segments with SYN set: the same actions, so no
   * verdict changes. With both in the table, OVS has to look at the SYN bit to tell them apart, so
   * the datapath entry it caches for a connection's first segment (the SYN, on its way to the
   * controller) covers SYN segments only: the connection's ACKs miss that entry and find the
   * unified flows the controller installed meanwhile, instead of reaching the controller again
   * until OVS revalidates its cache. Only for flows that match no protocol themselves.
   */
  public static FlowEntry synTwin(FlowEntry flow) {
    FlowMatch m = flow.match();
    if (m.get(MatchField.ETH_TYPE).isPresent() || m.get(MatchField.IP_PROTO).isPresent()) {
      throw new IllegalArgumentException("a SYN twin is for flows that match no protocol: " + flow);
    }
    FlowMatch syn = m.toBuilder().exact(MatchField.ETH_TYPE, ETH_TYPE_IPV4)
        .exact(MatchField.IP_PROTO, Protocol.IPPROTO_TCP).masked(MatchField.TCP_FLAGS, TCP_SYN, TCP_SYN).build();
    return new FlowEntry(flow.table(), flow.priority() + 1, syn, flow.meterId(), flow.actions(),
        flow.writeMetadata(), flow.gotoTable(), flow.cookie(), flow.idleTimeout(), flow.hardTimeout(),
        flow.sendFlowRemoved());
  }

  /** Whether {@code flow} is a {@link #synTwin}: it matches the SYN bit. */
  public static boolean isSynTwin(FlowEntry flow) {
    return flow.match().get(MatchField.TCP_FLAGS).isPresent();
  }

  // ---------------------------------------------------------------- unified table-miss (proactive)

  private List<FlowEntry> dispatch(Host h, List<Vm> local) {
    List<FlowEntry> flows = new ArrayList<>();
    for (Vm vm : local) {
      long cookie = Cookie.forVm(FlowKind.FORWARD, config.generationOf(vm), config.vmIndex(vm.name())).encode();
      for (LoadBalancer lb : config.loadBalancers()) {
        for (Backend b : lb.backends()) {
          if (b.vm().equals(vm.name())) {
            flows.add(FlowEntry.builder(Pipeline.UNIFIED, REPLY_TO_CONTROLLER_PRIORITY)
                .match(FlowMatch.builder().inPort(vm.port()).exact(MatchField.ETH_TYPE, ETH_TYPE_IPV4)
                    .exact(MatchField.IP_PROTO, lb.proto().number())
                    .exact(srcPortField(lb.proto()), b.port()).build())
                .meter(missMeterId(vm)).action(new FlowAction.OutputController()).cookie(cookie).build());
          }
        }
      }
      FlowEntry.Builder d = FlowEntry.builder(Pipeline.UNIFIED, DISPATCH_PRIORITY)
          .match(FlowMatch.builder().inPort(vm.port()).build());
      if (learns()) {
        d.action(new FlowAction.Resubmit(Pipeline.STATE_SENDER)).action(new FlowAction.Resubmit(Pipeline.STATE_RECEIVER));
      }
      FlowEntry dispatch = d.gotoTable(firstOutTable(vm)).cookie(cookie).build();
      flows.add(synTwin(dispatch));
      flows.add(dispatch);
      flows.addAll(inboundSnatGuards(h, vm, cookie));
    }
    long hostCookie = Cookie.base(FlowKind.FORWARD).encode();
    List<FlowEntry> entries = new ArrayList<>();
    for (String tunnel : tunnelPorts(h)) {
      entries.add(FlowEntry.builder(Pipeline.UNIFIED, DISPATCH_PRIORITY)
          .match(FlowMatch.builder().inPort(tunnel).build()).gotoTable(Pipeline.TUNNEL_IN).cookie(hostCookie).build());
    }
    entries.add(FlowEntry.builder(Pipeline.UNIFIED, DISPATCH_PRIORITY)
        .match(FlowMatch.builder().inPort(h.uplink()).build()).gotoTable(Pipeline.UPLINK_IN).cookie(hostCookie).build());
    for (FlowEntry e : entries) {
      flows.add(synTwin(e));
      flows.add(e);
    }
    flows.add(FlowEntry.builder(Pipeline.UNIFIED, MISS_PRIORITY).cookie(hostCookie).build());
    return flows;
  }

  /**
   * Packets arriving by tunnel for {@code vm} from an address its own inbound SNAT rules translate
   * to: the sender's host ran the VM's {@code in} layers and translated them, so the stateless
   * tables would filter them a second time; the controller decides them with the VM's connection.
   */
  private List<FlowEntry> inboundSnatGuards(Host h, Vm vm, long cookie) {
    Set<Ipv4> addresses = new LinkedHashSet<>();
    for (Layer l : config.rulesetOf(vm).layers()) {
      for (Rule r : l.rules()) {
        if (r.action() == RuleAction.SNAT && r.direction().appliesTo(Direction.IN)) {
          r.snatTo().ifPresent(addresses::add);
        }
      }
    }
    int vni = config.vnetOf(vm).vni();
    List<FlowEntry> flows = new ArrayList<>();
    for (String tunnel : tunnelPorts(h)) {
      for (Ipv4 a : addresses) {
        flows.add(FlowEntry.builder(Pipeline.UNIFIED, REPLY_TO_CONTROLLER_PRIORITY)
            .match(FlowMatch.builder().inPort(tunnel).exact(MatchField.TUN_ID, vni)
                .exact(MatchField.ETH_TYPE, ETH_TYPE_IPV4).exact(MatchField.IPV4_SRC, a.unsigned())
                .exact(MatchField.IPV4_DST, vm.ip().unsigned()).build())
            .action(new FlowAction.OutputController()).cookie(cookie).build());
      }
    }
    return flows;
  }

  // ---------------------------------------------------------------- layers

  private String firstOutTable(Vm vm) {
    return config.rulesetOf(vm).layers().isEmpty() ? Pipeline.ROUTE : Pipeline.outTable(1);
  }

  private String firstInTable(Vm vm) {
    return config.rulesetOf(vm).layers().isEmpty() ? Pipeline.DELIVER : Pipeline.inTable(1);
  }

  private List<FlowEntry> outLayers(Vm vm) {
    List<Layer> layers = layersOf(vm);
    int idx = config.vmIndex(vm.name());
    List<FlowEntry> flows = new ArrayList<>();
    if (learns() && !layers.isEmpty()) {
      flows.add(FlowEntry.builder(Pipeline.outTable(1), SKIP_OWNER_PRIORITY)
          .match(FlowMatch.builder().masked(MatchField.METADATA, Pipeline.srcVmMetadata(idx) | Pipeline.SKIP_OUT,
              Pipeline.SRC_VM_MASK | Pipeline.SKIP_OUT).build())
          .gotoTable(Pipeline.ROUTE).cookie(Cookie.forVm(FlowKind.FORWARD, config.generationOf(vm), idx).encode())
          .build());
    }
    for (int stage = 1; stage <= layers.size(); stage++) {
      String next = stage == layers.size() ? Pipeline.ROUTE : Pipeline.outTable(stage + 1);
      flows.addAll(layer(Pipeline.outTable(stage), next, vm, layers.get(stage - 1), Direction.OUT,
          Pipeline.srcVmMetadata(idx), Pipeline.SRC_VM_MASK));
    }
    return flows;
  }

  private List<FlowEntry> inLayers(Vm vm) {
    List<Layer> layers = layersOf(vm);
    int idx = config.vmIndex(vm.name());
    int n = layers.size();
    List<FlowEntry> flows = new ArrayList<>();
    if (learns() && n > 0) {
      flows.add(FlowEntry.builder(Pipeline.inTable(1), SKIP_OWNER_PRIORITY)
          .match(FlowMatch.builder().masked(MatchField.METADATA, Pipeline.dstVmMetadata(idx) | Pipeline.SKIP_IN,
              Pipeline.DST_VM_MASK | Pipeline.SKIP_IN).build())
          .gotoTable(Pipeline.DELIVER).cookie(Cookie.forVm(FlowKind.FORWARD, config.generationOf(vm), idx).encode())
          .build());
      // A reply the VM sends to itself, of a connection it owns as the receiver: it owns both sides.
      flows.add(FlowEntry.builder(Pipeline.inTable(1), SKIP_OWNER_PRIORITY + 1)
          .match(FlowMatch.builder().masked(MatchField.METADATA,
              Pipeline.srcVmMetadata(idx) | Pipeline.dstVmMetadata(idx) | Pipeline.SKIP_OUT,
              Pipeline.SRC_VM_MASK | Pipeline.DST_VM_MASK | Pipeline.SKIP_OUT).build())
          .gotoTable(Pipeline.DELIVER).cookie(Cookie.forVm(FlowKind.FORWARD, config.generationOf(vm), idx).encode())
          .build());
    }
    for (int stage = 1; stage <= n; stage++) {
      int layerIndex = n - stage;
      String next = stage == n ? Pipeline.DELIVER : Pipeline.inTable(stage + 1);
      flows.addAll(layer(Pipeline.inTable(stage), next, vm, layers.get(layerIndex), Direction.IN,
          Pipeline.dstVmMetadata(idx), Pipeline.DST_VM_MASK));
    }
    return flows;
  }

  private List<Layer> layersOf(Vm vm) {
    RuleSet rs = config.rulesetOf(vm);
    if (rs.layers().size() > RuleSet.MAX_LAYERS) {
      throw new IllegalArgumentException("rule set " + rs.name() + " has more than " + RuleSet.MAX_LAYERS + " layers");
    }
    return rs.layers();
  }

  private List<FlowEntry> layer(String table, String next, Vm vm, Layer layer, Direction dir,
      long metadata, long metadataMask) {
    int vmIndex = config.vmIndex(vm.name());
    int generation = config.generationOf(vm);
    int layerIndex = config.ids().layer(vm.ruleset(), layer.name());
    List<RankedRule> ranked = new ArrayList<>();
    for (int i = 0; i < layer.rules().size(); i++) {
      Rule r = layer.rules().get(i);
      if (r.direction().appliesTo(dir)) {
        ranked.add(new RankedRule(r, i));
      }
    }
    ranked.sort((a, b) -> a.rule.priority() != b.rule.priority()
        ? Integer.compare(b.rule.priority(), a.rule.priority()) : Integer.compare(a.index, b.index));
    if (ranked.size() >= RULE_TOP - LAYER_DEFAULT_PRIORITY) {
      throw new IllegalArgumentException("layer " + layer.name() + " has too many rules");
    }
    List<FlowEntry> flows = new ArrayList<>();
    for (int rank = 0; rank < ranked.size(); rank++) {
      RankedRule rr = ranked.get(rank);
      long cookie = new Cookie(FlowKind.RULE, generation, vmIndex, layerIndex,
          config.ids().rule(vm.ruleset(), layer.name(), rr.rule.id())).encode();
      for (FlowMatch m : ruleMatches(rr.rule, metadata, metadataMask)) {
        FlowEntry.Builder b = FlowEntry.builder(table, RULE_TOP - rank).match(m).cookie(cookie);
        switch (rr.rule.action()) {
          case ALLOW -> {
            if (rr.rule.stateful() && learns()) {
              int number = statefulNumber(vm, rr.rule);
              long shifted = dir == Direction.OUT ? (long) number << Pipeline.SENDER_RULE_SHIFT
                  : (long) number << Pipeline.RECEIVER_RULE_SHIFT;
              long mask = dir == Direction.OUT ? Pipeline.SENDER_RULE_MASK : Pipeline.RECEIVER_RULE_MASK;
              b.writeMetadata(Pipeline.LEARN_PENDING | shifted, Pipeline.LEARN_PENDING | mask).gotoTable(next);
            } else if (rr.rule.stateful()) {
              toController(b, vm, dir);
            } else {
              b.gotoTable(next);
            }
          }
          case DENY -> { }
          case SNAT -> toController(b, vm, dir);
          case SET_DSCP -> b.action(new FlowAction.SetField(MatchField.IP_DSCP, rr.rule.dscp().getAsInt()))
              .gotoTable(next);
          default -> throw new IllegalStateException("unknown action " + rr.rule.action());
        }
        flows.add(b.build());
      }
    }
    FlowEntry.Builder def = FlowEntry.builder(table, LAYER_DEFAULT_PRIORITY)
        .match(FlowMatch.builder().masked(MatchField.METADATA, metadata, metadataMask).build())
        .cookie(new Cookie(FlowKind.LAYER_DEFAULT, generation, vmIndex, layerIndex, Cookie.NO_RULE).encode());
    if (layer.defaultAction() == DefaultAction.ALLOW) {
      def.gotoTable(next);
    }
    flows.add(def.build());
    return flows;
  }

  private record RankedRule(Rule rule, int index) {}

  /**
   * A layer flow that sends the packet to the controller; in an outbound layer the packet is the
   * VM's own, so it passes the VM's miss meter.
   */
  private void toController(FlowEntry.Builder b, Vm vm, Direction dir) {
    if (dir == Direction.OUT) {
      b.meter(missMeterId(vm));
    }
    b.action(new FlowAction.OutputController());
  }

  /** The matches of one rule: one per pair of source and destination port blocks. */
  static List<FlowMatch> ruleMatches(Rule r, long metadata, long metadataMask) {
    FlowMatch.Builder base = FlowMatch.builder().masked(MatchField.METADATA, metadata, metadataMask)
        .exact(MatchField.ETH_TYPE, ETH_TYPE_IPV4);
    if (r.proto() != Protocol.ANY) {
      base.exact(MatchField.IP_PROTO, r.proto().number());
    }
    prefix(base, MatchField.IPV4_SRC, r.src());
    prefix(base, MatchField.IPV4_DST, r.dst());
    r.icmpType().ifPresent(t -> base.exact(MatchField.ICMPV4_TYPE, t));
    if (!r.proto().hasPorts()) {
      return List.of(base.build());
    }
    FlowMatch common = base.build();
    List<FlowMatch> out = new ArrayList<>();
    for (PortRangeCover.Block s : blocks(r.srcPort())) {
      for (PortRangeCover.Block d : blocks(r.dstPort())) {
        FlowMatch.Builder b = common.toBuilder();
        if (s != null) {
          b.masked(srcPortField(r.proto()), s.value(), s.mask());
        }
        if (d != null) {
          b.masked(dstPortField(r.proto()), d.value(), d.mask());
        }
        out.add(b.build());
      }
    }
    return out;
  }

  /** The cover of a range; a list holding only null for the whole port space (no match field). */
  private static List<PortRangeCover.Block> blocks(PortRange range) {
    if (range.isAny()) {
      List<PortRangeCover.Block> any = new ArrayList<>();
      any.add(null);
      return any;
    }
    return PortRangeCover.of(range);
  }

  private static void prefix(FlowMatch.Builder b, MatchField field, Ipv4Prefix p) {
    if (!p.isAny()) {
      b.masked(field, p.network().unsigned(), p.mask() & 0xffff_ffffL);
    }
  }

  private static MatchField srcPortField(Protocol p) {
    return p == Protocol.UDP ? MatchField.UDP_SRC : MatchField.TCP_SRC;
  }

  private static MatchField dstPortField(Protocol p) {
    return p == Protocol.UDP ? MatchField.UDP_DST : MatchField.TCP_DST;
  }

  // ---------------------------------------------------------------- forwarding

  private List<FlowEntry> route(Host h, Vm sender) {
    int idx = config.vmIndex(sender.name());
    long meta = Pipeline.srcVmMetadata(idx);
    long cookie = Cookie.forVm(FlowKind.FORWARD, config.generationOf(sender), idx).encode();
    Vnet vnet = config.vnetOf(sender);
    List<FlowEntry> flows = new ArrayList<>();
    Set<Ipv4> seen = new LinkedHashSet<>();
    for (Vm w : config.vms()) {
      if (!w.vnet().equals(sender.vnet()) || !seen.add(w.ip())) {
        continue;
      }
      flows.add(FlowEntry.builder(Pipeline.ROUTE, ROUTE_VM_PRIORITY)
          .match(FlowMatch.builder().masked(MatchField.METADATA, meta, Pipeline.SRC_VM_MASK)
              .exact(MatchField.ETH_TYPE, ETH_TYPE_IPV4).exact(MatchField.IPV4_DST, w.ip().unsigned()).build())
          .writeMetadata(Pipeline.dstVmMetadata(config.vmIndex(w.name())), Pipeline.DST_VM_MASK)
          .gotoTable(firstInTable(w)).cookie(cookie).build());
    }
    FlowMatch.Builder inVnet = FlowMatch.builder().masked(MatchField.METADATA, meta, Pipeline.SRC_VM_MASK)
        .exact(MatchField.ETH_TYPE, ETH_TYPE_IPV4);
    prefix(inVnet, MatchField.IPV4_DST, vnet.prefix());
    flows.add(FlowEntry.builder(Pipeline.ROUTE, ROUTE_VNET_PRIORITY).match(inVnet.build()).cookie(cookie).build());
    FlowEntry.Builder outside = FlowEntry.builder(Pipeline.ROUTE, ROUTE_OUTSIDE_PRIORITY)
        .match(FlowMatch.builder().masked(MatchField.METADATA, meta, Pipeline.SRC_VM_MASK)
            .exact(MatchField.ETH_TYPE, ETH_TYPE_IPV4).build())
        .cookie(cookie);
    h.nextHopMac().ifPresent(nh -> outside
        .action(new FlowAction.SetField(MatchField.ETH_SRC, config.controller().gatewayMac().bits()))
        .action(new FlowAction.SetField(MatchField.ETH_DST, nh.bits()))
        .action(new FlowAction.Output(h.uplink())));
    flows.add(outside.build());
    return flows;
  }

  /** VMs whose inbound layers this host may run: those of every VNET with a VM on the host. */
  private List<Vm> receivers(List<Vm> local) {
    Set<String> vnets = new LinkedHashSet<>();
    local.forEach(v -> vnets.add(v.vnet()));
    return config.vms().stream().filter(v -> vnets.contains(v.vnet())).toList();
  }

  private List<FlowEntry> tunnelIn(List<Vm> local) {
    List<FlowEntry> flows = new ArrayList<>();
    for (Vm vm : local) {
      int idx = config.vmIndex(vm.name());
      flows.add(FlowEntry.builder(Pipeline.TUNNEL_IN, TUNNEL_IN_PRIORITY)
          .match(FlowMatch.builder().exact(MatchField.TUN_ID, config.vnetOf(vm).vni())
              .exact(MatchField.ETH_TYPE, ETH_TYPE_IPV4).exact(MatchField.IPV4_DST, vm.ip().unsigned()).build())
          .writeMetadata(Pipeline.dstVmMetadata(idx), Pipeline.DST_VM_MASK)
          .gotoTable(firstInTable(vm)).cookie(Cookie.forVm(FlowKind.FORWARD, config.generationOf(vm), idx).encode()).build());
    }
    return flows;
  }

  private List<FlowEntry> uplinkIn(List<Vm> local) {
    List<FlowEntry> flows = new ArrayList<>();
    long cookie = Cookie.base(FlowKind.FORWARD).encode();
    for (LoadBalancer lb : config.loadBalancers()) {
      flows.add(FlowEntry.builder(Pipeline.UPLINK_IN, LB_PRIORITY)
          .match(FlowMatch.builder().exact(MatchField.ETH_TYPE, ETH_TYPE_IPV4)
              .exact(MatchField.IP_PROTO, lb.proto().number()).exact(MatchField.IPV4_DST, lb.vip().unsigned())
              .exact(dstPortField(lb.proto()), lb.port()).build())
          .action(new FlowAction.OutputController()).cookie(cookie).build());
    }
    Set<Ipv4> snatAddresses = new LinkedHashSet<>();
    for (Vm vm : local) {
      for (Layer l : config.rulesetOf(vm).layers()) {
        for (Rule r : l.rules()) {
          if (r.action() == RuleAction.SNAT && r.direction().appliesTo(Direction.OUT)) {
            r.snatTo().ifPresent(snatAddresses::add);
          }
        }
      }
    }
    for (Ipv4 a : snatAddresses) {
      flows.add(FlowEntry.builder(Pipeline.UPLINK_IN, SNAT_REPLY_PRIORITY)
          .match(FlowMatch.builder().exact(MatchField.ETH_TYPE, ETH_TYPE_IPV4)
              .exact(MatchField.IPV4_DST, a.unsigned()).build())
          .action(new FlowAction.OutputController()).cookie(cookie).build());
    }
    return flows;
  }

  /**
   * Delivery to {@code w}: its port on this host (a VM addressing itself hairpins through
   * in_port, since OpenFlow never outputs a packet to its own in_port by name), else the tunnel
   * port of its host with the VNET's VNI.
   */
  private List<FlowEntry> deliver(Host h, Vm w) {
    int idx = config.vmIndex(w.name());
    long cookie = Cookie.forVm(FlowKind.FORWARD, config.generationOf(w), idx).encode();
    List<FlowAction> rewrite = List.of(
        new FlowAction.SetField(MatchField.ETH_SRC, config.controller().gatewayMac().bits()),
        new FlowAction.SetField(MatchField.ETH_DST, w.mac().bits()));
    FlowMatch.Builder match = FlowMatch.builder()
        .masked(MatchField.METADATA, Pipeline.dstVmMetadata(idx), Pipeline.DST_VM_MASK)
        .exact(MatchField.ETH_TYPE, ETH_TYPE_IPV4);
    List<FlowEntry> flows = new ArrayList<>();
    FlowEntry.Builder b = FlowEntry.builder(Pipeline.DELIVER, DELIVER_PRIORITY).match(match.build())
        .actions(rewrite).cookie(cookie);
    if (learns()) {
      flows.addAll(pendingDelivery(h, w, rewrite, cookie));
    }
    if (w.host().equals(h.name())) {
      flows.add(FlowEntry.builder(Pipeline.DELIVER, HAIRPIN_PRIORITY).match(match.inPort(w.port()).build())
          .actions(rewrite).action(new FlowAction.OutputInPort()).cookie(cookie).build());
      b.action(new FlowAction.Output(w.port()));
    } else {
      b.action(new FlowAction.SetField(MatchField.TUN_ID, config.vnetOf(w).vni()))
          .action(new FlowAction.Output(Host.tunnelPortName(w.host())));
    }
    flows.add(b.build());
    return flows;
  }

  // ---------------------------------------------------------------- connection state in the switch

  /**
   * Delivery of a packet a stateful rule admitted ({@link Pipeline#LEARN_PENDING}): to a VM port on
   * this host, TCP and UDP learn the connection (both learn tables, then the usual rewrite and
   * output) — only here is delivery certain; anything else (other protocols, a VM addressing
   * itself, a VM on another host) goes to the controller as without learning.
   */
  private List<FlowEntry> pendingDelivery(Host h, Vm w, List<FlowAction> rewrite, long cookie) {
    int idx = config.vmIndex(w.name());
    FlowMatch.Builder pending = FlowMatch.builder()
        .masked(MatchField.METADATA, Pipeline.dstVmMetadata(idx) | Pipeline.LEARN_PENDING,
            Pipeline.DST_VM_MASK | Pipeline.LEARN_PENDING)
        .exact(MatchField.ETH_TYPE, ETH_TYPE_IPV4);
    List<FlowEntry> flows = new ArrayList<>();
    flows.add(FlowEntry.builder(Pipeline.DELIVER, PENDING_TO_CONTROLLER_PRIORITY).match(pending.build())
        .action(new FlowAction.OutputController()).cookie(cookie).build());
    if (!w.host().equals(h.name())) {
      return flows;
    }
    flows.add(FlowEntry.builder(Pipeline.DELIVER, PENDING_HAIRPIN_PRIORITY)
        .match(pending.build().toBuilder().inPort(w.port()).build())
        .action(new FlowAction.OutputController()).cookie(cookie).build());
    for (Protocol p : List.of(Protocol.TCP, Protocol.UDP)) {
      flows.add(FlowEntry.builder(Pipeline.DELIVER, LEARN_DELIVER_PRIORITY)
          .match(pending.build().toBuilder().exact(MatchField.IP_PROTO, p.number()).build())
          .action(new FlowAction.Resubmit(Pipeline.LEARN_SENDER))
          .action(new FlowAction.Resubmit(Pipeline.LEARN_RECEIVER))
          .actions(rewrite).action(new FlowAction.Output(w.port())).cookie(cookie).build());
    }
    return flows;
  }

  /**
   * The learn tables: per local VM and stateful rule, for TCP and UDP, a flow that learns the
   * connection's reply into the state table of the reply's owner side, with the rule's cookie;
   * and table-miss flows (no actions) in the learn and state tables, so a resubmit that finds
   * nothing does nothing.
   */
  private List<FlowEntry> learnTables(List<Vm> local) {
    List<FlowEntry> flows = new ArrayList<>();
    for (Vm vm : local) {
      int idx = config.vmIndex(vm.name());
      List<Layer> layers = layersOf(vm);
      int number = 0;
      for (Layer layer : layers) {
        for (Rule r : layer.rules()) {
          if (r.action() != RuleAction.ALLOW || !r.stateful()) {
            continue;
          }
          number++;
          long cookie = new Cookie(FlowKind.LEARN, config.generationOf(vm), idx,
              config.ids().layer(vm.ruleset(), layer.name()), config.ids().rule(vm.ruleset(), layer.name(), r.id()))
              .encode();
          long learnedCookie = Cookie.decode(cookie).withKind(FlowKind.LEARNED).encode();
          for (Protocol p : List.of(Protocol.TCP, Protocol.UDP)) {
            if (r.direction().appliesTo(Direction.OUT)) {
              flows.add(learnFlow(Pipeline.LEARN_SENDER, Pipeline.srcVmMetadata(idx)
                  | ((long) number << Pipeline.SENDER_RULE_SHIFT), Pipeline.SRC_VM_MASK | Pipeline.SENDER_RULE_MASK,
                  p, Pipeline.STATE_RECEIVER, Pipeline.SKIP_IN, cookie, learnedCookie));
            }
            if (r.direction().appliesTo(Direction.IN)) {
              flows.add(learnFlow(Pipeline.LEARN_RECEIVER, Pipeline.dstVmMetadata(idx)
                  | ((long) number << Pipeline.RECEIVER_RULE_SHIFT), Pipeline.DST_VM_MASK | Pipeline.RECEIVER_RULE_MASK,
                  p, Pipeline.STATE_SENDER, Pipeline.SKIP_OUT, cookie, learnedCookie));
            }
          }
        }
      }
    }
    long base = Cookie.base(FlowKind.BASE).encode();
    for (String t : List.of(Pipeline.STATE_SENDER, Pipeline.STATE_RECEIVER, Pipeline.LEARN_SENDER,
        Pipeline.LEARN_RECEIVER)) {
      flows.add(FlowEntry.builder(t, MISS_PRIORITY).cookie(base).build());
    }
    return flows;
  }

  /**
   * One learn flow: for a delivered packet of protocol {@code p} from (or to) the VM and rule in
   * the metadata, learn the reply — its sender is this packet's receiver (metadata bits 0-15 match
   * this packet's bits 16-31), addresses and ports swapped — into {@code stateTable}, where it
   * sets {@code marker}.
   */
  private FlowEntry learnFlow(String table, long metadata, long mask, Protocol p, String stateTable, long marker,
      long cookie, long learnedCookie) {
    MatchField srcPort = srcPortField(p);
    MatchField dstPort = dstPortField(p);
    List<LearnSpec> specs = List.of(
        new LearnSpec.MatchValue(MatchField.ETH_TYPE, ETH_TYPE_IPV4),
        new LearnSpec.MatchValue(MatchField.IP_PROTO, p.number()),
        new LearnSpec.MatchCopy(MatchField.METADATA, 0, MatchField.METADATA, 16, 16),
        LearnSpec.MatchCopy.whole(MatchField.IPV4_SRC, MatchField.IPV4_DST),
        LearnSpec.MatchCopy.whole(MatchField.IPV4_DST, MatchField.IPV4_SRC),
        LearnSpec.MatchCopy.whole(srcPort, dstPort),
        LearnSpec.MatchCopy.whole(dstPort, srcPort),
        new LearnSpec.LoadMetadata(1, Long.numberOfTrailingZeros(marker), 1));
    return FlowEntry.builder(table, LEARN_PRIORITY)
        .match(FlowMatch.builder().masked(MatchField.METADATA, metadata, mask).exact(MatchField.ETH_TYPE, ETH_TYPE_IPV4)
            .exact(MatchField.IP_PROTO, p.number()).build())
        .action(new FlowAction.Learn(stateTable, LEARNED_PRIORITY, config.controller().idleTimeoutS(), learnedCookie,
            specs))
        .cookie(cookie).build();
  }

  /** The 1-based number of a stateful allow among its rule set's, in layer and rule order. */
  private int statefulNumber(Vm vm, Rule rule) {
    int number = 0;
    for (Layer layer : layersOf(vm)) {
      for (Rule r : layer.rules()) {
        if (r.action() == RuleAction.ALLOW && r.stateful()) {
          number++;
          if (r == rule) {
            if (number > Pipeline.MAX_STATEFUL_RULES) {
              throw new IllegalArgumentException("rule set " + vm.ruleset() + " has more than "
                  + Pipeline.MAX_STATEFUL_RULES + " stateful rules");
            }
            return number;
          }
        }
      }
    }
    throw new IllegalStateException("rule " + rule.id() + " is not a stateful allow of " + vm.ruleset());
  }

  // ---------------------------------------------------------------- helpers

  private Host host(String name) {
    return config.host(name).orElseThrow(() -> new IllegalArgumentException("no host named " + name));
  }

  private long meterId(Vm vm) {
    return config.vmIndex(vm.name()) + 1L;
  }

  /** Miss meters are numbered above every VM's rate meter (VM index + 1 is at most {@code PolicyIds.MAX_VM + 1}). */
  public static final long MISS_METER_BASE = 0x1_0000L;

  /** The id of VM {@code vm}'s miss meter. */
  private long missMeterId(Vm vm) {
    return MISS_METER_BASE + config.vmIndex(vm.name()) + 1L;
  }
}
