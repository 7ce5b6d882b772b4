package org.nicflow.controller.partition;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.nicflow.compiler.eval.Connection;
import org.nicflow.compiler.eval.ConnectionTable;
import org.nicflow.compiler.flow.Cookie;
import org.nicflow.compiler.flow.FlowEntry.FlowKey;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.MeterSpec;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.proactive.HostPipelineCompiler;
import org.nicflow.controller.openflow.SwitchConnection;
import org.nicflow.controller.openflow.SwitchListener;
import org.nicflow.controller.openflow.packet.FrameParser;
import org.nicflow.controller.openflow.packet.PacketOuts;
import org.nicflow.controller.openflow.packet.ParsedFrame;
import org.nicflow.controller.openflow.translate.FlowModTranslator;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFlowRemoved;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFMeterMod;
import org.projectfloodlight.openflow.protocol.OFMeterModCommand;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
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

  /** Per-switch state: which unified flows were sent and not yet removed, which ports exist. */
  private static final class SwitchFlows {
    final Map<FlowKey, FlowEntry> unified = new ConcurrentHashMap<>();
    final java.util.Set<String> ports = ConcurrentHashMap.newKeySet();
  }

  private final Config config;
  private final int generation;
  private final HostPipelineCompiler compiler;
  private final MissHandler missHandler;
  private final FlowReconciler reconciler;
  private final FrameParser frames;
  private final ConnectionTable connections;
  private final ConnectionFlows connectionFlows;
  private final RuleStatistics statistics;
  private final PartitionCounters counters = new PartitionCounters();
  private final Map<Long, SwitchFlows> switches = new ConcurrentHashMap<>();
  private final List<SwitchError> errors = new CopyOnWriteArrayList<>();
  private final Map<String, SwitchConnection> connected = new ConcurrentHashMap<>();

  public HostPartition(
      Config config,
      int generation,
      HostPipelineCompiler compiler,
      MissHandler missHandler,
      FlowReconciler reconciler,
      FrameParser frames,
      ConnectionTable connections,
      RuleStatistics statistics) {
    this.config = Objects.requireNonNull(config, "config");
    this.generation = generation;
    this.compiler = Objects.requireNonNull(compiler, "compiler");
    this.missHandler = Objects.requireNonNull(missHandler, "missHandler");
    this.reconciler = Objects.requireNonNull(reconciler, "reconciler");
    this.frames = Objects.requireNonNull(frames, "frames");
    this.connections = Objects.requireNonNull(connections, "connections");
    this.connectionFlows = new ConnectionFlows(connections);
    this.statistics = Objects.requireNonNull(statistics, "statistics");
  }

  public PartitionCounters.Snapshot counters() {
    return counters.snapshot();
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
    SwitchFlows state = new SwitchFlows();
    state.ports.addAll(sw.ports().byName().keySet());
    switches.put(sw.dpid().getLong(), state);
    programMeters(sw);
    program(sw, "connect");
  }

  @Override
  public void switchDisconnected(SwitchConnection sw) {
    connected.remove(sw.host(), sw);
    switches.remove(sw.dpid().getLong());
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
      state.unified.values().removeIf(f -> FlowPorts.refersTo(f, portName));
      config.vmsOnHost(sw.host()).stream()
          .filter(vm -> vm.port().equals(portName))
          .forEach(vm -> forgetVmFlows(sw, config.vmIndex(vm.name())));
    }
    program(sw, "port " + portName + (added ? " added" : " removed"));
  }

  @Override
  public void packetIn(SwitchConnection sw, OFPacketIn packetIn) {
    counters.packetIns.increment();
    SwitchFlows state = switches.get(sw.dpid().getLong());
    if (state == null) {
      counters.ignoredMisses.increment();
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
    Optional<String> portName;
    try {
      portName = sw.ports().name(PacketOuts.inPort(packetIn));
    } catch (IllegalArgumentException noInPort) {
      portName = Optional.empty();
    }
    Miss miss = missHandler.handle(sw.host(), portName, PacketOuts.tunnelId(packetIn), ip.headers(), connections);
    if (miss instanceof Miss.Ignored ignored) {
      counters.ignoredMisses.increment();
      log.debug("host {}: miss ignored: {}", sw.host(), ignored.reason());
      return;
    }
    offload(sw, state, (Miss.Offload) miss, packetIn);
  }

  private void offload(SwitchConnection sw, SwitchFlows state, Miss.Offload miss, OFPacketIn packetIn) {
    if (install(sw, state, miss.flows(), miss.decision().newConnections()) == 0) {
      counters.duplicateMisses.increment();
    } else {
      counters.offloads.increment();
      installRemoteReplies(miss);
    }
    if (!miss.decision().allowed()) {
      counters.deniedMisses.increment();
      return;
    }
    Optional<FlowEntry> forward = miss.forwardFlow();
    if (forward.isEmpty() || !FlowPorts.resolvable(forward.get(), sw.ports())) {
      return;
    }
    // The triggering packet goes on with its own flow's actions, so the first packet of a
    // connection is not lost (see PacketOuts for why not output:TABLE).
    FlowModTranslator translator = new FlowModTranslator(sw.factory(), sw.ports());
    try {
      sw.send(PacketOuts.apply(sw.factory(), translator.actions(forward.get().actions()), packetIn));
      counters.packetOuts.increment();
    } catch (IllegalArgumentException truncated) {
      log.debug("host {}: first packet not sent on: {}", sw.host(), truncated.getMessage());
    }
  }

  /**
   * Installs, on the bridges of other hosts, the reverse flows the new connections of {@code miss}
   * need where their replies enter (see {@link MissHandler#remoteReplyFlows}). Sent before the
   * triggering packet is sent on, so they are in place before any reply can exist. A host whose
   * bridge is not connected gets nothing: its replies miss there and are evaluated as usual.
   */
  private void installRemoteReplies(Miss.Offload miss) {
    missHandler.remoteReplyFlows(miss).forEach((host, flows) -> {
      SwitchConnection other = connected.get(host);
      SwitchFlows state = other == null ? null : switches.get(other.dpid().getLong());
      if (state != null) {
        install(other, state, flows, miss.decision().newConnections());
      }
    });
  }

  /**
   * Sends the unified flows of {@code flows} that this switch has not been sent yet (and that name
   * only ports it has), and ties {@code connections} to them. Returns how many were sent.
   */
  private int install(SwitchConnection sw, SwitchFlows state, List<FlowEntry> flows, List<Connection> connections) {
    FlowModTranslator translator = new FlowModTranslator(sw.factory(), sw.ports());
    List<FlowEntry.FlowKey> fresh = new ArrayList<>();
    for (FlowEntry f : flows) {
      if (!FlowPorts.resolvable(f, sw.ports())) {
        counters.unresolvedPorts.increment();
        log.warn("host {}: flow refers to a port the bridge lacks ({}), not installed", sw.host(),
            FlowPorts.names(f));
      } else if (state.unified.putIfAbsent(f.key(), f) == null) {
        sw.send(translator.add(f));
        counters.flowMods.increment();
        fresh.add(f.key());
      }
    }
    if (!fresh.isEmpty()) {
      connectionFlows.opened(sw.dpid().getLong(), connections, fresh);
    }
    return fresh.size();
  }

  @Override
  public void flowRemoved(SwitchConnection sw, OFFlowRemoved removed) {
    counters.flowsRemoved.increment();
    statistics.fold(config, removed.getCookie().getValue(), removed.getPacketCount().getValue(),
        removed.getByteCount().getValue());
    FlowModTranslator translator = new FlowModTranslator(sw.factory(), sw.ports());
    translator.keyOf(removed).ifPresent(key -> {
      SwitchFlows state = switches.get(sw.dpid().getLong());
      if (state != null) {
        state.unified.remove(key);
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
    counters.switchErrors.increment();
    String req = request.map(Object::toString).orElse("(request not known)");
    errors.add(new SwitchError(sw.host(), error.toString(), req));
    log.error("host {}: OpenFlow error {} answering {}", sw.host(), error, req);
  }

  private void program(SwitchConnection sw, String why) {
    reconciler.reconcile(sw, compiler.flows(sw.host()), generation).whenComplete((report, failure) -> {
      if (failure != null) {
        counters.reconcileFailures.increment();
        log.error("host {}: could not program the bridge ({}): {}", sw.host(), why, failure.toString());
        return;
      }
      log.info("host {} ({}): {} flows desired, {} added, {} modified, {} deleted, {} waiting for ports",
          sw.host(), why, report.desired(), report.added(), report.modified(), report.deleted(),
          report.unresolved());
      if (why.equals("connect")) {
        connected.put(sw.host(), sw);
      }
    });
  }

  private void programMeters(SwitchConnection sw) {
    FlowModTranslator translator = new FlowModTranslator(sw.factory(), sw.ports());
    for (MeterSpec meter : compiler.meters(sw.host())) {
      sw.send(translator.addMeter(meter));
    }
  }

  private void forgetVmFlows(SwitchConnection sw, int vmIndex) {
    sw.send(new FlowModTranslator(sw.factory(), sw.ports())
        .deleteByCookie(Cookie.ofVm(vmIndex), Cookie.VM_OWNER_MASK));
    counters.flowMods.increment();
  }
}
