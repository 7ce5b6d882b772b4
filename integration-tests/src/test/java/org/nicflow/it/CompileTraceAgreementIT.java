package org.nicflow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.eval.ConnectionLookup;
import org.nicflow.compiler.eval.Decision;
import org.nicflow.compiler.eval.Ingress;
import org.nicflow.compiler.eval.LayerDecision;
import org.nicflow.compiler.eval.Output;
import org.nicflow.compiler.eval.ReferenceEvaluator;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.model.Backend;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Direction;
import org.nicflow.compiler.model.Host;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.Layer;
import org.nicflow.compiler.model.LoadBalancer;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.model.Rule;
import org.nicflow.compiler.model.RuleAction;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.model.Vnet;
import org.nicflow.compiler.packet.PacketHeaders;
import org.nicflow.compiler.proactive.HostPipelineCompiler;
import org.nicflow.compiler.proactive.OvsFlowRenderer;
import org.nicflow.compiler.unified.UnifiedFlowBuilder;
import org.nicflow.controller.cli.NicflowCli;

/**
 * The proactive flows {@code nicflow compile} prints for each host of {@code examples/demo.yaml},
 * loaded into a real Open vSwitch bridge, treat packets the way the reference evaluator says.
 *
 * <p>For each host a userspace bridge {@code nfa-<host>} is built with exactly the config's port
 * names (VM ports and uplink as internal ports, {@code tun-<other>} as VXLAN ports), the compile
 * output is loaded with {@code ovs-ofctl -O OpenFlow13 add-flows}, and every probe packet is run
 * through {@code ovs-appctl ofproto/trace}. The trace's verdict, output port and rewritten headers
 * ({@code dl_src}, {@code dl_dst}, {@code nw_src}, {@code nw_dst}, ports, DSCP, and {@code tun_id} for
 * tunnel outputs) must equal the evaluator's decision with no live connection. Packets whose
 * evaluation needs connection state (a deciding stateful or SNAT rule, a load-balancer VIP) and the
 * compiler's documented reply guards (a backend's source port on its VM port, a SNAT public
 * address on the uplink) must go to the controller, and only those.
 *
 * <p>The same probes then run in reactive mode: the bridge's flows are replaced by the reactive base
 * flows plus the unified flows {@code nicflow trace} would show for the probe, and the packet must
 * leave exactly as the evaluator decided (stateful and NAT cases included), without the controller.
 * A last check loads the meters ({@code --meters-file}) and the metered flows.
 *
 * <p>Needs root and a running ovs-vswitchd. Port names are global in OVS: if any port name of the
 * demo config already exists (the Mininet demo running), the test fails and names the bridge
 * holding it. It deletes only the bridges it created.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CompileTraceAgreementIT {

  private static final String BRIDGE_PREFIX = "nfa-";
  private static final int SOURCE_PORT = 49152;
  private static final Pattern OFPORT = Pattern.compile("^\\s*(\\d+)\\((\\S+)\\):.*$");

  /** What a probe must do on the bridge. */
  enum Kind {
    DROP,
    CONTROLLER,
    OUTPUT
  }

  /** One packet entering one host's bridge. */
  record Probe(String host, String label, Ingress ingress, String inPort, OptionalInt tunId, PacketHeaders packet) {

    /** The packet in ofproto/trace flow syntax. */
    String traceFlow() {
      StringBuilder sb = new StringBuilder("in_port=").append(inPort);
      tunId.ifPresent(id -> sb.append(",tun_id=").append(id));
      sb.append(',').append(packet.protoKeyword());
      sb.append(",dl_src=").append(packet.ethSrc()).append(",dl_dst=").append(packet.ethDst());
      sb.append(",nw_src=").append(packet.nwSrc()).append(",nw_dst=").append(packet.nwDst());
      if (packet.hasPorts()) {
        // ofproto/trace reads tp_src/tp_dst as the TCP fields; UDP needs its own names
        String prefix = packet.ipProto() == Protocol.IPPROTO_UDP ? "udp" : "tcp";
        sb.append(',').append(prefix).append("_src=").append(packet.tpSrc());
        sb.append(',').append(prefix).append("_dst=").append(packet.tpDst());
      } else if (packet.isIcmp()) {
        sb.append(",icmp_type=").append(packet.tpSrc()).append(",icmp_code=").append(packet.tpDst());
      }
      if (packet.dscp() != 0) {
        sb.append(",ip_dscp=").append(packet.dscp());
      }
      return sb.toString();
    }
  }

  /** What the evaluator (plus the documented controller cases) expects for a probe. */
  record Expected(Kind kind, String why, Optional<Output> output, PacketHeaders packet) {}

  private boolean isRoot;
  private Config config;
  private Path configFile;
  private ReferenceEvaluator evaluator;
  private final List<String> createdBridges = new ArrayList<>();
  private final Map<Kind, Integer> outcomes = new EnumMap<>(Kind.class);
  private final Map<String, Integer> outputKinds = new HashMap<>();
  private int probesRun;
  private int reactiveProbesRun;

  @BeforeAll
  void buildBridges() throws Exception {
    isRoot = "0".equals(run(List.of("id", "-u")).out().trim());
    if (!isRoot) {
      System.err.println("*** CompileTraceAgreementIT SKIPPED: it needs root (OVS bridges, ovs-ofctl, "
          + "ovs-appctl). Run the integration tests as root. ***");
    }
    Assumptions.assumeTrue(isRoot, "CompileTraceAgreementIT needs root to build OVS bridges; skipped");
    Path repo = Path.of(System.getProperty("nicflow.repo", ".."));
    configFile = repo.resolve("examples").resolve("demo.yaml");
    config = new ConfigLoader().load(configFile);
    evaluator = new ReferenceEvaluator(config);
    Result version = run(List.of("ovs-vsctl", "--timeout=10", "show"));
    assertThat(version.code()).as("ovs-vsctl show (is ovsdb-server/ovs-vswitchd running?): %s", version.err())
        .isZero();
    for (Host host : config.hosts()) {
      String br = BRIDGE_PREFIX + host.name();
      assertThat(run(List.of("ovs-vsctl", "br-exists", br)).code())
          .as("bridge %s already exists (left over from an earlier run? remove it with 'ovs-vsctl del-br %s')",
              br, br)
          .isNotZero();
      for (String port : portNames(host)) {
        Result owner = run(List.of("ovs-vsctl", "port-to-br", port));
        if (owner.code() == 0) {
          fail("port name '" + port + "' is already in use on bridge '" + owner.out().trim()
              + "' (OVS port names are global; is the Mininet demo running?). This test needs the demo "
              + "config's exact port names; stop whatever owns it and run again.");
        }
      }
    }
    for (Host host : config.hosts()) {
      String br = BRIDGE_PREFIX + host.name();
      ovs("ovs-vsctl", "add-br", br, "--", "set", "bridge", br, "datapath_type=netdev", "fail_mode=secure",
          "protocols=OpenFlow13");
      createdBridges.add(br);
      ovs("ovs-vsctl", "add-port", br, host.uplink(), "--", "set", "interface", host.uplink(), "type=internal");
      for (Vm vm : config.vmsOnHost(host.name())) {
        ovs("ovs-vsctl", "add-port", br, vm.port(), "--", "set", "interface", vm.port(), "type=internal");
      }
      for (Host other : config.hosts()) {
        if (!other.name().equals(host.name())) {
          String tun = Host.tunnelPortName(other.name());
          ovs("ovs-vsctl", "add-port", br, tun, "--", "set", "interface", tun, "type=vxlan",
              "options:remote_ip=" + other.underlayIp(), "options:key=flow");
        }
      }
      for (String port : portNames(host)) {
        String error = run(List.of("ovs-vsctl", "get", "interface", port, "error")).out().trim();
        assertThat(error).as("OVS error on interface %s of %s", port, br).isIn("[]", "");
      }
    }
  }

  @AfterAll
  void deleteBridges() throws Exception {
    for (String br : createdBridges) {
      Result r = run(List.of("ovs-vsctl", "--if-exists", "del-br", br));
      if (r.code() != 0) {
        System.err.println("could not delete bridge " + br + ": " + r.err());
      }
    }
    if (probesRun > 0) {
      System.out.printf("CompileTraceAgreementIT: %d proactive probes, outcomes %s, outputs %s; "
          + "%d reactive probes%n", probesRun, outcomes, outputKinds, reactiveProbesRun);
    }
  }

  @TestFactory
  List<DynamicNode> proactiveFlowsAgreeWithTheEvaluator() {
    List<DynamicNode> hosts = new ArrayList<>();
    for (Host host : config.hosts()) {
      String br = BRIDGE_PREFIX + host.name();
      List<DynamicNode> tests = new ArrayList<>();
      tests.add(DynamicTest.dynamicTest("ovs-ofctl add-flows accepts `nicflow compile --host " + host.name() + "`",
          () -> loadCompiledFlows(host, br)));
      List<Probe> probes = probes(host);
      tests.add(DynamicTest.dynamicTest("at least 20 probes", () -> assertThat(probes).hasSizeGreaterThanOrEqualTo(20)));
      int n = 0;
      for (Probe p : probes) {
        n++;
        tests.add(DynamicTest.dynamicTest(String.format("%s #%02d %s", host.name(), n, p.label()),
            () -> checkProbe(br, p)));
      }
      tests.add(DynamicTest.dynamicTest("with --meters-file, add-meter and add-flows accept the metered flows",
          () -> loadMeteredFlows(host, br)));
      List<DynamicNode> reactive = new ArrayList<>();
      n = 0;
      for (Probe p : probes) {
        n++;
        reactive.add(DynamicTest.dynamicTest(String.format("%s #%02d %s", host.name(), n, p.label()),
            () -> checkUnifiedFlows(host, br, p)));
      }
      tests.add(DynamicContainer.dynamicContainer(host.name() + " reactive: base flows + the probe's unified flows",
          reactive));
      hosts.add(DynamicContainer.dynamicContainer(host.name(), tests));
    }
    hosts.add(DynamicTest.dynamicTest("probes cover drop, controller, local, tunnel and uplink", () -> {
      assertThat(outcomes).containsKeys(Kind.DROP, Kind.CONTROLLER, Kind.OUTPUT);
      assertThat(outputKinds).containsKeys("local", "tunnel", "uplink");
    }));
    return hosts;
  }

  /**
   * A unified flow matches on in_port, protocol, addresses and ports only, so it must rewrite every
   * header the delivery sets, even those the first packet happened to carry already: a later packet
   * of the same connection with other Ethernet addresses must leave exactly as the evaluator says.
   */
  @Test
  void laterPacketOfAConnectionWithOtherMacsLeavesLikeTheFirst() throws Exception {
    Host host = config.host("host1").orElseThrow();
    String br = BRIDGE_PREFIX + host.name();
    Probe first = fromUplink(host, tcp(), "198.51.100.7", "203.0.113.80", 80, "first packet to the VIP");
    Decision firstDecision = evaluator.evaluate(first.ingress(), first.packet(), ConnectionLookup.NONE);
    Output out = firstDecision.output().orElseThrow();
    assertThat(out.kind()).as("the VIP's backend for this tuple is local to host1").isEqualTo(Output.Kind.LOCAL);
    // the first frame already carries the addresses delivery sets
    first = withPacket(first, first.packet().withEth(firstDecision.packet().ethSrc(), firstDecision.packet().ethDst()),
        "first packet, already addressed gateway -> backend");
    firstDecision = evaluator.evaluate(first.ingress(), first.packet(), ConnectionLookup.NONE);
    Probe later = fromUplink(host, tcp(), "198.51.100.7", "203.0.113.80", 80, "later packet from the next hop");
    Decision laterDecision = evaluator.evaluate(later.ingress(), later.packet(), ConnectionLookup.NONE);
    List<FlowEntry> unified = new UnifiedFlowBuilder(config).flowsFor(first.ingress(), first.packet(), firstDecision);
    Path flows = Files.createTempFile("nicflow-" + host.name() + "-", ".flows");
    try {
      Files.writeString(flows, compile("--host", host.name(), "--mode", "reactive")
          + new OvsFlowRenderer(false).renderAll(unified), StandardCharsets.UTF_8);
      ovs("ovs-ofctl", "-O", "OpenFlow13", "replace-flows", br, flows.toString());
    } finally {
      Files.deleteIfExists(flows);
    }
    OfprotoTrace trace = OfprotoTrace.parse(run(List.of("ovs-appctl", "ofproto/trace", br, later.traceFlow())).out(),
        portNumbers(br), later.inPort());
    List<String> mismatches = new ArrayList<>();
    compareOutput(new Expected(Kind.OUTPUT, "allowed", laterDecision.output(), laterDecision.packet()), trace,
        mismatches);
    assertThat(mismatches).as("later packet %s through %s", later.traceFlow(),
        new OvsFlowRenderer(false).renderAll(unified)).isEmpty();
  }

  // ------------------------------------------------------------------ compile and load

  private void loadCompiledFlows(Host host, String br) throws Exception {
    String text = compile("--host", host.name());
    Path flows = Files.createTempFile("nicflow-" + host.name() + "-", ".flows");
    try {
      Files.writeString(flows, text, StandardCharsets.UTF_8);
      Result load = run(List.of("ovs-ofctl", "-O", "OpenFlow13", "add-flows", br, flows.toString()));
      assertThat(load.code()).as("ovs-ofctl add-flows %s: %s", br, load.err()).isZero();
      long expected = text.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).count();
      Result dump = run(List.of("ovs-ofctl", "-O", "OpenFlow13", "dump-flows", br));
      long installed = dump.out().lines().filter(l -> l.contains("actions=")).count();
      assertThat(installed).as("flows installed on %s", br).isEqualTo(expected);
    } finally {
      Files.deleteIfExists(flows);
    }
  }

  private String compile(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cli = NicflowCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    List<String> all = new ArrayList<>(List.of("compile", "-c", configFile.toString()));
    all.addAll(List.of(args));
    int code = cli.execute(all.toArray(String[]::new));
    assertThat(code).as("nicflow %s exit code; stderr: %s", all, err).isZero();
    return out.toString();
  }

  private static java.util.Set<String> meterIds(String text, String key) {
    java.util.Set<String> ids = new java.util.TreeSet<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(key) + "(\\d+)")
        .matcher(text);
    while (m.find()) {
      ids.add(m.group(1));
    }
    return ids;
  }

  private void loadMeteredFlows(Host host, String br) throws Exception {
    Path meters = Files.createTempFile("nicflow-" + host.name() + "-", ".meters");
    Path flows = Files.createTempFile("nicflow-" + host.name() + "-", ".flows");
    try {
      String text = compile("--host", host.name(), "--meters-file", meters.toString());
      List<String> meterLines = Files.readAllLines(meters);
      assertThat(meterLines).hasSize(new HostPipelineCompiler(config).meters(host.name()).size());
      for (String meter : meterLines) {
        ovs("ovs-ofctl", "-O", "OpenFlow13", "add-meter", br, meter);
      }
      Files.writeString(flows, text, StandardCharsets.UTF_8);
      ovs("ovs-ofctl", "-O", "OpenFlow13", "add-flows", br, flows.toString());
      String dump = run(List.of("ovs-ofctl", "-O", "OpenFlow13", "dump-flows", br)).out();
      long metered = dump.lines().filter(l -> l.contains("meter:")).count();
      long expected = text.lines().filter(l -> l.contains("meter:")).count();
      assertThat(metered).as("flows naming a meter on %s", br).isEqualTo(expected).isPositive();
      // Every meter a compiled flow names is on the bridge and named by its flows there. Not every
      // meter is named in every mode: a VM's miss-budget meter sits only on flows that send its
      // packets to the controller, and in proactive mode a VM whose rules never do has none.
      assertThat(meterIds(dump, "meter:")).as("meters the flows on %s name", br)
          .isEqualTo(meterIds(text, "meter:")).isSubsetOf(meterIds(String.join("\n", meterLines), "meter="));
    } finally {
      Files.deleteIfExists(meters);
      Files.deleteIfExists(flows);
    }
  }

  /**
   * Reactive mode: the bridge holds the base flows and the unified flows {@code nicflow trace}
   * shows for this probe (built the same way: {@link UnifiedFlowBuilder}, {@link OvsFlowRenderer});
   * the packet must then be treated exactly as the evaluator decided, with no controller.
   */
  private void checkUnifiedFlows(Host host, String br, Probe p) throws Exception {
    Decision decision = evaluator.evaluate(p.ingress(), p.packet(), ConnectionLookup.NONE);
    List<FlowEntry> unified = new UnifiedFlowBuilder(config).flowsFor(p.ingress(), p.packet(), decision);
    String table = compile("--host", host.name(), "--mode", "reactive") + new OvsFlowRenderer(false).renderAll(unified);
    Path flows = Files.createTempFile("nicflow-" + host.name() + "-", ".flows");
    try {
      Files.writeString(flows, table, StandardCharsets.UTF_8);
      Result replace = run(List.of("ovs-ofctl", "-O", "OpenFlow13", "replace-flows", br, flows.toString()));
      assertThat(replace.code()).as("ovs-ofctl replace-flows %s with:%n%s%n%s", br, table, replace.err()).isZero();
    } finally {
      Files.deleteIfExists(flows);
    }
    Expected expected = decision.allowed()
        ? new Expected(Kind.OUTPUT, "allowed", decision.output(), decision.packet())
        : new Expected(Kind.DROP, decision.dropReason().orElse("?"), Optional.empty(), decision.packet());
    Result traced = run(List.of("ovs-appctl", "ofproto/trace", br, p.traceFlow()));
    assertThat(traced.code()).as("ovs-appctl ofproto/trace %s '%s': %s", br, p.traceFlow(), traced.err()).isZero();
    OfprotoTrace trace = OfprotoTrace.parse(traced.out(), portNumbers(br), p.inPort());
    List<String> mismatches = new ArrayList<>();
    if (expected.kind() == Kind.DROP) {
      if (!trace.dropped()) {
        mismatches.add("expected a drop");
      }
    } else {
      compareOutput(expected, trace, mismatches);
    }
    reactiveProbesRun++;
    if (!mismatches.isEmpty()) {
      fail(String.format("%n  probe:    %s on %s (reactive)%n  packet:   %s%n  nicflow:  %s%n  layers:   %s%n"
              + "  unified:  %s%n  ovs:      %s%n  mismatch: %s%n  --- ofproto/trace ---%n%s",
          p.label(), br, p.traceFlow(), describe(expected), layers(decision),
          new OvsFlowRenderer(false).renderAll(unified).replace("\n", "\n            "), trace.summary(),
          String.join("; ", mismatches), trace.raw()));
    }
  }

  // ------------------------------------------------------------------ one probe

  private void checkProbe(String br, Probe p) throws Exception {
    Decision decision = evaluator.evaluate(p.ingress(), p.packet(), ConnectionLookup.NONE);
    Expected expected = expect(p, decision);
    Result traced = run(List.of("ovs-appctl", "ofproto/trace", br, p.traceFlow()));
    assertThat(traced.code()).as("ovs-appctl ofproto/trace %s '%s': %s", br, p.traceFlow(), traced.err()).isZero();
    OfprotoTrace trace = OfprotoTrace.parse(traced.out(), portNumbers(br), p.inPort());

    List<String> mismatches = new ArrayList<>();
    switch (expected.kind()) {
      case CONTROLLER -> {
        if (!trace.controller() || !trace.outputs().isEmpty()) {
          mismatches.add("expected the controller (and nothing else)");
        }
      }
      case DROP -> {
        if (!trace.dropped()) {
          mismatches.add("expected a drop");
        }
      }
      case OUTPUT -> compareOutput(expected, trace, mismatches);
    }
    probesRun++;
    outcomes.merge(expected.kind(), 1, Integer::sum);
    expected.output().ifPresent(o -> outputKinds.merge(o.kind().key(), 1, Integer::sum));
    if (!mismatches.isEmpty()) {
      fail(String.format("%n  probe:    %s on %s%n  packet:   %s%n  nicflow:  %s%n  layers:   %s%n"
              + "  ovs:      %s%n  mismatch: %s%n  --- ofproto/trace ---%n%s",
          p.label(), br, p.traceFlow(), describe(expected), layers(decision), trace.summary(),
          String.join("; ", mismatches), trace.raw()));
    }
  }

  private static void compareOutput(Expected expected, OfprotoTrace trace, List<String> mismatches) {
    Output o = expected.output().orElseThrow();
    if (trace.controller()) {
      mismatches.add("went to the controller, expected output " + o.port());
      return;
    }
    if (!trace.outputs().equals(List.of(o.port()))) {
      mismatches.add("outputs " + trace.outputs() + ", expected [" + o.port() + "]");
    }
    PacketHeaders q = expected.packet();
    Map<String, String> f = trace.finalFlow();
    field(mismatches, f, "dl_src", q.ethSrc().toString());
    field(mismatches, f, "dl_dst", q.ethDst().toString());
    field(mismatches, f, "nw_src", q.nwSrc().toString());
    field(mismatches, f, "nw_dst", q.nwDst().toString());
    field(mismatches, f, "nw_tos", Integer.toString(q.dscp() << 2));
    if (q.hasPorts()) {
      field(mismatches, f, "tp_src", Integer.toString(q.tpSrc()));
      field(mismatches, f, "tp_dst", Integer.toString(q.tpDst()));
    } else if (q.isIcmp()) {
      field(mismatches, f, "icmp_type", Integer.toString(q.tpSrc()));
      field(mismatches, f, "icmp_code", Integer.toString(q.tpDst()));
    }
    if (o.kind() == Output.Kind.TUNNEL) {
      String tunId = f.getOrDefault("tun_id", "0x0");
      long actual = Long.decode(tunId);
      if (actual != o.vni()) {
        mismatches.add("tun_id " + tunId + ", expected " + o.vni());
      }
    }
  }

  private static void field(List<String> mismatches, Map<String, String> flow, String key, String expected) {
    String actual = flow.get(key);
    if (!expected.equalsIgnoreCase(actual)) {
      mismatches.add(key + " " + actual + ", expected " + expected);
    }
  }

  /**
   * The evaluator's decision, except where proactive mode defers to the controller: a deciding
   * stateful allow or SNAT rule or a load-balancer step, and the compiler's reply guards.
   */
  private Expected expect(Probe p, Decision d) {
    Optional<String> stateful = needsState(d);
    if (stateful.isPresent()) {
      return new Expected(Kind.CONTROLLER, stateful.get(), Optional.empty(), d.packet());
    }
    Optional<String> guard = replyGuard(p);
    if (guard.isPresent()) {
      return new Expected(Kind.CONTROLLER, guard.get(), Optional.empty(), d.packet());
    }
    if (!d.allowed()) {
      return new Expected(Kind.DROP, d.dropReason().orElse("?"), Optional.empty(), d.packet());
    }
    return new Expected(Kind.OUTPUT, "allowed", d.output(), d.packet());
  }

  private Optional<String> needsState(Decision d) {
    for (LayerDecision l : d.layers()) {
      if (l.layer().equals(ReferenceEvaluator.LOAD_BALANCER_LAYER)) {
        return Optional.of("load-balancer VIP");
      }
      if (l.layerIndex() < 0 || l.ruleIndex() < 0) {
        continue;
      }
      Vm vm = config.vm(l.vm()).orElseThrow();
      Rule r = config.rulesetOf(vm).layers().get(l.layerIndex()).rules().get(l.ruleIndex());
      if (r.action() == RuleAction.SNAT) {
        return Optional.of("snat rule " + vm.name() + "/" + l.layer() + "/" + r.id());
      }
      if (r.action() == RuleAction.ALLOW && r.stateful()) {
        return Optional.of("stateful rule " + vm.name() + "/" + l.layer() + "/" + r.id());
      }
    }
    return Optional.empty();
  }

  /** docs/semantics.md, Offload: replies of connections that may have outlived their flows. */
  private Optional<String> replyGuard(Probe p) {
    PacketHeaders q = p.packet();
    if (p.ingress() instanceof Ingress.VmPort port) {
      Vm vm = config.vm(port.vm()).orElseThrow();
      if (!q.ethSrc().equals(vm.mac()) || !q.nwSrc().equals(vm.ip())) {
        return Optional.empty();
      }
      for (LoadBalancer lb : config.loadBalancers()) {
        for (Backend b : lb.backends()) {
          if (b.vm().equals(vm.name()) && lb.proto().matches(q.ipProto()) && q.tpSrc() == b.port()) {
            return Optional.of("reply guard: source port of load-balancer backend " + b.vm() + ":" + b.port());
          }
        }
      }
    } else if (p.ingress() instanceof Ingress.Uplink) {
      for (Vm vm : config.vmsOnHost(p.host())) {
        for (Layer layer : config.rulesetOf(vm).layers()) {
          for (Rule r : layer.rules()) {
            if (r.action() == RuleAction.SNAT && r.direction().appliesTo(Direction.OUT)
                && r.snatTo().orElseThrow().equals(q.nwDst())) {
              return Optional.of("reply guard: SNAT public address " + q.nwDst() + " of " + vm.name());
            }
          }
        }
      }
    }
    return Optional.empty();
  }

  private static String describe(Expected e) {
    return switch (e.kind()) {
      case CONTROLLER -> "controller (" + e.why() + ")";
      case DROP -> "drop (" + e.why() + ")";
      case OUTPUT -> {
        Output o = e.output().orElseThrow();
        PacketHeaders q = e.packet();
        yield "output " + o.kind().key() + " " + o.port() + (o.kind() == Output.Kind.TUNNEL ? " vni " + o.vni() : "")
            + " dl_src=" + q.ethSrc() + ",dl_dst=" + q.ethDst() + ",nw_src=" + q.nwSrc() + ",nw_dst=" + q.nwDst()
            + ",tp_src=" + q.tpSrc() + ",tp_dst=" + q.tpDst() + ",dscp=" + q.dscp();
      }
    };
  }

  private static String layers(Decision d) {
    if (d.layers().isEmpty()) {
      return "(none)";
    }
    return d.layers().stream().map(l -> l.vm() + "/" + l.direction().key() + "/" + l.layer() + ":" + l.rule() + "->"
        + l.action()).collect(Collectors.joining(", "));
  }

  // ------------------------------------------------------------------ probes

  /**
   * Probes for one host of the demo config: every rule of the local VMs' rule sets allowed and
   * denied, both directions, VNET-local, cross-host tunnel, uplink, the overlapping red VNET, the
   * load-balancer VIP from the uplink and spoofed sources. Expectations come from the evaluator.
   */
  private List<Probe> probes(Host host) {
    List<Probe> p = new ArrayList<>();
    String other = config.hosts().stream().map(Host::name).filter(n -> !n.equals(host.name())).findFirst()
        .orElseThrow();
    int blue = vni("blue");
    int red = vni("red");
    if (host.name().equals("host1")) {
      p.add(fromVm("web1", tcp(), "10.1.0.12", 8080, "web1 -> web2:8080 (all-out, stateful)"));
      p.add(fromVm("web1", tcp(), "8.8.8.8", 443, "web1 -> internet:443 (stateful, then snat)"));
      p.add(fromVm("web1", Protocol.IPPROTO_ICMP, "10.1.0.21", 0, "web1 -> db1 ping (stateful)"));
      p.add(spoofedIp("web1", "10.1.0.99", "10.1.0.12", 8080, "web1 spoofing source IP 10.1.0.99"));
      p.add(spoofedMac("web1", "02:00:00:00:01:0c", "10.1.0.12", 8080, "web1 spoofing web2's MAC"));
      p.add(withSourcePort(fromVm("web1", tcp(), "198.51.100.7", 40000, "x"), 8080,
          "web1 from backend port 8080 (load-balancer reply guard)"));
      p.add(fromVm("db1", udp(), "10.1.0.11", 53, "db1 -> web1 udp (all-out, stateful)"));
      p.add(spoofedIp("db1", "10.1.0.11", "10.1.0.12", 80, "db1 spoofing web1's address"));
      p.add(fromVm("red1", tcp(), "10.1.0.12", 80, "red1 -> red2:80 (red default allow, tunnel)"));
      p.add(fromVm("red1", tcp(), "10.1.0.12", 23, "red1 -> red2:23 (deny-telnet out)"));
      p.add(fromVm("red1", tcp(), "8.8.8.8", 80, "red1 -> internet:80 (uplink to next hop)"));
      p.add(fromVm("red1", Protocol.IPPROTO_ICMP, "10.1.0.12", 0, "red1 -> red2 ping (tunnel)"));
      p.add(fromVm("red1", tcp(), "10.1.0.50", 80, "red1 -> 10.1.0.50 (red address without VM)"));
      p.add(fromVm("red1", udp(), "10.1.0.1", 53, "red1 -> red gateway address (no VM)"));
      p.add(fromVm("red1", tcp(), "10.1.0.21", 5432, "red1 -> 10.1.0.21 (db1's address, but in blue)"));
      p.add(withDscp(fromVm("red1", tcp(), "10.1.0.11", 80, "x"), 10, "red1 -> itself, dscp 10 (hairpin)"));
      p.add(fromTunnel(host, other, blue, tcp(), "10.1.0.12", "10.1.0.11", 8080, "web2 -> web1:8080 (http-in)"));
      p.add(fromTunnel(host, other, blue, tcp(), "10.1.0.12", "10.1.0.11", 22, "web2 -> web1:22 (ssh-in)"));
      p.add(fromTunnel(host, other, blue, tcp(), "10.1.0.12", "10.1.0.11", 3306, "web2 -> web1:3306 (acl default deny)"));
      p.add(fromTunnel(host, other, blue, udp(), "10.1.0.12", "10.1.0.11", 5005, "web2 -> web1 udp 5005 (udp-in)"));
      p.add(fromTunnel(host, other, blue, udp(), "10.1.0.12", "10.1.0.11", 6000, "web2 -> web1 udp 6000 (denied)"));
      p.add(fromTunnel(host, other, blue, Protocol.IPPROTO_ICMP, "10.1.0.12", "10.1.0.11", 0, "web2 -> web1 ping (icmp-in)"));
      p.add(fromTunnel(host, other, blue, tcp(), "10.1.0.12", "10.1.0.21", 5432, "web2 -> db1:5432 (pg-in)"));
      p.add(fromTunnel(host, other, blue, tcp(), "10.1.0.12", "10.1.0.21", 22, "web2 -> db1:22 (db default deny)"));
      p.add(fromTunnel(host, other, blue, Protocol.IPPROTO_ICMP, "10.1.0.12", "10.1.0.21", 0,
          "web2 -> db1 ping (icmp-in only from web1)"));
      p.add(fromTunnel(host, other, red, tcp(), "10.1.0.12", "10.1.0.11", 80, "red2 -> red1:80 (overlapping address, red VNI)"));
      p.add(fromTunnel(host, other, red, tcp(), "10.1.0.12", "10.1.0.11", 23, "red2 -> red1:23 (deny-telnet in)"));
      p.add(fromTunnel(host, other, blue, tcp(), "10.1.0.11", "10.1.0.12", 8080, "blue tunnel to web2 (not on this host)"));
      p.add(fromTunnel(host, other, red, tcp(), "10.1.0.12", "10.1.0.21", 80, "red tunnel to 10.1.0.21 (no red VM)"));
      p.add(fromUplink(host, tcp(), "198.51.100.7", "203.0.113.80", 80, "internet -> VIP 203.0.113.80:80 (load balancer)"));
      p.add(fromUplink(host, tcp(), "198.51.100.7", "203.0.113.80", 81, "internet -> VIP port 81 (not the VIP)"));
      p.add(fromUplink(host, udp(), "198.51.100.7", "203.0.113.80", 80, "internet -> VIP udp 80 (not the VIP)"));
      p.add(fromUplink(host, tcp(), "198.51.100.7", "203.0.113.10", 40000, "internet -> SNAT address (reply guard)"));
      p.add(fromUplink(host, tcp(), "198.51.100.7", "10.1.0.11", 8080, "internet -> web1's private address"));
    } else {
      p.add(fromVm("web2", tcp(), "10.1.0.21", 5432, "web2 -> db1:5432 (all-out, stateful)"));
      p.add(fromVm("web2", udp(), "9.9.9.9", 53, "web2 -> internet dns (stateful, snat)"));
      p.add(spoofedIp("web2", "10.1.0.11", "10.1.0.21", 5432, "web2 spoofing web1's address"));
      p.add(withSourcePort(fromVm("web2", tcp(), "198.51.100.7", 40000, "x"), 8080,
          "web2 from backend port 8080 (load-balancer reply guard)"));
      p.add(fromVm("red2", tcp(), "10.1.0.11", 80, "red2 -> red1:80 (tunnel, not web1)"));
      p.add(fromVm("red2", tcp(), "10.1.0.11", 23, "red2 -> red1:23 (deny-telnet out)"));
      p.add(fromVm("red2", Protocol.IPPROTO_ICMP, "1.1.1.1", 0, "red2 -> internet ping (uplink)"));
      p.add(withDscp(fromVm("red2", udp(), "1.1.1.1", 53, "x"), 46, "red2 -> internet udp, dscp 46 kept"));
      p.add(fromVm("red2", udp(), "10.1.0.200", 53, "red2 -> 10.1.0.200 (red address without VM)"));
      p.add(spoofedMac("red2", "02:00:00:00:02:0b", "10.1.0.11", 80, "red2 spoofing red1's MAC"));
      p.add(fromVm("red2", tcp(), "10.1.0.12", 80, "red2 -> itself (hairpin)"));
      p.add(fromTunnel(host, other, blue, tcp(), "10.1.0.11", "10.1.0.12", 8080, "web1 -> web2:8080 (http-in)"));
      p.add(fromTunnel(host, other, blue, tcp(), "10.1.0.11", "10.1.0.12", 8099, "web1 -> web2:8099 (http-in upper bound)"));
      p.add(fromTunnel(host, other, blue, tcp(), "10.1.0.11", "10.1.0.12", 8100, "web1 -> web2:8100 (denied)"));
      p.add(fromTunnel(host, other, blue, tcp(), "10.1.0.21", "10.1.0.12", 22, "db1 -> web2:22 (ssh-in)"));
      p.add(fromTunnel(host, other, blue, tcp(), "10.1.5.5", "10.1.0.12", 22, "10.1.5.5 -> web2:22 (ssh-in needs /24)"));
      p.add(fromTunnel(host, other, blue, udp(), "10.1.0.11", "10.1.0.12", 5000, "web1 -> web2 udp 5000 (udp-in)"));
      p.add(fromTunnel(host, other, blue, Protocol.IPPROTO_ICMP, "10.1.0.11", "10.1.0.12", 0, "web1 -> web2 ping (icmp-in)"));
      p.add(fromTunnel(host, other, red, tcp(), "10.1.0.11", "10.1.0.12", 80, "red1 -> red2:80 (red VNI)"));
      p.add(fromTunnel(host, other, red, tcp(), "10.1.0.11", "10.1.0.12", 23, "red1 -> red2:23 (deny-telnet in)"));
      p.add(fromTunnel(host, other, red, tcp(), "10.1.0.12", "10.1.0.11", 80, "red tunnel to red1 (not on this host)"));
      p.add(fromTunnel(host, other, blue, tcp(), "10.1.0.11", "10.1.0.21", 5432, "blue tunnel to db1 (not on this host)"));
      p.add(fromUplink(host, tcp(), "198.51.100.9", "203.0.113.80", 80, "internet -> VIP 203.0.113.80:80 (load balancer)"));
      p.add(fromUplink(host, tcp(), "198.51.100.9", "203.0.113.10", 1234, "internet -> SNAT address (reply guard)"));
      p.add(fromUplink(host, tcp(), "198.51.100.9", "10.1.0.12", 8080, "internet -> web2's private address"));
      p.add(fromUplink(host, Protocol.IPPROTO_ICMP, "198.51.100.9", "203.0.113.80", 0, "internet -> VIP ping"));
    }
    return p;
  }

  private static int tcp() {
    return Protocol.IPPROTO_TCP;
  }

  private static int udp() {
    return Protocol.IPPROTO_UDP;
  }

  private int vni(String vnet) {
    return config.vnet(vnet).map(Vnet::vni).orElseThrow();
  }

  private static PacketHeaders headers(MacAddress dlSrc, MacAddress dlDst, int proto, Ipv4 src, Ipv4 dst, int dport) {
    boolean icmp = proto == Protocol.IPPROTO_ICMP;
    return new PacketHeaders(dlSrc, dlDst, proto, src, dst, icmp ? 8 : SOURCE_PORT, icmp ? 0 : dport, 0);
  }

  private Probe fromVm(String vmName, int proto, String dst, int dport, String label) {
    Vm vm = config.vm(vmName).orElseThrow();
    PacketHeaders h = headers(vm.mac(), config.controller().gatewayMac(), proto, vm.ip(), Ipv4.parse(dst), dport);
    return new Probe(vm.host(), label, new Ingress.VmPort(vm.host(), vm.name()), vm.port(), OptionalInt.empty(), h);
  }

  private Probe spoofedIp(String vmName, String src, String dst, int dport, String label) {
    Probe p = fromVm(vmName, tcp(), dst, dport, label);
    PacketHeaders h = p.packet();
    return withPacket(p, new PacketHeaders(h.ethSrc(), h.ethDst(), h.ipProto(), Ipv4.parse(src), h.nwDst(), h.tpSrc(),
        h.tpDst(), 0), label);
  }

  private Probe spoofedMac(String vmName, String mac, String dst, int dport, String label) {
    Probe p = fromVm(vmName, tcp(), dst, dport, label);
    return withPacket(p, p.packet().withEth(MacAddress.parse(mac), p.packet().ethDst()), label);
  }

  private static Probe withSourcePort(Probe p, int sport, String label) {
    return withPacket(p, p.packet().withSource(p.packet().nwSrc(), sport), label);
  }

  private static Probe withDscp(Probe p, int dscp, String label) {
    return withPacket(p, p.packet().withDscp(dscp), label);
  }

  private static Probe withPacket(Probe p, PacketHeaders h, String label) {
    return new Probe(p.host(), label, p.ingress(), p.inPort(), p.tunId(), h);
  }

  private Probe fromTunnel(Host host, String fromHost, int vni, int proto, String src, String dst, int dport,
      String label) {
    Vnet vnet = config.vnetByVni(vni).orElseThrow();
    Ipv4 d = Ipv4.parse(dst);
    MacAddress dlDst = config.vms().stream().filter(v -> v.vnet().equals(vnet.name()) && v.ip().equals(d))
        .map(Vm::mac).findFirst().orElse(MacAddress.parse("02:00:00:00:00:ff"));
    PacketHeaders h = headers(config.controller().gatewayMac(), dlDst, proto, Ipv4.parse(src), d, dport);
    return new Probe(host.name(), label, new Ingress.Tunnel(host.name(), fromHost, vni),
        Host.tunnelPortName(fromHost), OptionalInt.of(vni), h);
  }

  private Probe fromUplink(Host host, int proto, String src, String dst, int dport, String label) {
    MacAddress from = host.nextHopMac().orElse(MacAddress.parse("02:00:00:00:fe:ff"));
    PacketHeaders h = headers(from, config.controller().gatewayMac(), proto, Ipv4.parse(src), Ipv4.parse(dst), dport);
    return new Probe(host.name(), label, new Ingress.Uplink(host.name()), host.uplink(), OptionalInt.empty(), h);
  }

  // ------------------------------------------------------------------ OVS

  private List<String> portNames(Host host) {
    List<String> names = new ArrayList<>();
    names.add(host.uplink());
    config.vmsOnHost(host.name()).forEach(vm -> names.add(vm.port()));
    config.hosts().stream().filter(h -> !h.name().equals(host.name()))
        .forEach(h -> names.add(Host.tunnelPortName(h.name())));
    return names;
  }

  private static Map<Integer, String> portNumbers(String br) throws Exception {
    Result show = run(List.of("ovs-ofctl", "-O", "OpenFlow13", "show", br));
    assertThat(show.code()).as("ovs-ofctl show %s: %s", br, show.err()).isZero();
    Map<Integer, String> ports = new HashMap<>();
    for (String line : show.out().split("\n")) {
      Matcher m = OFPORT.matcher(line);
      if (m.matches()) {
        ports.put(Integer.parseInt(m.group(1)), m.group(2));
      }
    }
    return ports;
  }

  private static void ovs(String... command) throws Exception {
    Result r = run(List.of(command));
    assertThat(r.code()).as("%s: %s", String.join(" ", command), r.err()).isZero();
  }

  /** A finished command. */
  record Result(int code, String out, String err) {}

  private static Result run(List<String> command) throws IOException, InterruptedException {
    Path errFile = Files.createTempFile("nicflow-it-", ".err");
    try {
      Process proc = new ProcessBuilder(command).redirectError(errFile.toFile()).start();
      String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!proc.waitFor(60, TimeUnit.SECONDS)) {
        proc.destroyForcibly();
        return new Result(-1, out, "timed out: " + String.join(" ", command));
      }
      return new Result(proc.exitValue(), out, Files.readString(errFile, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(errFile);
    }
  }
}
