package org.nicflow.compiler.eval;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.nicflow.compiler.model.Backend;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.DefaultAction;
import org.nicflow.compiler.model.Direction;
import org.nicflow.compiler.model.Host;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.Layer;
import org.nicflow.compiler.model.LoadBalancer;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.model.Rule;
import org.nicflow.compiler.model.RuleSet;
import org.nicflow.compiler.model.SnatShares;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.model.Vnet;
import org.nicflow.compiler.packet.PacketHeaders;

/**
 * The source of truth for what nicflow does with a packet, as {@code docs/semantics.md} states it.
 * Pure: no clock, no I/O, no state but what it precomputes from the config at construction (VM and
 * VNET indexes, one {@link LayerClassifier} per rule set, layer and direction, the load-balancer
 * VIPs). Immutable once built, so one instance serves every thread; build a new one for a new
 * config or a new set of unhealthy backends.
 *
 * <p>Layer steps outside any rule set appear in {@link Decision#layers()} as: connection state
 * admitting a reply ({@code layer = rule = "connection"}, action {@code allow}) and a load balancer
 * rewriting its VIP ({@code layer = "load_balancer"}, rule = the load balancer's name, action
 * {@code dnat}).
 *
 * <p>Readings where {@code docs/semantics.md} leaves room:
 * <ul>
 *   <li>A receiver's {@code in} layers are skipped when the packet is the reply of a connection it
 *       owns: the packet equals the connection's reply key, or the reverse of its original tuple
 *       (a reply another host already restored). This holds at tunnel ingress too, so both hosts
 *       reach the same verdict for a reply.
 *   <li>At tunnel ingress the receiver's {@code in} layers are also skipped when the packet is a
 *       forward packet of a connection the receiver owns (it equals the connection's
 *       {@code translated} tuple): the sender's host already ran them and applied their rewrites,
 *       so running them again could translate the packet twice (an inbound SNAT rule).
 *   <li>A connection's {@code translated} tuple is in {@code public} scope for SNAT and for packets
 *       leaving by the uplink; otherwise in the VNET's scope. From the uplink only SNAT replies are
 *       admitted (a stateful connection to the physical network without SNAT has a private,
 *       possibly overlapping source, so its replies cannot be told apart).
 *   <li>A VM has at most one connection per packet: SNAT if its layers rewrote the source, else
 *       stateful; a load-balanced packet gives the backend one load-balancer connection.
 *   <li>A new packet of a live load-balancer connection keeps its backend while that backend is
 *       healthy.
 *   <li>ICMP and other protocols without ports keep their fields under SNAT (no port is
 *       allocated).
 *   <li>The meter applies to every packet from a metered VM's port that passes anti-spoofing,
 *       whatever the verdict.
 * </ul>
 */
public final class ReferenceEvaluator implements PacketEvaluator {

  /** Layer name of a decision taken by connection state. */
  public static final String CONNECTION_LAYER = "connection";
  /** Layer name of a load balancer's VIP rewrite. */
  public static final String LOAD_BALANCER_LAYER = "load_balancer";


  private final Config config;
  private final Set<String> unhealthyVms;
  private final MacAddress gatewayMac;
  private final Map<String, Vm> vms = new HashMap<>();
  private final Map<String, Integer> vmIndexes = new HashMap<>();
  private final Map<String, Host> hosts = new HashMap<>();
  private final Map<String, Vnet> vnets = new HashMap<>();
  private final Map<Integer, Vnet> vnetsByVni = new HashMap<>();
  private final Map<String, Map<Ipv4, Vm>> vmsByVnetAddress = new HashMap<>();
  private final Map<String, RuleSetClassifiers> classifiers = new HashMap<>();
  private final Map<VipKey, LoadBalancer> vips = new HashMap<>();
  private final SnatShares portShares;
  private final SnatShares queryIdShares;

  public ReferenceEvaluator(Config config) {
    this(config, Set.of());
  }

  /** An evaluator that skips the load-balancer backends named in {@code unhealthyVms}. */
  public ReferenceEvaluator(Config config, Set<String> unhealthyVms) {
    this.config = Objects.requireNonNull(config, "config");
    this.unhealthyVms = Set.copyOf(unhealthyVms);
    this.gatewayMac = config.controller().gatewayMac();
    config.hosts().forEach(h -> hosts.putIfAbsent(h.name(), h));
    for (Vnet vnet : config.vnets()) {
      vnets.putIfAbsent(vnet.name(), vnet);
      vnetsByVni.putIfAbsent(vnet.vni(), vnet);
    }
    for (int i = 0; i < config.vms().size(); i++) {
      Vm vm = config.vms().get(i);
      vmIndexes.putIfAbsent(vm.name(), config.vmIndex(vm.name()));
      vms.putIfAbsent(vm.name(), vm);
      vmsByVnetAddress.computeIfAbsent(vm.vnet(), k -> new HashMap<>()).putIfAbsent(vm.ip(), vm);
    }
    for (RuleSet rs : config.rulesets()) {
      classifiers.putIfAbsent(rs.name(), new RuleSetClassifiers(rs));
    }
    for (LoadBalancer lb : config.loadBalancers()) {
      vips.putIfAbsent(new VipKey(lb.vip(), lb.proto().number(), lb.port()), lb);
    }
    portShares = SnatShares.of(config, SnatShares.PORT_SPACE);
    queryIdShares = SnatShares.of(config, SnatShares.QUERY_ID_SPACE);
  }

  public Config config() {
    return config;
  }

  @Override
  public Decision evaluate(Ingress ingress, PacketHeaders packet, ConnectionLookup connections) {
    Objects.requireNonNull(ingress, "ingress");
    Objects.requireNonNull(packet, "packet");
    Objects.requireNonNull(connections, "connections");
    Walk walk = new Walk(packet, connections);
    Host host = hosts.get(ingress.host());
    if (host == null) {
      return walk.drop("unknown host " + ingress.host());
    }
    if (ingress instanceof Ingress.VmPort port) {
      return fromVmPort(walk, host, port);
    }
    if (ingress instanceof Ingress.Tunnel tunnel) {
      return fromTunnel(walk, host, tunnel);
    }
    return fromUplink(walk, host);
  }

  // ---------------------------------------------------------------- ingress kinds

  private Decision fromVmPort(Walk walk, Host host, Ingress.VmPort port) {
    Vm sender = vms.get(port.vm());
    if (sender == null || !sender.host().equals(host.name())) {
      return walk.drop("no VM " + port.vm() + " on host " + host.name());
    }
    if (!walk.packet.ethSrc().equals(sender.mac()) || !walk.packet.nwSrc().equals(sender.ip())) {
      return walk.drop("spoofed source");
    }
    if (sender.meterKbps().isPresent()) {
      walk.meter = OptionalLong.of(vmIndexes.get(sender.name()) + 1L);
    }
    Vnet vnet = vnets.get(sender.vnet());
    FlowTuple tuple = FlowTuple.of(walk.packet, vnet.vni());
    walk.origin = tuple;
    Optional<Connection> own = walk.replyOf(tuple, sender.name());
    Created senderCreated = Created.NONE;
    if (own.isPresent()) {
      Connection c = own.get();
      walk.admitByConnection(sender, Direction.OUT, c);
      walk.restore(c.original().reversed());
      if (c.original().scope() == FlowTuple.PUBLIC) {
        // The reply of a load-balanced connection: back to the client on the physical network.
        return toUplink(walk, host, sender, Created.NONE);
      }
    } else {
      Optional<Created> run = runLayers(walk, sender, Direction.OUT);
      if (run.isEmpty()) {
        return walk.dropped();
      }
      senderCreated = run.get();
    }
    Ipv4 dst = walk.packet.nwDst();
    if (!vnet.prefix().contains(dst)) {
      return toUplink(walk, host, sender, senderCreated);
    }
    Vm receiver = vmAt(vnet, dst);
    if (receiver == null) {
      return walk.drop("no VM at " + dst + " in VNET " + vnet.name());
    }
    Optional<Created> received = receive(walk, receiver, vnet);
    if (received.isEmpty()) {
      return walk.dropped();
    }
    Output out = deliver(walk, host, receiver, vnet);
    walk.create(sender, senderCreated, vnet.vni());
    walk.create(receiver, received.get(), vnet.vni());
    return walk.allow(out);
  }

  private Decision fromTunnel(Walk walk, Host host, Ingress.Tunnel tunnel) {
    Vnet vnet = vnetsByVni.get(tunnel.vni());
    if (vnet == null) {
      return walk.drop("unknown VNI " + tunnel.vni());
    }
    walk.origin = FlowTuple.of(walk.packet, vnet.vni());
    Ipv4 dst = walk.packet.nwDst();
    Vm receiver = vmAt(vnet, dst);
    if (receiver == null) {
      return walk.drop("no VM at " + dst + " in VNET " + vnet.name());
    }
    if (!receiver.host().equals(host.name())) {
      return walk.drop("VM " + receiver.name() + " is not on host " + host.name());
    }
    if (admittedUpstream(walk, receiver, vnet)) {
      walk.admitByConnection(receiver, Direction.IN, null);
      return walk.allow(deliver(walk, host, receiver, vnet));
    }
    Optional<Created> received = receive(walk, receiver, vnet);
    if (received.isEmpty()) {
      return walk.dropped();
    }
    Output out = deliver(walk, host, receiver, vnet);
    walk.create(receiver, received.get(), vnet.vni());
    return walk.allow(out);
  }

  private Decision fromUplink(Walk walk, Host host) {
    FlowTuple tuple = FlowTuple.of(walk.packet, FlowTuple.PUBLIC);
    walk.origin = tuple;
    List<Connection> replied = walk.connections.allByReplyKey(tuple);
    if (replied.isEmpty() && tuple.isIcmpEcho()) {
      replied = EchoPairs.asAlike(snatOnly(walk.connections.allByReplyPair(tuple.pair())), null, tuple.queryId())
          .map(List::of).orElse(List.of());
    }
    for (Connection c : replied) {
      Vm owner = vms.get(c.ownerVm());
      if (c.kind() != Connection.Kind.SNAT || owner == null) {
        continue;
      }
      Vnet vnet = vnets.get(owner.vnet());
      walk.admitByConnection(owner, Direction.IN, c);
      walk.restore(c.original().reversed());
      return walk.allow(deliver(walk, host, owner, vnet));
    }
    LoadBalancer lb = vips.get(new VipKey(walk.packet.nwDst(), walk.packet.ipProto(), walk.packet.tpDst()));
    if (lb == null) {
      return walk.drop("not a VIP or live connection");
    }
    Optional<Backend> chosen = pickBackend(lb, tuple, walk.connections);
    if (chosen.isEmpty()) {
      return walk.drop("no healthy backend for load balancer " + lb.name());
    }
    Vm backend = vms.get(chosen.get().vm());
    Vnet vnet = vnets.get(backend.vnet());
    walk.layers.add(new LayerDecision(backend.name(), Direction.IN, LOAD_BALANCER_LAYER, -1, lb.name(), -1, "dnat"));
    walk.packet = walk.packet.withDestination(backend.ip(), chosen.get().port());
    Optional<Created> received = receive(walk, backend, vnet);
    if (received.isEmpty()) {
      return walk.dropped();
    }
    Output out = deliver(walk, host, backend, vnet);
    // One connection per owner: the load balancer's rewrite subsumes a stateful rule of the backend.
    walk.create(backend, new Created(true, Connection.Kind.LOAD_BALANCER), vnet.vni());
    return walk.allow(out);
  }

  // ---------------------------------------------------------------- steps

  /**
   * The receiver's side: its {@code in} layers in reverse order, or one connection decision when
   * the packet is the reply of a connection it owns (as its reply key, or already restored to the
   * reverse of the connection's original tuple by another host). Empty when dropped.
   */
  private Optional<Created> receive(Walk walk, Vm receiver, Vnet vnet) {
    FlowTuple tuple = FlowTuple.of(walk.packet, vnet.vni());
    Optional<Connection> asReply = walk.replyOf(tuple, receiver.name());
    if (asReply.isPresent()) {
      walk.admitByConnection(receiver, Direction.IN, asReply.get());
      walk.restore(asReply.get().original().reversed());
      return Optional.of(Created.NONE);
    }
    Optional<Connection> restored = walk.originalOf(tuple.reversed(), receiver.name());
    if (restored.isPresent()) {
      walk.admitByConnection(receiver, Direction.IN, restored.get());
      return Optional.of(Created.NONE);
    }
    return runLayers(walk, receiver, Direction.IN);
  }

  /**
   * Whether a packet arriving by tunnel is a forward packet of a connection {@code receiver} owns:
   * the sender's host ran the receiver's {@code in} layers for it, made the connection and applied
   * their rewrites, and the packet arrives as that connection's {@code translated} tuple (in the
   * VNET's scope, or in {@code public} scope for the receiver's SNAT). Running the layers again
   * would see the rewritten packet and could translate it twice.
   */
  private static boolean admittedUpstream(Walk walk, Vm receiver, Vnet vnet) {
    FlowTuple inVnet = FlowTuple.of(walk.packet, vnet.vni());
    if (walk.replyOf(inVnet.reversed(), receiver.name()).isPresent()) {
      return true;
    }
    FlowTuple inPublic = FlowTuple.of(walk.packet, FlowTuple.PUBLIC).reversed();
    List<Connection> snat = walk.connections.allByReplyKey(inPublic);
    if (snat.isEmpty() && inPublic.isIcmpEcho()) {
      snat = EchoPairs.asAlike(snatOnly(walk.connections.allByReplyPair(inPublic.pair())), receiver.name(),
          inPublic.queryId()).map(List::of).orElse(List.of());
    }
    for (Connection c : snat) {
      if (c.ownerVm().equals(receiver.name()) && c.kind() == Connection.Kind.SNAT) {
        return true;
      }
    }
    return false;
  }

  /**
   * Runs {@code vm}'s layers for {@code direction} (docs/semantics.md, "Layers"). Empty when a
   * layer drops the packet (the walk then holds the reason); otherwise what connection state the
   * layers ask for.
   */
  private Optional<Created> runLayers(Walk walk, Vm vm, Direction direction) {
    RuleSetClassifiers rs = classifiers.get(vm.ruleset());
    if (rs == null) {
      walk.reason = "VM " + vm.name() + " has no rule set " + vm.ruleset();
      return Optional.empty();
    }
    boolean stateful = false;
    boolean snat = false;
    int n = rs.layers.size();
    for (int step = 0; step < n; step++) {
      int li = direction == Direction.OUT ? step : n - 1 - step;
      Layer layer = rs.layers.get(li);
      OptionalInt hit = rs.classifier(li, direction).classify(walk.packet);
      if (hit.isEmpty()) {
        DefaultAction def = layer.defaultAction();
        walk.layers.add(new LayerDecision(vm.name(), direction, layer.name(), li, LayerDecision.DEFAULT, -1,
            def.key()));
        if (def == DefaultAction.DENY) {
          walk.reason = "default deny in layer " + layer.name() + " of " + vm.name();
          return Optional.empty();
        }
        continue;
      }
      int ri = hit.getAsInt();
      Rule rule = layer.rules().get(ri);
      walk.layers.add(new LayerDecision(vm.name(), direction, layer.name(), li, rule.id(), ri, rule.action().key()));
      switch (rule.action()) {
        case ALLOW -> stateful |= rule.stateful();
        case DENY -> {
          walk.reason = "denied by rule " + rule.id() + " in layer " + layer.name() + " of " + vm.name();
          return Optional.empty();
        }
        case SET_DSCP -> walk.packet = walk.packet.withDscp(rule.dscp().getAsInt());
        case SNAT -> {
          Ipv4 to = rule.snatTo().get();
          if (walk.packet.isIcmpEcho()) {
            OptionalInt id = snatQueryId(walk, vm, to);
            if (id.isEmpty()) {
              walk.reason = "no free ICMP query identifier on " + to + " towards " + walk.packet.nwDst() + " in "
                  + vm.name() + "'s share " + queryIdShares.of(vm.name(), to) + " for rule " + rule.id();
              walk.snatExhausted = new SnatExhaustion(vm.name(), to, true);
              return Optional.empty();
            }
            walk.packet = walk.packet.withSource(to, walk.packet.tpSrc()).withIcmpId(id.getAsInt());
            snat = true;
            break;
          }
          OptionalInt sport = snatPort(walk, vm, to);
          if (sport.isEmpty()) {
            walk.reason = "no free SNAT port on " + to + " towards " + walk.packet.nwDst() + ":" + walk.packet.tpDst()
                + " in " + vm.name() + "'s share " + portShares.of(vm.name(), to) + " for rule " + rule.id();
            walk.snatExhausted = new SnatExhaustion(vm.name(), to, false);
            return Optional.empty();
          }
          walk.packet = walk.packet.withSource(to, sport.getAsInt());
          snat = true;
        }
        default -> throw new IllegalStateException("unknown action " + rule.action());
      }
    }
    if (snat) {
      return Optional.of(new Created(true, Connection.Kind.SNAT));
    }
    return Optional.of(stateful ? new Created(true, Connection.Kind.STATEFUL) : Created.NONE);
  }

  /**
   * The query identifier a SNAT to {@code to} gives an ICMP echo request (RFC 5508, section 3.1):
   * the identifier of an existing mapping of the same session, else the packet's own identifier
   * when it is in the VM's share of the address's identifiers and no session holds it towards the
   * same remote address (so that the switch need not rewrite it), else the first free identifier
   * of the share upwards from a stable hash of the session (wrapping round), which the connection
   * lookup finds without a probe per identifier.
   */
  private OptionalInt snatQueryId(Walk walk, Vm vm, Ipv4 to) {
    PacketHeaders p = walk.packet;
    for (Connection c : walk.connections.allByOriginal(walk.origin)) {
      if (c.ownerVm().equals(vm.name()) && c.kind() == Connection.Kind.SNAT && c.translated().src().equals(to)) {
        return OptionalInt.of(c.translated().queryId());
      }
    }
    FlowTuple own = FlowTuple.of(p.withSource(to, p.tpSrc()), FlowTuple.PUBLIC);
    SnatShares.Share share = queryIdShares.of(vm.name(), to);
    if (share.contains(p.icmpId()) && !walk.connections.translatedInUse(own)) {
      return OptionalInt.of(p.icmpId());
    }
    return walk.connections.freeQueryId(own.withQueryId(share.pick(hash(walk.origin))), share.lo(), share.hi());
  }

  /** The SNAT sessions of {@code sessions}. */
  private static List<Connection> snatOnly(List<Connection> sessions) {
    return sessions.stream().filter(c -> c.kind() == Connection.Kind.SNAT).toList();
  }

  /**
   * The source port a SNAT to {@code to} gives the packet: the port of an existing mapping of the
   * same original tuple, else the first free port of the VM's share of the address's ports upwards
   * from a stable hash of the original tuple (wrapping round), which the connection lookup finds
   * without a probe per port. ICMP and other protocols keep their fields.
   */
  private OptionalInt snatPort(Walk walk, Vm vm, Ipv4 to) {
    PacketHeaders p = walk.packet;
    if (!p.hasPorts()) {
      return OptionalInt.of(p.tpSrc());
    }
    for (Connection c : walk.connections.allByOriginal(walk.origin)) {
      if (c.ownerVm().equals(vm.name()) && c.kind() == Connection.Kind.SNAT && c.translated().src().equals(to)) {
        return OptionalInt.of(c.translated().srcPort());
      }
    }
    SnatShares.Share share = portShares.of(vm.name(), to);
    FlowTuple first = new FlowTuple(FlowTuple.PUBLIC, p.ipProto(), to, share.pick(hash(walk.origin)), p.nwDst(),
        p.tpDst());
    return walk.connections.freeSourcePort(first, share.lo(), share.hi());
  }

  /**
   * The backend for a new packet to a VIP: the backend of a live connection of the same tuple if
   * it is still a healthy backend, else a stable hash of the 5-tuple over the healthy backends that
   * name a known VM, in config order.
   */
  private Optional<Backend> pickBackend(LoadBalancer lb, FlowTuple tuple, ConnectionLookup connections) {
    List<Backend> healthy = lb.backends().stream()
        .filter(b -> vms.containsKey(b.vm()) && !unhealthyVms.contains(b.vm())).toList();
    if (healthy.isEmpty()) {
      return Optional.empty();
    }
    for (Connection c : connections.allByOriginal(tuple)) {
      if (c.kind() == Connection.Kind.LOAD_BALANCER) {
        for (Backend b : healthy) {
          Vm vm = vms.get(b.vm());
          if (b.vm().equals(c.ownerVm()) && vm.ip().equals(c.translated().dst())
              && b.port() == c.translated().dstPort()) {
            return Optional.of(b);
          }
        }
      }
    }
    return Optional.of(healthy.get(Math.floorMod(hash(tuple), healthy.size())));
  }

  /** Output to a VM of {@code vnet}: its port on this host, else the tunnel to its host. */
  private Output deliver(Walk walk, Host host, Vm receiver, Vnet vnet) {
    walk.packet = walk.packet.withEth(gatewayMac, receiver.mac());
    if (receiver.host().equals(host.name())) {
      return new Output(Output.Kind.LOCAL, receiver.port(), host.name(), 0);
    }
    return new Output(Output.Kind.TUNNEL, Host.tunnelPortName(receiver.host()), receiver.host(), vnet.vni());
  }

  private Decision toUplink(Walk walk, Host host, Vm sender, Created senderCreated) {
    if (host.nextHopMac().isEmpty()) {
      return walk.drop("no next_hop_mac on host " + host.name());
    }
    walk.packet = walk.packet.withEth(gatewayMac, host.nextHopMac().get());
    walk.create(sender, senderCreated, FlowTuple.PUBLIC);
    return walk.allow(new Output(Output.Kind.UPLINK, host.uplink(), host.name(), 0));
  }

  private Vm vmAt(Vnet vnet, Ipv4 address) {
    return vmsByVnetAddress.getOrDefault(vnet.name(), Map.of()).get(address);
  }

  /** A stable hash of a tuple (murmur3, fixed seed): the same on every run and every JVM. */
  static int hash(FlowTuple t) {
    Hasher h = Hashing.murmur3_32_fixed().newHasher();
    h.putInt(t.scope()).putInt(t.proto()).putInt(t.src().bits()).putInt(t.srcPort()).putInt(t.dst().bits())
        .putInt(t.dstPort());
    if (t.queryId() != 0) {
      h.putInt(t.queryId()); // only echo sessions have one: every other tuple hashes as it always did
    }
    return h.hash().asInt();
  }

  // ---------------------------------------------------------------- values

  /** Whether a VM's layers ask for a connection, and of which kind. */
  private record Created(boolean wanted, Connection.Kind kind) {
    static final Created NONE = new Created(false, Connection.Kind.STATEFUL);
  }

  private record VipKey(Ipv4 vip, int proto, int port) {}

  /** One classifier per layer and direction of a rule set. */
  private static final class RuleSetClassifiers {
    final List<Layer> layers;
    final List<LayerClassifier> out = new ArrayList<>();
    final List<LayerClassifier> in = new ArrayList<>();

    RuleSetClassifiers(RuleSet rs) {
      this.layers = rs.layers();
      for (Layer layer : layers) {
        out.add(LayerClassifier.of(layer, Direction.OUT));
        in.add(LayerClassifier.of(layer, Direction.IN));
      }
    }

    LayerClassifier classifier(int layer, Direction direction) {
      return direction == Direction.OUT ? out.get(layer) : in.get(layer);
    }
  }

  /** The state of one evaluation; lives for one call. */
  private final class Walk {
    final ConnectionLookup connections;
    final List<LayerDecision> layers = new ArrayList<>();
    final List<Connection> created = new ArrayList<>();
    /** Echo sessions that admitted the packet (exact or alike): whether the switch can carry it depends on them. */
    final List<Connection> admittedEcho = new ArrayList<>();
    final PacketHeaders arrived;
    PacketHeaders packet;
    FlowTuple origin;
    OptionalLong meter = OptionalLong.empty();
    String reason;
    /** Set when a SNAT found its VM's share used up. */
    SnatExhaustion snatExhausted;

    Walk(PacketHeaders packet, ConnectionLookup connections) {
      this.packet = packet;
      this.arrived = packet;
      this.connections = connections;
    }

    /**
     * Records a step admitted by connection state; {@code by} is the connection, when one admitted
     * it by name (null for a forward packet its sender's host already admitted).
     */
    void admitByConnection(Vm vm, Direction direction, Connection by) {
      layers.add(new LayerDecision(vm.name(), direction, CONNECTION_LAYER, -1, LayerDecision.CONNECTION, -1, "allow"));
      if (by != null && by.original().isIcmpEcho()) {
        admittedEcho.add(by);
      }
    }

    /**
     * The connection of {@code owner} whose reply tuple is {@code tuple}; for an ICMP echo whose
     * identifier no session has, the owner's session of an alike pair (see {@link EchoPairs}).
     */
    Optional<Connection> replyOf(FlowTuple tuple, String owner) {
      Optional<Connection> exact = connections.byReplyKey(tuple, owner);
      if (exact.isPresent() || !tuple.isIcmpEcho()) {
        return exact;
      }
      return EchoPairs.asAlike(connections.allByReplyPair(tuple.pair()), owner, tuple.queryId());
    }

    /** As {@link #replyOf}, by the connection's original tuple. */
    Optional<Connection> originalOf(FlowTuple tuple, String owner) {
      Optional<Connection> exact = connections.byOriginal(tuple, owner);
      if (exact.isPresent() || !tuple.isIcmpEcho()) {
        return exact;
      }
      List<Connection> sessions = connections.allByOriginalPair(tuple.pair());
      return sessions.isEmpty() ? Optional.empty()
          : EchoPairs.asAlike(connections.allByReplyPair(sessions.get(0).replyKey().pair()), owner, tuple.queryId());
    }

    /** Rewrites addresses (and TCP/UDP ports, or an echo's query identifier) to those of {@code tuple}. */
    void restore(FlowTuple tuple) {
      int sport = packet.hasPorts() ? tuple.srcPort() : packet.tpSrc();
      int dport = packet.hasPorts() ? tuple.dstPort() : packet.tpDst();
      packet = packet.withSource(tuple.src(), sport).withDestination(tuple.dst(), dport);
      if (packet.isIcmpEcho()) {
        packet = packet.withIcmpId(tuple.queryId());
      }
    }

    /**
     * Whether the switch cannot carry this decision in an exact flow for every packet that flow
     * would match: the packet is a request or reply of a SNAT echo session (the controller must see
     * every identifier a public address carries, to give each its own; and a reply flow that
     * served one VM would have to be replaced when a second shares the pair, which the switch's
     * datapath cache does not honour at once), the decision rewrites an echo's query identifier,
     * or an echo session it made or was admitted by shares its pair with sessions that are not
     * alike ({@link EchoPairs}).
     */
    boolean controllerPath() {
      if (packet.icmpId() != arrived.icmpId()) {
        return true;
      }
      if (admittedEcho.isEmpty() && created.stream().noneMatch(c -> c.original().isIcmpEcho())) {
        return false;
      }
      if (created.stream().anyMatch(c -> c.original().isIcmpEcho() && c.kind() == Connection.Kind.SNAT)
          || admittedEcho.stream().anyMatch(c -> c.kind() == Connection.Kind.SNAT)) {
        return true;
      }
      ConnectionLookup now = connections.with(created);
      for (Connection c : admittedEcho) {
        if (!EchoPairs.alike(now.allByReplyPair(c.replyKey().pair()))) {
          return true;
        }
      }
      for (Connection c : created) {
        if (c.original().isIcmpEcho() && !EchoPairs.alike(now.allByReplyPair(c.replyKey().pair()))) {
          return true;
        }
      }
      return false;
    }

    /**
     * Records a connection owned by {@code owner} when its layers asked for one: original as the
     * packet left the sender, translated as it leaves now ({@code public} scope for SNAT and for
     * the uplink, else {@code scope}).
     */
    void create(Vm owner, Created what, int scope) {
      if (!what.wanted()) {
        return;
      }
      int translatedScope = what.kind() == Connection.Kind.SNAT ? FlowTuple.PUBLIC : scope;
      Connection c = new Connection(origin, FlowTuple.of(packet, translatedScope), owner.name(), what.kind());
      if (!created.contains(c)) {
        created.add(c);
      }
    }

    Decision drop(String why) {
      reason = why;
      return dropped();
    }

    Decision dropped() {
      return new Decision(Verdict.DROP, layers, packet, Optional.empty(), Optional.of(reason), meter, List.of(), false,
          Optional.ofNullable(snatExhausted));
    }

    Decision allow(Output output) {
      return new Decision(Verdict.ALLOW, layers, packet, Optional.of(output), Optional.empty(), meter, created,
          controllerPath());
    }
  }
}
