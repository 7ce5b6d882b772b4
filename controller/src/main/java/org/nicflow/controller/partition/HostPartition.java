package org.nicflow.controller.partition;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.nicflow.compiler.eval.Connection;
import org.nicflow.compiler.eval.ConnectionTable;
import org.nicflow.compiler.diff.FlowDiff;
import org.nicflow.compiler.diff.FlowDiffer;
import org.nicflow.compiler.flow.Cookie;
import org.nicflow.compiler.flow.FlowEntry.FlowKey;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.MeterSpec;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.proactive.OvsFlowRenderer;
import org.nicflow.controller.openflow.SwitchConnection;
import org.nicflow.controller.openflow.ThrottledLog;
import org.nicflow.controller.policy.PolicySnapshot;
import org.nicflow.controller.policy.UpdatePlan;
import org.nicflow.controller.openflow.SwitchListener;
import org.nicflow.controller.openflow.ThrottledLog;
import org.nicflow.controller.openflow.packet.FrameParser;
import org.nicflow.controller.openflow.packet.PacketOuts;
import org.nicflow.controller.openflow.packet.ParsedFrame;
import org.nicflow.controller.openflow.translate.FlowCounters;
import org.nicflow.controller.openflow.translate.FlowModTranslator;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFFlowModCommand;
import org.projectfloodlight.openflow.protocol.OFFlowRemoved;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFMeterMod;
import org.projectfloodlight.openflow.protocol.OFMeterModCommand;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.projectfloodlight.openflow.protocol.OFFlowModFailedCode;
import org.projectfloodlight.openflow.protocol.errormsg.OFFlowModFailedErrorMsg;
import org.projectfloodlight.openflow.protocol.errormsg.OFMeterModFailedErrorMsg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host partition: programs each host's bridge with its base (or proactive) flows, evaluates
 * misses and installs unified flows, and folds the counters of expired flows into per-rule
 * statistics. Every callback runs on the switch's own executor (see {@link SwitchListener}); the
 * decisions themselves come from the pure {@link MissHandler} and {@link HostPipelineCompiler}.
 */
public final class HostPartition implements SwitchListener {

  private static final Logger log = LoggerFactory.getLogger(HostPartition.class);

  /** An OpenFlow ERROR a switch sent, kept for operators and tests. */
  public record SwitchError(String host, String error, String request) {}

  /**
   * Per-switch state, written only on the switch's own executor: which unified flows were sent and
   * not yet removed, which miss installed each (to re-decide it when the policy changes), which
   * ports exist.
   */
  private static final class SwitchFlows {
    final HeldFlows unified = new HeldFlows();
    /** Connections that could not get their flows here (docs/controller.md, "Flow budget"). */
    final FlowlessConnections flowless = new FlowlessConnections();
    /**
     * Flows an eviction deleted whose answer has not come yet (their FLOW_REMOVED, or the TABLE_FULL
     * of an install the table refused), with how many such deletes of the key are owed one (a key
     * can be evicted, installed again and evicted again before the first answer): the switch's
     * thread only.
     */
    final Map<FlowKey, Integer> evicting = new java.util.HashMap<>();
    final Map<FlowKey, FlowRedecider.Installed> origins = new ConcurrentHashMap<>();
    final java.util.Set<String> ports = ConcurrentHashMap.newKeySet();
    /** The policy this switch was last brought to. */
    volatile PolicySnapshot policy;
    /** The miss budgets of the host's VMs under {@link #policy}: the switch's thread only. */
    MissBudgets budgets;
    final SwitchConnection sw;
    /** Updates handed to this switch and not finished: completed when it goes away. */
    final List<CompletableFuture<Void>> pending = new CopyOnWriteArrayList<>();

    SwitchFlows(SwitchConnection sw, PolicySnapshot policy) {
      this.sw = sw;
      this.policy = policy;
    }

    /** The misses whose flows are in the switch, each with the flows it still has there. */
    List<FlowRedecider.Installed> live() {
      Map<FlowRedecider.Installed, Boolean> seen = new java.util.IdentityHashMap<>();
      List<FlowRedecider.Installed> out = new ArrayList<>();
      for (FlowRedecider.Installed i : origins.values()) {
        if (seen.put(i, Boolean.TRUE) == null) {
          List<FlowEntry> still = i.flows().stream().filter(f -> unified.containsKey(f.key())).toList();
          if (!still.isEmpty()) {
            out.add(i.withFlows(still));
          }
        }
      }
      return out;
    }
  }

  /** How often one miss is decided again when its SNAT translation was taken meanwhile. */
  private static final int CLAIM_ATTEMPTS = 3;
  /** At most this many re-decision passes per update (each pass after the first ended a connection). */
  private static final int REDECIDE_PASSES = 8;
  /** How often a VM's used-up SNAT share on one address is logged (each drop is counted). */
  static final java.time.Duration SNAT_LOG_INTERVAL = java.time.Duration.ofSeconds(60);

  private final AtomicReference<PolicySnapshot> policy;
  private final FlowReconciler reconciler;
  private final FrameParser frames;
  private final ConnectionTable connections;
  private final ConnectionFlows connectionFlows;
  private final RuleStatistics statistics;
  private final PartitionCounters counters = new PartitionCounters();
  private final Map<Long, SwitchFlows> switches = new ConcurrentHashMap<>();
  private final List<SwitchError> errors = new CopyOnWriteArrayList<>();
  private final Map<String, SwitchConnection> connected = new ConcurrentHashMap<>();
  /** Monotonic nanoseconds for the miss budgets, the flow budget's recency and the idle clock of flowless connections. */
  private final java.util.function.LongSupplier clock;
  /** One line per cause and minute: connections refused flows, evictions, used-up SNAT shares. */
  private final ThrottledLog throttled;

  public HostPartition(
      PolicySnapshot initial,
      FlowReconciler reconciler,
      FrameParser frames,
      ConnectionTable connections,
      RuleStatistics statistics) {
    this(initial, reconciler, frames, connections, statistics, System::nanoTime);
  }

  /** As the other constructor, with {@code clock} (monotonic nanoseconds) timing the miss budgets. */
  public HostPartition(
      PolicySnapshot initial,
      FlowReconciler reconciler,
      FrameParser frames,
      ConnectionTable connections,
      RuleStatistics statistics,
      java.util.function.LongSupplier clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.throttled = new ThrottledLog(SNAT_LOG_INTERVAL, clock);
    this.policy = new AtomicReference<>(Objects.requireNonNull(initial, "initial"));
    this.reconciler = Objects.requireNonNull(reconciler, "reconciler");
    this.frames = Objects.requireNonNull(frames, "frames");
    this.connections = Objects.requireNonNull(connections, "connections");
    this.connectionFlows = new ConnectionFlows(connections);
    this.statistics = Objects.requireNonNull(statistics, "statistics");
  }

  /** The policy in force: what new misses are decided with. */
  public PolicySnapshot policy() {
    return policy.get();
  }

  public PartitionCounters.Snapshot counters() {
    return counters.snapshot();
  }

  /** Packet-ins dropped over their VM's miss budget so far, by VM (VMs that never went over are absent). */
  public Map<String, Long> missesOverBudget() {
    return counters.overBudgetByVm();
  }

  /** Packet-ins dropped over the miss budget of VM {@code vm} so far. */
  public long missesOverBudget(String vm) {
    return counters.overBudgetOf(vm);
  }

  /**
   * New connections dropped so far because their VM's SNAT share towards their destination was
   * used up, by VM (VMs that never used one up are absent).
   */
  public Map<String, Long> snatExhausted() {
    return counters.snatExhausted.all();
  }

  /** New connections of VM {@code vm} dropped so far because its SNAT share was used up. */
  public long snatExhausted(String vm) {
    return counters.snatExhausted.of(vm);
  }

  public List<SwitchError> errors() {
    return List.copyOf(errors);
  }

  public RuleStatistics statistics() {
    return statistics;
  }

  public ConnectionTable connections() {
    return connections;
  }

  /** Hosts whose bridge is connected and has had its flows programmed once. */
  public List<String> connectedHosts() {
    List<String> hosts = new ArrayList<>(connected.keySet());
    Collections.sort(hosts);
    return hosts;
  }

  public Optional<SwitchConnection> switchOf(String host) {
    return Optional.ofNullable(connected.get(host));
  }

  @Override
  public void switchConnected(SwitchConnection sw) {
    PolicySnapshot now = policy.get();
    SwitchFlows state = new SwitchFlows(sw, now);
    state.budgets = MissBudgets.of(now.config(), sw.host(), clock.getAsLong());
    state.ports.addAll(sw.ports().byName().keySet());
    switches.put(sw.dpid().getLong(), state);
    programMeters(sw, now);
    // Connection flows the switch kept (a controller restart, a reconnect) are taken back first, so
    // that live connections keep flowing and their SNAT ports and backends stay theirs.
    sw.flowStats().handle((stats, failure) -> {
      if (failure != null) {
        log.warn("host {}: could not read the flows to take back: {}", sw.host(), failure.toString());
      } else {
        adopt(sw, state, stats);
      }
      return null;
    }).thenCompose(v -> program(sw, state.policy, "connect"));
  }

  @Override
  public void switchDisconnected(SwitchConnection sw) {
    connected.remove(sw.host(), sw);
    SwitchFlows gone = switches.remove(sw.dpid().getLong());
    if (gone != null) {
      // A switch that went away gets the whole desired state when it comes back: nothing to wait for.
      gone.pending.forEach(f -> f.complete(null));
    }
    connectionFlows.switchGone(sw.dpid().getLong());
    log.info("host {} ({}) disconnected", sw.host(), sw.dpid());
  }

  @Override
  public void portChanged(SwitchConnection sw, String portName, boolean added) {
    SwitchFlows state = switches.get(sw.dpid().getLong());
    if (state == null) {
      return;
    }
    if (added && !state.ports.add(portName)) {
      return; // a known port changed state (link up/down): its flows stay as they are
    }
    log.info("host {}: port {} {}", sw.host(), portName, added ? "appeared" : "disappeared");
    if (!added) {
      state.ports.remove(portName);
      state.unified.removeIf(f -> FlowPorts.refersTo(f, portName));
      Config config = state.policy.config();
      config.vmsOnHost(sw.host()).stream()
          .filter(vm -> vm.port().equals(portName))
          .forEach(vm -> forgetVmFlows(sw, config.vmIndex(vm.name())));
    }
    program(sw, state.policy, "port " + portName + (added ? " added" : " removed"));
  }

  @Override
  public void packetIn(SwitchConnection sw, OFPacketIn packetIn) {
    counters.packetIns.increment();
    SwitchFlows state = switches.get(sw.dpid().getLong());
    if (state == null) {
      counters.ignoredMisses.increment();
      return;
    }
    Optional<String> portName;
    try {
      portName = sw.ports().name(PacketOuts.inPort(packetIn));
    } catch (IllegalArgumentException noInPort) {
      portName = Optional.empty();
    }
    // A VM's misses spend its own budget, before any parsing or evaluation (docs/config.md, miss_rate_pps).
    Optional<String> over = portName.flatMap(p -> state.budgets.overBudget(p, clock.getAsLong()));
    if (over.isPresent()) {
      counters.overBudget(over.get());
      return;
    }
    ParsedFrame frame = frames.parse(packetIn.getData());
    if (frame instanceof ParsedFrame.Malformed bad) {
      counters.malformedFrames.increment();
      log.debug("host {}: malformed frame dropped: {}", sw.host(), bad.reason());
      return;
    }
    if (!(frame instanceof ParsedFrame.Ipv4Frame ip) || ip.fragment() == ParsedFrame.Fragment.LATER) {
      // ARP is answered by the bridge; later fragments carry no ports to build a flow from.
      counters.unsupportedFrames.increment();
      return;
    }
    OptionalLong tunnelId = PacketOuts.tunnelId(packetIn);
    Miss miss = decide(sw, state, portName, tunnelId, PacketOuts.metadata(packetIn), ip);
    if (miss instanceof Miss.Ignored ignored) {
      counters.ignoredMisses.increment();
      log.debug("host {}: miss ignored: {}", sw.host(), ignored.reason());
      return;
    }
    offload(sw, state, (Miss.Offload) miss, tunnelId, packetIn);
  }

  /**
   * Decides a miss and claims the connections it creates in one step: when another switch's thread
   * took the SNAT translation this decision chose in the meantime, the decision is taken again
   * against the table as it is now (which then holds that translation), a few times at most.
   */
  private Miss decide(SwitchConnection sw, SwitchFlows state, Optional<String> portName, OptionalLong tunnelId,
      long metadata, ParsedFrame.Ipv4Frame ip) {
    for (int attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      Miss miss = state.policy.missHandler().handle(sw.host(), portName, tunnelId, metadata, ip.headers(),
          connections);
      if (!(miss instanceof Miss.Offload offload) || connectionFlows.claim(offload.carried())) {
        return miss;
      }
      counters.claimConflicts.increment();
    }
    return new Miss.Ignored("the SNAT translation was taken by another connection " + CLAIM_ATTEMPTS + " times");
  }

  private void offload(SwitchConnection sw, SwitchFlows state, Miss.Offload miss, OptionalLong tunnelId,
      OFPacketIn packetIn) {
    long now = clock.getAsLong();
    List<FlowKey> keys = miss.flows().stream().map(FlowEntry::key).toList();
    String charge = chargeOf(state.policy.config(), miss);
    Optional<FlowlessConnections.Mark> flowless = state.flowless.find(keys);
    List<FlowEntry> sent;
    if (flowless.isPresent()) {
      // A connection that could not get its flows: its packets go on by packet-out until room is made.
      state.flowless.touch(flowless.get(), now);
      connectionFlows.hold(miss.carried(), now + idleNanos(state));
      sent = List.of();
    } else {
      sent = install(sw, state, miss.flows(), miss.carried(), charge, now);
    }
    state.unified.touch(keys, now);
    boolean controllerPath = miss.decision().controllerPath();
    if (controllerPath) {
      // Every packet of such a session comes here: it is carried by the pair's flows, sent or held.
      counters.controllerPathPackets.increment();
      connectionFlows.carry(sw.dpid().getLong(), miss.carried(),
          miss.flows().stream().filter(f -> f.equals(state.unified.get(f.key()))).map(FlowEntry::key).toList());
    }
    if (sent.isEmpty()) {
      if (!controllerPath && flowless.isEmpty() && state.flowless.find(keys).isEmpty()) {
        counters.duplicateMisses.increment();
      }
      connectionFlows.release(miss.carried());
    } else {
      counters.offloads.increment();
      // computed once: the whole decision and the other bridges' flows are made of the same reply flows
      Map<String, List<FlowEntry>> remoteReplies = state.policy.missHandler().remoteReplyFlows(miss);
      FlowRedecider.Installed origin =
          new FlowRedecider.Installed(sw.host(), miss.inPort(), tunnelId, miss.packet(), miss.flows(), sent,
              FlowRedecider.whole(sw.host(), miss, remoteReplies), state.policy.missHandler().learnedOwners(miss));
      sent.forEach(f -> state.origins.put(f.key(), origin));
      installRemoteReplies(remoteReplies, origin, miss);
    }
    if (!miss.decision().allowed()) {
      counters.deniedMisses.increment();
      miss.decision().snatExhaustion().ifPresent(used -> {
        counters.snatExhausted.increment(used.vm());
        throttled.warn(log, "snat " + used.vm() + " " + used.address() + (used.queryIds() ? " ids" : ""),
            "host {}: {}; its new connections there are dropped until some end (snat_ports)", sw.host(),
            miss.decision().dropReason().orElseThrow());
      });
      return;
    }
    Optional<FlowEntry> forward = miss.forwardFlow();
    if (forward.isEmpty() || !FlowPorts.resolvable(forward.get(), sw.ports())) {
      return;
    }
    // The triggering packet goes on with its own flow's actions, so the first packet of a
    // connection is not lost (see PacketOuts for why not output:TABLE). A packet the switch
    // cannot carry goes on with the actions its exact flow would have had, and the controller
    // rewrites its echo identifier.
    FlowModTranslator translator = new FlowModTranslator(sw.factory(), sw.ports());
    try {
      sw.send(controllerPath
          ? PacketOuts.applyWithEchoId(sw.factory(), translator.actions(state.policy.missHandler().sendOnActions(miss)),
              packetIn, miss.decision().packet().icmpId())
          : PacketOuts.apply(sw.factory(), translator.actions(forward.get().actions()), packetIn));
      counters.packetOuts.increment();
    } catch (IllegalArgumentException truncated) {
      log.debug("host {}: first packet not sent on: {}", sw.host(), truncated.getMessage());
    }
  }

  /**
   * Installs, on the bridges of other hosts, the reverse flows the new connections of {@code miss}
   * need where their replies enter (see {@link MissHandler#remoteReplyFlows}). Sent before the
   * triggering packet is sent on, so they are in place before any reply can exist. A host whose
   * bridge is not connected gets nothing: its replies miss there and are evaluated as usual. The
   * flows sent are remembered with the miss that made them, so a policy update re-decides them.
   */
  private void installRemoteReplies(Map<String, List<FlowEntry>> remoteReplies, FlowRedecider.Installed origin,
      Miss.Offload miss) {
    remoteReplies.forEach((host, flows) -> {
      SwitchConnection other = connected.get(host);
      if (other != null) {
        // The other bridge's state is its owner's: hand the work over, never write it from here.
        other.executor().execute(() -> {
          SwitchFlows state = switches.get(other.dpid().getLong());
          if (state != null) {
            List<FlowEntry> sent = install(other, state, flows, miss.decision().newConnections(),
                chargeOf(state.policy.config(), miss), clock.getAsLong());
            FlowRedecider.Installed here = origin.with(flows, sent);
            sent.forEach(f -> state.origins.put(f.key(), here));
          }
        });
      }
    });
  }

  /**
   * Sends the unified flows of {@code flows} that this switch has not been sent yet (and that name
   * only ports it has), charged to {@code charge}, and ties {@code connections} to them; first
   * evicts what the flow budget says must go to make room ({@link FlowBudget}). Returns the flows it
   * sent: none when the budget refuses them, and then the connections are served by packet-outs
   * ({@link #refuse}).
   */
  private List<FlowEntry> install(SwitchConnection sw, SwitchFlows state, List<FlowEntry> flows,
      List<Connection> connections, String charge, long now) {
    List<FlowEntry> resolvable = new ArrayList<>();
    for (FlowEntry f : flows) {
      if (!FlowPorts.resolvable(f, sw.ports())) {
        counters.unresolvedPorts.increment();
        log.warn("host {}: flow refers to a port the bridge lacks ({}), not installed", sw.host(),
            FlowPorts.names(f));
      } else {
        resolvable.add(f);
      }
    }
    List<FlowKey> adding = resolvable.stream().map(FlowEntry::key).filter(k -> !state.unified.containsKey(k))
        .distinct().toList();
    FlowBudget.Verdict verdict = budgetOf(state, charge)
        .admit(charge, adding.size(), resolvable.stream().map(FlowEntry::key).toList(),
            FlowBudget.of(state.unified, k -> connectionOf(state, k)));
    if (verdict instanceof FlowBudget.Verdict.Refuse refused) {
      refuse(sw, state, charge, refused.reason(), adding, connections, now);
      return List.of();
    }
    FlowBudget.Verdict.Admit admit = (FlowBudget.Verdict.Admit) verdict;
    if (!admit.evict().isEmpty()) {
      evict(sw, state, admit.evict(), adding.size());
    }
    FlowModTranslator translator = new FlowModTranslator(sw.factory(), sw.ports());
    List<FlowEntry.FlowKey> fresh = new ArrayList<>();
    List<FlowEntry> sent = new ArrayList<>();
    for (FlowEntry f : resolvable) {
      if (state.unified.add(f, charge, now) || replacesHeld(state, f)) {
        sw.send(translator.add(f));
        counters.flowMods.increment();
        fresh.add(f.key());
        sent.add(f);
      }
    }
    if (!fresh.isEmpty()) {
      connectionFlows.opened(sw.dpid().getLong(), connections, fresh);
    }
    return sent;
  }

  /**
   * Whether {@code f} takes the place of the flow the switch holds for the same key, by an ADD of
   * the same match that replaces it in place: a flow that lets traffic through replaces a
   * short-lived drop flow (an unsolicited packet denied before a connection that now admits it
   * existed, or a decision of an earlier policy); and a pair of ICMP echo sessions moves between an
   * exact flow and the controller's path as its sessions stop or start being alike
   * (docs/semantics.md, "ICMP echo sessions"). Drop flows never replace anything.
   */
  private static boolean replacesHeld(SwitchFlows state, FlowEntry f) {
    FlowEntry held = state.unified.get(f.key());
    if (held == null || held.equals(f) || isDenied(f)) {
      return false;
    }
    boolean pathChanged = !isDenied(held) && toController(held) != toController(f);
    if (!isDenied(held) && !pathChanged) {
      return false;
    }
    state.unified.replace(f, HeldFlows.NO_VM, 0);
    state.origins.remove(f.key());
    return true;
  }

  private static boolean toController(FlowEntry f) {
    return f.actions().stream().anyMatch(a -> a instanceof org.nicflow.compiler.flow.FlowAction.OutputController);
  }

  private static boolean isDenied(FlowEntry f) {
    return isDenied(f.cookie());
  }

  private static boolean isDenied(long cookie) {
    return Cookie.kindOf(cookie).filter(k -> k == org.nicflow.compiler.flow.FlowKind.DENIED).isPresent();
  }

  @Override
  public void flowRemoved(SwitchConnection sw, OFFlowRemoved removed) {
    counters.flowsRemoved.increment();
    statistics.fold(policy.get().config(), FlowCounters.from(removed));
    FlowModTranslator translator = new FlowModTranslator(sw.factory(), sw.ports());
    translator.keyOf(removed).ifPresent(key -> {
      SwitchFlows state = switches.get(sw.dpid().getLong());
      if (state != null && answersEviction(state, key)) {
        return; // the flow an eviction deleted, already forgotten: the key may hold a newer flow now
      }
      FlowEntry held = state == null ? null : state.unified.get(key);
      if (held != null && !isDenied(held) && isDenied(removed.getCookie().getValue())) {
        return; // the drop flow a connection's flow replaced: the flow now under this key lives on
      }
      if (state != null) {
        if (state.unified.remove(key) != null) {
          roomMade(state, 1);
        }
        state.origins.remove(key);
      }
      List<Connection> ended = connectionFlows.flowGone(sw.dpid().getLong(), key);
      if (!ended.isEmpty()) {
        log.debug("host {}: {} connection(s) ended", sw.host(), ended.size());
      }
    });
  }

  @Override
  public void error(SwitchConnection sw, OFErrorMsg error, Optional<OFMessage> request) {
    if (error instanceof OFMeterModFailedErrorMsg meterError
        && request.orElse(null) instanceof OFMeterMod meterMod
        && meterMod.getCommand() == OFMeterModCommand.ADD
        && meterError.getCode() == org.projectfloodlight.openflow.protocol.OFMeterModFailedCode.METER_EXISTS) {
      sw.send(meterMod.createBuilder().setCommand(OFMeterModCommand.MODIFY).setXid(0).build());
      return;
    }
    if (error instanceof OFFlowModFailedErrorMsg failed && failed.getCode() == OFFlowModFailedCode.TABLE_FULL
        && request.orElse(null) instanceof OFFlowMod mod && mod.getCommand() == OFFlowModCommand.ADD
        && tableFull(sw, mod)) {
      return;
    }
    counters.switchErrors.increment();
    if (request.orElse(null) instanceof OFFlowMod mod && mod.getCommand() == OFFlowModCommand.ADD) {
      rollBack(sw, mod);
    }
    String req = request.map(Object::toString).orElse("(request not known)");
    errors.add(new SwitchError(sw.host(), error.toString(), req));
    log.error("host {}: OpenFlow error {} answering {}", sw.host(), error, req);
  }

  /**
   * Makes {@code next} the policy in force and brings every connected switch to it. Each switch's
   * update runs on the switch's own executor: its live unified flows are re-decided
   * ({@link FlowRedecider}: same verdict and actions, kept and at most re-cookied in place; else
   * deleted, ending their connections), its meters and base (or proactive) flows are diffed
   * against the new desired state and only the difference is sent, and a barrier fences it all.
   * Completes when every switch connected now has answered that barrier (or gone away).
   */
  public CompletableFuture<Void> apply(PolicySnapshot next) {
    Objects.requireNonNull(next, "next");
    policy.set(next);
    List<CompletableFuture<Void>> updates = new ArrayList<>();
    for (SwitchFlows state : switches.values()) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      state.pending.add(done);
      done.whenComplete((v, e) -> state.pending.remove(done));
      updates.add(done);
      // An update that throws (a revision this host cannot compile) fails its future, never hangs it.
      state.sw.executor().execute(() -> CompletableFuture.completedFuture(next)
          .thenCompose(snapshot -> update(state, snapshot)).whenComplete((v, e) -> {
            if (e != null) {
              done.completeExceptionally(e);
            } else {
              done.complete(null);
            }
          }));
    }
    return CompletableFuture.allOf(updates.toArray(CompletableFuture[]::new));
  }

  /**
   * Reads every connected switch's flows and repairs drift from the desired state with the same
   * diff a reconnect uses (base or proactive flows: missing ones added, changed ones — cookie
   * included — put right, strays of ours deleted); flows whose cookie is not nicflow's are never
   * touched. Each switch is audited on its own executor. Completes with the number of flow-mods
   * the repairs took.
   */
  public CompletableFuture<Integer> audit() {
    connectionFlows.expireWaiting(clock.getAsLong());
    List<CompletableFuture<Integer>> audits = new ArrayList<>();
    for (SwitchFlows state : switches.values()) {
      CompletableFuture<Integer> done = new CompletableFuture<>();
      CompletableFuture<Void> gone = new CompletableFuture<>();
      state.pending.add(gone);
      gone.thenRun(() -> done.complete(0));
      done.whenComplete((n, e) -> state.pending.remove(gone));
      audits.add(done);
      state.sw.executor().execute(() -> program(state.sw, state.policy, "audit").whenComplete((report, e) -> {
        if (e != null) {
          done.completeExceptionally(e);
        } else {
          counters.auditRepairs.add(report.changes());
          done.complete(report.changes());
        }
      }));
    }
    return CompletableFuture.allOf(audits.toArray(CompletableFuture[]::new))
        .thenApply(v -> audits.stream().mapToInt(CompletableFuture::join).sum());
  }

  /**
   * What {@link #apply}ing {@code next} would do to each switch connected now, without doing it:
   * the flows its desired state gains, changes and loses (base or proactive flows, and the
   * connection flows re-decision would re-cookie or delete), and the connections that would end.
   * Each switch is asked on its own executor; the answer is by host name.
   */
  public CompletableFuture<Map<String, UpdatePlan.HostPlan>> plan(PolicySnapshot next) {
    Map<String, CompletableFuture<UpdatePlan.HostPlan>> asked = new java.util.TreeMap<>();
    for (SwitchFlows state : switches.values()) {
      CompletableFuture<UpdatePlan.HostPlan> answer = new CompletableFuture<>();
      CompletableFuture<Void> gone = new CompletableFuture<>();
      state.pending.add(gone);
      gone.thenRun(() -> answer.complete(offlinePlan(state.sw.host(), state.policy, next)));
      answer.whenComplete((p, e) -> state.pending.remove(gone));
      asked.put(state.sw.host(), answer);
      state.sw.executor().execute(() -> {
        try {
          answer.complete(planFor(state, next));
        } catch (RuntimeException e) {
          answer.completeExceptionally(e);
        }
      });
    }
    PolicySnapshot now = policy.get();
    return CompletableFuture.allOf(asked.values().toArray(CompletableFuture[]::new)).thenApply(v -> {
      Map<String, UpdatePlan.HostPlan> out = new java.util.TreeMap<>();
      asked.forEach((host, f) -> out.put(host, f.join()));
      java.util.stream.Stream.concat(now.config().hosts().stream(), next.config().hosts().stream())
          .map(org.nicflow.compiler.model.Host::name)
          .forEach(host -> out.computeIfAbsent(host, h -> offlinePlan(h, now, next)));
      return out;
    });
  }

  /** The plan for a host whose switch is not connected: its desired flows before and after. */
  private static UpdatePlan.HostPlan offlinePlan(String host, PolicySnapshot now, PolicySnapshot next) {
    return hostPlan(false, baseDiff(host, now, next), List.of(), List.of(), List.of());
  }

  /** The plan for a connected switch: its desired flows, and what re-decision does to its connection flows. */
  private UpdatePlan.HostPlan planFor(SwitchFlows state, PolicySnapshot next) {
    String host = state.sw.host();
    FlowRedecider.Outcome outcome = new FlowRedecider(next.missHandler()).redecide(host, state.live(), connections);
    return hostPlan(true, baseDiff(host, state.policy, next), outcome.rewrite(), outcome.delete(),
        outcome.ended().stream().map(HostPartition::describe).toList());
  }

  private static FlowDiff baseDiff(String host, PolicySnapshot now, PolicySnapshot next) {
    return new FlowDiffer().diff(desired(next, host), desired(now, host));
  }

  private static List<FlowEntry> desired(PolicySnapshot snapshot, String host) {
    return snapshot.config().host(host).isPresent() ? snapshot.compiler().flows(host) : List.of();
  }

  private static UpdatePlan.HostPlan hostPlan(boolean connected, FlowDiff base, List<FlowEntry> rewrite,
      List<FlowEntry> delete, List<String> ended) {
    OvsFlowRenderer renderer = new OvsFlowRenderer(false);
    List<String> changed = new ArrayList<>();
    base.modify().forEach(f -> changed.add(renderer.render(f)));
    rewrite.forEach(f -> changed.add(renderer.render(f)));
    List<String> removed = new ArrayList<>();
    base.delete().forEach(f -> removed.add(renderer.render(f)));
    delete.forEach(f -> removed.add(renderer.render(f)));
    return new UpdatePlan.HostPlan(connected, base.add().stream().map(renderer::render).toList(), changed, removed,
        ended);
  }

  private static String describe(FlowRedecider.Installed i) {
    var p = i.packet();
    String proto = switch (p.ipProto()) {
      case 6 -> "tcp";
      case 17 -> "udp";
      case 1 -> "icmp";
      default -> "ip proto " + p.ipProto();
    };
    return proto + " " + p.nwSrc() + (p.hasPorts() ? ":" + p.tpSrc() : "") + " -> " + p.nwDst()
        + (p.hasPorts() ? ":" + p.tpDst() : "") + " (in by " + i.inPort() + " on " + i.host() + ")";
  }

  /** VMs that are on another host in {@code next} than in {@code previous}. */
  private static Set<String> movedVms(Config previous, Config next) {
    Set<String> moved = new java.util.HashSet<>();
    for (var vm : next.vms()) {
      previous.vm(vm.name()).filter(before -> !before.host().equals(vm.host())).ifPresent(before -> moved.add(vm.name()));
    }
    return moved;
  }

  /** One switch's part of {@link #apply}; runs on its executor. */
  private CompletableFuture<Void> update(SwitchFlows state, PolicySnapshot next) {
    SwitchConnection sw = state.sw;
    if (switches.get(sw.dpid().getLong()) != state) {
      return CompletableFuture.completedFuture(null);
    }
    PolicySnapshot previous = state.policy;
    if (next.revision() < previous.revision()) {
      return CompletableFuture.completedFuture(null); // a newer revision got here first
    }
    if (next.config().host(sw.host()).isEmpty()) {
      return CompletableFuture.completedFuture(null); // its host left the policy: the server closes it
    }
    state.policy = next;
    state.budgets = state.budgets.next(next.config(), sw.host(), clock.getAsLong());
    connectionFlows.expireWaiting(clock.getAsLong());
    // The connections of a VM that moved to another host keep their state: their flows here go,
    // and the VM's next packets miss on its new host and are decided with them.
    Set<String> moved = movedVms(previous.config(), next.config());
    long keepUntil = clock.getAsLong() + TimeUnit.SECONDS.toNanos(next.config().controller().idleTimeoutS());
    // Re-decide until no connection ends: a miss admitted by a connection that another miss's
    // re-decision ended in this same update must be decided again without it.
    FlowRedecider redecider = new FlowRedecider(next.missHandler());
    Map<FlowKey, FlowEntry> rewrite = new java.util.LinkedHashMap<>();
    List<FlowEntry> delete = new ArrayList<>();
    int ended = 0;
    int kept = 0;
    for (int pass = 0; pass < REDECIDE_PASSES; pass++) {
      FlowRedecider.Outcome outcome = redecider.redecide(sw.host(), state.live(), connections);
      for (FlowEntry f : outcome.rewrite()) {
        state.unified.replace(f, HeldFlows.NO_VM, clock.getAsLong());
        rewrite.put(f.key(), f);
      }
      for (FlowRedecider.Installed k : outcome.kept()) {
        k.flows().forEach(f -> state.origins.put(f.key(), k));
      }
      kept = outcome.kept().size();
      int endedNow = 0;
      for (FlowEntry f : outcome.delete()) {
        if (state.unified.remove(f.key()) != null) {
          roomMade(state, 1);
        }
        state.origins.remove(f.key());
        rewrite.remove(f.key());
        delete.add(f);
        endedNow += connectionFlows.flowGone(sw.dpid().getLong(), f.key(), c -> moved.contains(c.ownerVm()),
            keepUntil).size();
      }
      ended += endedNow;
      if (endedNow == 0) {
        break;
      }
    }
    counters.flowMods.add(rewrite.size() + delete.size());
    if (!previous.compiler().meters(sw.host()).equals(next.compiler().meters(sw.host()))) {
      programMeters(sw, next);
    }
    String why = "revision " + next.revision();
    if (!rewrite.isEmpty() || !delete.isEmpty()) {
      log.info("host {} ({}): {} connection flows kept, {} re-cookied, {} deleted ({} connections ended)",
          sw.host(), why, kept, rewrite.size(), delete.size(), ended);
    }
    // The re-decided connection flows and the diff of the base (or proactive) flows go to the
    // switch as one change: a bundle where it takes bundles (all or nothing), else barrier-fenced.
    return program(sw, next, why, List.copyOf(rewrite.values()), delete).thenCompose(report -> sw.barrier());
  }

  private CompletableFuture<FlowReconciler.Report> program(SwitchConnection sw, PolicySnapshot snapshot, String why) {
    return program(sw, snapshot, why, List.of(), List.of());
  }

  private CompletableFuture<FlowReconciler.Report> program(SwitchConnection sw, PolicySnapshot snapshot, String why,
      List<FlowEntry> rewrite, List<FlowEntry> delete) {
    return reconciler.reconcile(sw, snapshot.compiler().flows(sw.host()), snapshot.config(), rewrite, delete)
        .whenComplete((report, failure) -> {
      if (failure != null) {
        counters.reconcileFailures.increment();
        log.error("host {}: could not program the bridge ({}): {}", sw.host(), why, failure.toString());
        return;
      }
      counters.flowMods.add(report.changes());
      if (why.equals("audit") && report.changes() == 0) {
        return; // nothing drifted: no news
      }
      log.info("host {} ({}): {} flows desired, {} added, {} modified, {} deleted, {} waiting for ports",
          sw.host(), why, report.desired(), report.added(), report.modified(), report.deleted(),
          report.unresolved());
      if (why.equals("connect")) {
        connected.put(sw.host(), sw);
      }
    });
  }

  /**
   * A unified flow the switch refused: it is not installed, so it is forgotten, and the connections
   * it would have carried end with it (they must not admit replies that have no flow).
   */
  private void rollBack(SwitchConnection sw, OFFlowMod refused) {
    SwitchFlows state = switches.get(sw.dpid().getLong());
    if (state == null || !Cookie.isOurs(refused.getCookie().getValue())) {
      return;
    }
    new FlowModTranslator(sw.factory(), sw.ports()).keyOf(refused).ifPresent(key -> {
      FlowEntry gone = state.unified.remove(key);
      state.origins.remove(key);
      if (gone != null) {
        counters.rolledBackFlows.increment();
        List<ConnectionFlows.SwitchFlow> orphans = connectionFlows.endConnectionsOf(sw.dpid().getLong(), key);
        orphans.forEach(this::forgetOrphan);
        log.warn("host {}: refused flow forgotten, the connections it carried ended ({} other flows removed)",
            sw.host(), orphans.size());
      }
    });
  }

  /** Takes back the connection flows {@code stats} report ({@link FlowAdopter}); on the switch's thread. */
  private void adopt(SwitchConnection sw, SwitchFlows state, List<OFFlowStatsEntry> stats) {
    FlowModTranslator translator = new FlowModTranslator(sw.factory(), sw.ports());
    List<FlowEntry> held = new ArrayList<>();
    for (OFFlowStatsEntry e : stats) {
      translator.fromStats(e).ifPresent(held::add);
    }
    FlowAdopter.Result result = new FlowAdopter(state.policy.config(), state.policy.missHandler())
        .adopt(sw.host(), held, connections);
    List<FlowEntry> delete = new ArrayList<>(result.delete());
    Set<FlowKey> rewrite = new java.util.HashSet<>();
    result.rewrite().forEach(f -> rewrite.add(f.key()));
    int connectionsBack = 0;
    int flowsBack = 0;
    for (FlowAdopter.Adopted a : result.adopted()) {
      if (!connectionFlows.claim(a.connections())) {
        delete.addAll(a.origin().flows()); // its SNAT port is another live connection's now
        continue;
      }
      List<FlowKey> keys = new ArrayList<>();
      String charge = chargeOf(state.policy.config(), a.origin());
      for (FlowEntry f : a.origin().flows()) {
        state.unified.replace(f, charge, clock.getAsLong());
        state.origins.put(f.key(), a.origin());
        keys.add(f.key());
        if (rewrite.contains(f.key())) {
          sw.send(translator.add(f));
          counters.flowMods.increment();
        }
      }
      connectionFlows.opened(sw.dpid().getLong(), a.connections(), keys);
      connectionsBack += a.connections().size();
      flowsBack += keys.size();
    }
    for (FlowEntry f : delete) {
      sw.send(translator.deleteStrict(f));
      counters.flowMods.increment();
    }
    counters.adoptedFlows.add(flowsBack);
    if (flowsBack + delete.size() > 0) {
      log.info("host {}: took back {} connection flows ({} connections, {} re-cookied), deleted {} that the "
          + "policy no longer stands behind", sw.host(), flowsBack, connectionsBack, rewrite.size(), delete.size());
    }
  }

  /** Deletes a flow that carried only connections that ended, on its own switch's thread. */
  private void forgetOrphan(ConnectionFlows.SwitchFlow orphan) {
    SwitchFlows state = switches.get(orphan.dpid());
    if (state == null) {
      return;
    }
    state.sw.executor().execute(() -> {
      FlowEntry flow = state.unified.remove(orphan.key());
      state.origins.remove(orphan.key());
      if (flow != null) {
        roomMade(state, 1);
        state.sw.send(new FlowModTranslator(state.sw.factory(), state.sw.ports()).deleteStrict(flow));
        counters.flowMods.increment();
      }
    });
  }

  // ---------------------------------------------------------------- flow budget (docs/controller.md)

  /** Why a connection got no flow: the labels of {@code nicflow_vm_flows_refused_total}, in order. */
  public static final List<String> FLOW_REFUSAL_REASONS =
      java.util.Arrays.stream(FlowBudget.Reason.values()).map(FlowBudget.Reason::label).toList();

  /** A VM's place in its bridge's flow budget, for {@code vms/{name}/stats}. */
  public record FlowBudgetView(long flows, long maxFlows, long hostFlows, long hostMaxFlows, long flowless,
      long evicted, Map<String, Long> refused) {
    public FlowBudgetView {
      refused = Map.copyOf(refused);
    }
  }

  /**
   * The connection flows charged to VM {@code vm} on its host's bridge now (0 when that bridge is
   * not connected), its limit, the bridge's flows and limit, its connections there that have no flow
   * now (sent on by packet-outs), and its evictions and refusals so far.
   */
  public Optional<FlowBudgetView> flowBudget(String vm) {
    Config config = policy.get().config();
    return config.vm(vm).map(v -> {
      Optional<SwitchFlows> state = switches.values().stream().filter(s -> s.sw.host().equals(v.host())).findFirst();
      return new FlowBudgetView(state.map(s -> s.unified.count(vm)).orElse(0),
          config.maxFlowsOf(v), state.map(s -> s.unified.size()).orElse(0),
          config.controller().flowLimits().hostMaxFlows(), state.map(s -> s.flowless.count(vm)).orElse(0),
          counters.flowsEvicted().getOrDefault(vm, 0L),
          counters.flowsRefused().getOrDefault(vm, Map.of()));
    });
  }

  /** Connections refused flows so far, by VM ({@code ""}: charged to none) and reason ({@code vm_limit}, ...). */
  public Map<String, Map<String, Long>> flowsRefused() {
    return counters.flowsRefused();
  }

  /** Connection flows evicted so far, by the VM they were charged to. */
  public Map<String, Long> flowsEvicted() {
    return counters.flowsEvicted();
  }

  /**
   * Ends what the controller's own idle clock says is over: connections no flow carries (flowless,
   * evicted, or of a VM that moved) not seen for the idle timeout, and the flowless marks of every
   * bridge (each on its switch's thread). The runtime calls it every second.
   */
  public void expireIdle() {
    long now = clock.getAsLong();
    connectionFlows.expireWaiting(now);
    for (SwitchFlows state : switches.values()) {
      state.sw.executor().execute(() -> state.flowless.expire(now, idleNanos(state)));
    }
  }

  private static long idleNanos(SwitchFlows state) {
    return TimeUnit.SECONDS.toNanos(state.policy.config().controller().idleTimeoutS());
  }

  /**
   * Whom a miss's flows are charged to: the VM that sent its first packet, or, for a packet from
   * the uplink or a tunnel, the VM whose rules decided it (its cookie's); none when neither.
   */
  private static String chargeOf(Config config, Miss.Offload miss) {
    if (miss.ingress() instanceof org.nicflow.compiler.eval.Ingress.VmPort port) {
      return port.vm();
    }
    return cookieVm(config, miss.flows());
  }

  /** As {@link #chargeOf(Config, Miss.Offload)}, for the flows of a miss taken back from a switch. */
  private static String chargeOf(Config config, FlowRedecider.Installed origin) {
    return config.vmsOnHost(origin.host()).stream().filter(vm -> vm.port().equals(origin.inPort()))
        .map(org.nicflow.compiler.model.Vm::name).findFirst().orElseGet(() -> cookieVm(config, origin.flows()));
  }

  private static String cookieVm(Config config, List<FlowEntry> flows) {
    for (FlowEntry f : flows) {
      Cookie c = Cookie.decode(f.cookie());
      if (c.hasVm()) {
        return config.ids().vmName(c.vmIndex()).orElse(HeldFlows.NO_VM);
      }
    }
    return HeldFlows.NO_VM;
  }

  private static FlowBudget budgetOf(SwitchFlows state, String charge) {
    Config config = state.policy.config();
    long vmLimit = charge.equals(HeldFlows.NO_VM) ? Long.MAX_VALUE
        : config.vm(charge).map(config::maxFlowsOf).orElse(config.controller().flowLimits().vmMaxFlows());
    return new FlowBudget(vmLimit, config.controller().flowLimits().hostMaxFlows());
  }

  /** Every flow the switch holds of the connection whose flow is {@code key}: those its miss installed here. */
  private static List<FlowKey> connectionOf(SwitchFlows state, FlowKey key) {
    FlowRedecider.Installed origin = state.origins.get(key);
    if (origin == null) {
      return List.of(key);
    }
    List<FlowKey> keys = new ArrayList<>();
    keys.add(key);
    origin.flows().stream().map(FlowEntry::key)
        .filter(k -> !k.equals(key) && state.unified.containsKey(k) && state.origins.get(k) == origin)
        .forEach(keys::add);
    return keys;
  }

  /**
   * Deletes the connections {@code evict} names (each flow strict), on the switch's thread. Their
   * connections stay known, carried by nothing, until the idle timeout after the controller last
   * saw them; their next packet misses and is decided with them. Room beyond the {@code adding}
   * flows the eviction was for goes to flowless connections.
   */
  private void evict(SwitchConnection sw, SwitchFlows state, List<List<FlowKey>> evict, int adding) {
    FlowModTranslator translator = new FlowModTranslator(sw.factory(), sw.ports());
    long idle = idleNanos(state);
    int flows = 0;
    String first = state.unified.chargeOf(evict.get(0).get(0));
    for (List<FlowKey> connection : evict) {
      long seen = connection.stream().mapToLong(state.unified::lastSeen).max().orElse(clock.getAsLong());
      for (FlowKey key : connection) {
        String charge = state.unified.chargeOf(key);
        FlowEntry f = state.unified.remove(key);
        state.origins.remove(key);
        if (f != null) {
          sw.send(translator.deleteStrict(f));
          counters.flowMods.increment();
          state.evicting.merge(key, 1, Integer::sum);
          counters.flowEvicted(charge);
          flows++;
        }
        connectionFlows.flowGone(sw.dpid().getLong(), key, c -> true, seen + idle);
      }
    }
    throttled.warn(log, "evicted on " + sw.host(),
        "host {}: {} connection flows of {} evicted, least recently seen first, to stay within the flow budget",
        sw.host(), flows, first.isEmpty() ? "no VM" : "VM " + first);
    roomMade(state, flows - adding);
  }

  /**
   * Whether the switch's answer about the flow under {@code key} (a FLOW_REMOVED, or TABLE_FULL for
   * its install) is the one an eviction of it is still owed, and takes it. Each delete strict of an
   * eviction gets exactly one: the FLOW_REMOVED of the flow it deleted (or of the flow leaving
   * before it by its timeout), or, when the install it deleted was refused, that install's
   * TABLE_FULL. The switch answers in order, so while an eviction of the key is owed its answer,
   * an answer about the key is that one, never one about the flow installed under it since.
   */
  private static boolean answersEviction(SwitchFlows state, FlowKey key) {
    Integer owed = state.evicting.get(key);
    if (owed == null) {
      return false;
    }
    if (owed <= 1) {
      state.evicting.remove(key);
    } else {
      state.evicting.put(key, owed - 1);
    }
    return true;
  }

  /**
   * Room for {@code flows} connection flows was made on a bridge (a flow left it): as many flowless
   * connections, most recently seen first, try to install again at their next packet.
   */
  private static void roomMade(SwitchFlows state, int flows) {
    if (flows > 0) {
      state.flowless.lift(flows);
    }
  }

  /**
   * Serves a connection whose flows cannot be had (refused by the budget or the switch) by
   * packet-outs: marks it flowless on this bridge and keeps its connections known for the idle
   * timeout after the controller last sees them. Counted and logged once a minute per cause.
   */
  private void refuse(SwitchConnection sw, SwitchFlows state, String charge, FlowBudget.Reason reason,
      List<FlowKey> keys, List<Connection> connections, long now) {
    state.flowless.mark(charge, reason, keys, now);
    connectionFlows.hold(connections, now + idleNanos(state));
    counters.flowsRefused(charge, reason);
    throttled.warn(log, "refused on " + sw.host() + ": " + reason.label(),
        "host {}: a connection of {} got no flow ({}): its packets go on by packet-out until room is made",
        sw.host(), charge.isEmpty() ? "no VM" : "VM " + charge, reason.label());
  }

  /**
   * A connection flow the switch refused because its table is full: it is not there, so it is
   * forgotten and its connection goes flowless ({@link #refuse}) until room is made. False when the
   * flow is not one the partition holds (handled as any other error).
   */
  private boolean tableFull(SwitchConnection sw, OFFlowMod refused) {
    SwitchFlows state = switches.get(sw.dpid().getLong());
    if (state == null || !Cookie.isOurs(refused.getCookie().getValue())) {
      return false;
    }
    Optional<FlowKey> key = new FlowModTranslator(sw.factory(), sw.ports()).keyOf(refused);
    if (key.isEmpty()) {
      return false;
    }
    if (answersEviction(state, key.get())) {
      // The install an eviction deleted since: that delete found nothing and owes no FLOW_REMOVED,
      // and this is its answer. The key may hold the same flow installed again since, which the
      // switch took: the switch answers in order, so no answer to that install has come yet.
      return true;
    }
    Optional<FlowlessConnections.Mark> marked = state.flowless.find(List.of(key.get()));
    FlowEntry held = state.unified.get(key.get());
    if (held == null || held.cookie() != refused.getCookie().getValue()) {
      return true; // a late answer: the controller forgot this flow (or sent another in its place) meanwhile
    }
    long now = clock.getAsLong();
    String charge = state.unified.chargeOf(key.get());
    FlowRedecider.Installed origin = state.origins.remove(key.get());
    state.unified.remove(key.get());
    List<Connection> carried = connectionFlows.carriedBy(sw.dpid().getLong(), key.get());
    connectionFlows.flowGone(sw.dpid().getLong(), key.get(), c -> true, now + idleNanos(state));
    if (marked.isPresent()) {
      state.flowless.touch(marked.get(), now); // the connection's other flow was refused first: counted then
      connectionFlows.hold(carried, now + idleNanos(state));
      return true;
    }
    // The whole connection is marked, the flows of it that got in included: its packets that still
    // miss go on by packet-out, and those flows keep carrying the rest.
    List<FlowKey> wanted = origin == null ? List.of(key.get()) : origin.flows().stream().map(FlowEntry::key).toList();
    refuse(sw, state, charge, FlowBudget.Reason.TABLE_FULL, wanted, carried, now);
    return true;
  }

  private void programMeters(SwitchConnection sw, PolicySnapshot snapshot) {
    FlowModTranslator translator = new FlowModTranslator(sw.factory(), sw.ports());
    for (MeterSpec meter : snapshot.compiler().meters(sw.host())) {
      sw.send(translator.addMeter(meter));
    }
  }

  private void forgetVmFlows(SwitchConnection sw, int vmIndex) {
    sw.send(new FlowModTranslator(sw.factory(), sw.ports())
        .deleteByCookie(Cookie.ofVm(vmIndex), Cookie.VM_OWNER_MASK));
    counters.flowMods.increment();
  }
}
