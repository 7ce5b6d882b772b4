package org.nicflow.compiler.equivalence;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.eval.Connection;
import org.nicflow.compiler.eval.ConnectionTable;
import org.nicflow.compiler.eval.Decision;
import org.nicflow.compiler.eval.FlowTuple;
import org.nicflow.compiler.eval.Ingress;
import org.nicflow.compiler.eval.LayerDecision;
import org.nicflow.compiler.eval.Output;
import org.nicflow.compiler.eval.ReferenceEvaluator;
import org.nicflow.compiler.flow.Cookie;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.FlowKind;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.model.Rule;
import org.nicflow.compiler.model.RuleAction;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.packet.PacketHeaders;
import org.nicflow.compiler.proactive.HostPipelineCompiler;
import org.nicflow.compiler.proactive.SimIngress;
import org.nicflow.compiler.proactive.SimResult;
import org.nicflow.compiler.proactive.SimStep;
import org.nicflow.compiler.proactive.TableSimulator;
import org.nicflow.compiler.testing.PropertyRun;
import org.nicflow.compiler.testing.UnifiedFlowsAsSentOn;
import org.nicflow.compiler.testing.RandomConfigs;
import org.nicflow.compiler.testing.RandomTraffic;
import org.nicflow.compiler.testing.RandomTraffic.Probe;
import org.nicflow.compiler.unified.UnifiedFlowBuilder;

/**
 * The three readings of a config agree (docs/semantics.md, "Offload modes"): for random configs and
 * packets aimed at their edges, the reference evaluator's decision (no live connections), the
 * unified flows built from it run through the table simulator on the reactive base pipeline, and
 * the proactive pipeline of the host the packet entered give the same verdict, output, tunnel key,
 * meter and rewritten headers. The proactive pipeline sends a packet to the controller exactly when
 * the decision needs state (a deciding stateful allow or SNAT rule, a load-balancer VIP) or the
 * packet hits one of its two reply guards; the unified flows then installed carry it as decided.
 * Each allowed packet that creates connections also has its replies evaluated against those
 * connections and run through the reverse unified flows.
 *
 * <p>Each run is one config with {@value #PACKETS_PER_CONFIG} packets; replay with the seed the
 * failure message names.
 */
class EquivalencePropertyTest {

  private static final int CONFIGS = 200;
  private static final int PACKETS_PER_CONFIG = 50;

  @Test
  void evaluatorUnifiedFlowsAndProactiveTablesAgree() {
    Map<String, Integer> tally = new TreeMap<>();
    PropertyRun run = PropertyRun.of("equivalence", CONFIGS);
    run.forEach((seed, random) -> new ConfigCheck(RandomConfigs.generate(random), tally).run(random));
    int cases = tally.getOrDefault("cases", 0);
    assertThat(cases).isEqualTo(run.runs() * PACKETS_PER_CONFIG);
    if (run.runs() >= CONFIGS) {
      assertThat(tally).as("coverage %s", tally).containsKeys("allow local", "allow tunnel", "allow uplink", "drop",
          "controller state", "controller reply guard", "reply allowed", "reply dropped", "far reply by flow");
    }
  }

  /** All the packets of one config. */
  private static final class ConfigCheck {
    private final Config config;
    private final Map<String, Integer> tally;
    private final ReferenceEvaluator evaluator;
    private final UnifiedFlowBuilder unified;
    private final HostPipelineCompiler compiler;
    private final Map<String, List<FlowEntry>> base = new HashMap<>();
    private final Map<String, List<FlowEntry>> proactive = new HashMap<>();
    private final Map<String, TableSimulator> proactiveSims = new HashMap<>();

    ConfigCheck(Config config, Map<String, Integer> tally) {
      this.config = config;
      this.tally = tally;
      this.evaluator = new ReferenceEvaluator(config);
      this.unified = new UnifiedFlowBuilder(config);
      this.compiler = new HostPipelineCompiler(config);
    }

    void run(Random random) {
      new RandomTraffic(config).drive(random, PACKETS_PER_CONFIG, probe -> {
        check(probe);
        count("cases");
      });
    }

    private void check(Probe probe) {
      Ingress ingress = probe.ingress();
      PacketHeaders packet = probe.packet();
      String host = ingress.host();
      SimIngress port = SimIngress.of(config, ingress);
      Decision decision = evaluator.evaluate(ingress, packet, new ConnectionTable());
      count(decision.allowed() ? "allow " + decision.output().orElseThrow().kind().key() : "drop");

      // (a) the unified flows on the reactive base pipeline.
      List<FlowEntry> flows = unified.flowsFor(ingress, packet, decision);
      for (FlowEntry f : flows) {
        assertThat(Pipeline.violations(f)).as("unified flow %s", f).isEmpty();
      }
      SimResult reactive = new TableSimulator(concat(base(host), flows)).run(port, packet);
      if (decision.controllerPath()) {
        // An echo the switch cannot tell apart: its flow sends it to the controller, which sends it
        // on with the actions the exact flow would have had (docs/semantics.md, "ICMP echo sessions").
        count("controller path");
        assertThat(reactive.toController()).as("the pair's flow sends %s to the controller", packet).isTrue();
        flows = UnifiedFlowsAsSentOn.of(unified, ingress, packet, decision, flows);
        reactive = new TableSimulator(concat(base(host), flows)).run(port, packet);
      }
      assertThat(reactive.toController()).as("unified flows miss: %s via %s, decision %s", reactive.outputs(),
          reactive.path(), decision).isFalse();
      assertThat(reactive.disagreementWith(UnifiedFlowsAsSentOn.asSimulated(decision, packet)))
          .as("unified flows vs evaluator, decision %s", decision)
          .isEmpty();
      assertThat(reactive.meters()).as("meters of the unified path").isEqualTo(meters(decision));

      // (b) the proactive pipeline.
      SimResult tables = proactiveSim(host).run(port, packet);
      boolean needsState = needsState(decision);
      if (tables.toController()) {
        boolean guard = HostPipelineCompiler.endsAtReplyGuard(tables);
        assertThat(needsState || guard).as("proactive tables send to the controller via %s a packet that needs no"
            + " state: %s", tables.path(), decision).isTrue();
        count(guard && !needsState ? "controller reply guard" : "controller state");
        SimResult installed = new TableSimulator(concat(proactive(host), flows)).run(port, packet);
        assertThat(installed.toController()).as("installed unified flows miss via %s", installed.path()).isFalse();
        assertThat(installed.disagreementWith(UnifiedFlowsAsSentOn.asSimulated(decision, packet)))
            .as("installed unified flows vs evaluator, decision %s", decision).isEmpty();
      } else {
        assertThat(needsState).as("proactive tables decide via %s a packet that needs state: %s", tables.path(),
            decision).isFalse();
        assertThat(tables.disagreementWith(UnifiedFlowsAsSentOn.asSimulated(decision, packet)))
            .as("proactive tables vs evaluator, decision %s", decision).isEmpty();
        assertThat(tables.meters()).as("meters of the proactive path").isEqualTo(meters(decision));
        assertThat(ruleSteps(tables)).as("rules the proactive path took via %s, decision %s", tables.path(),
            decision).isEqualTo(ruleSteps(decision));
      }
      assertThat(Cookie.decode(flows.get(0).cookie())).as("cookie of the unified flow, decision %s", decision)
          .isEqualTo(expectedCookie(ingress, decision));

      if (decision.allowed() && !decision.newConnections().isEmpty() && !isOwnReply(packet, decision)) {
        checkConnections(ingress, packet, decision, flows);
        decision.output().filter(o -> o.kind() == Output.Kind.TUNNEL)
            .ifPresent(o -> checkFarEnd(ingress, decision, o));
      }
    }

    /**
     * A connection between hosts, with one controller's connection table: the packet arrives by
     * tunnel at the receiver's host, which decides it the same way; its replies entering that
     * bridge, when a reverse flow there carries them, are carried as the evaluator decides with
     * every live connection.
     */
    private void checkFarEnd(Ingress ingress, Decision decision, Output out) {
      ConnectionTable table = ConnectionTable.of(decision.newConnections());
      Ingress.Tunnel arrival = new Ingress.Tunnel(out.host(), ingress.host(), out.vni());
      PacketHeaders arrived = decision.packet();
      Decision there = evaluator.evaluate(arrival, arrived, table);
      assertThat(there.verdict()).as("the receiver's host decides %s", there).isEqualTo(decision.verdict());
      assertThat(there.packet()).as("the receiver's host rewrites nothing more: %s", there).isEqualTo(arrived);
      assertThat(there.output().orElseThrow().kind()).isEqualTo(Output.Kind.LOCAL);
      List<FlowEntry> flows = unified.flowsFor(arrival, arrived, there, ConnectionTable.of(table.all()));
      there.newConnections().forEach(table::add);
      SimIngress tunnelPort = SimIngress.of(config, arrival);
      SimResult byFlow = new TableSimulator(concat(base(out.host()), flows)).run(tunnelPort, arrived);
      assertThat(byFlow.toController()).as("unified flows at %s miss via %s", out.host(), byFlow.path()).isFalse();
      assertThat(byFlow.disagreementWith(UnifiedFlowsAsSentOn.asSimulated(there, arrived)))
          .as("unified flows at %s vs evaluator", out.host()).isEmpty();
      SimResult byTables = proactiveSim(out.host()).run(tunnelPort, arrived);
      if (!byTables.toController()) {
        assertThat(byTables.disagreementWith(UnifiedFlowsAsSentOn.asSimulated(there, arrived)))
            .as("proactive tables at %s via %s; first decision %s, there %s",
            out.host(), byTables.path(), decision, there).isEmpty();
      }
      for (Connection c : table.all()) {
        Optional<Reply> reply = replyEntering(out.host(), c, there, table);
        if (reply.isEmpty()) {
          continue;
        }
        Reply r = reply.get();
        Decision replyDecision = evaluator.evaluate(r.ingress(), r.packet(), table);
        SimResult sim = new TableSimulator(concat(base(out.host()), flows))
            .run(SimIngress.of(config, r.ingress()), r.packet());
        if (sim.toController()) {
          count("far reply to controller");
          continue;
        }
        count("far reply by flow");
        assertThat(sim.disagreementWith(UnifiedFlowsAsSentOn.asSimulated(replyDecision, r.packet())))
            .as("reverse flow at %s vs evaluator for reply %s of %s", out.host(), r, c).isEmpty();
      }
    }

    /**
     * With the decision's connections live: a later packet of the connection is decided the same
     * way, and each reply entering this bridge is admitted by the owner's connection state, restored
     * to the original tuple, and carried by the reverse unified flow exactly as the evaluator
     * decides.
     */
    private void checkConnections(Ingress ingress, PacketHeaders packet, Decision decision, List<FlowEntry> flows) {
      ConnectionTable table = ConnectionTable.of(decision.newConnections());
      if (!(ingress instanceof Ingress.Tunnel)) {
        // By tunnel, later packets arrive with the receiver's rewrites applied by the sender's host
        // (checkFarEnd follows that path).
        Decision again = evaluator.evaluate(ingress, packet, table);
        assertThat(again.verdict()).as("a later packet of the connection").isEqualTo(decision.verdict());
        assertThat(again.packet()).as("a later packet keeps its rewrites").isEqualTo(decision.packet());
        assertThat(again.output()).as("a later packet keeps its output").isEqualTo(decision.output());
      }
      for (Connection c : decision.newConnections()) {
        Optional<Reply> reply = replyEntering(ingress.host(), c, decision, table);
        if (reply.isEmpty()) {
          continue;
        }
        Reply r = reply.get();
        Decision replyDecision = evaluator.evaluate(r.ingress(), r.packet(), table);
        // Another VM's SNAT rule (on the way there or back) may translate the reply so that it is
        // no reply any more.
        boolean othersRewrite = Stream.of(decision, replyDecision, evaluator.evaluate(r.origin(), r.originPacket(),
                table)).flatMap(x -> x.layers().stream())
            .anyMatch(l -> !l.vm().equals(c.ownerVm()) && l.action().equals(RuleAction.SNAT.key()));
        List<LayerDecision> ownerSteps = replyDecision.layers().stream()
            .filter(l -> l.vm().equals(c.ownerVm()) && !othersRewrite).toList();
        assertThat(ownerSteps).as("the owner's layers are skipped for the reply %s of %s: %s", r, c, replyDecision)
            .allMatch(l -> l.rule().equals(LayerDecision.CONNECTION));
        SimResult sim = new TableSimulator(concat(base(ingress.host()), flows))
            .run(SimIngress.of(config, r.ingress()), r.packet());
        if (replyDecision.controllerPath()) {
          count("reply by the controller's path");
          assertThat(sim.toController()).as("the reverse flow sends the reply %s of %s to the controller", r, c)
              .isTrue();
          sim = new TableSimulator(concat(base(ingress.host()),
              UnifiedFlowsAsSentOn.of(unified, r.ingress(), r.packet(), replyDecision, flows)))
              .run(SimIngress.of(config, r.ingress()), r.packet());
        }
        if (replyDecision.allowed()) {
          count("reply allowed");
          FlowTuple restored = FlowTuple.of(replyDecision.packet(), c.original().scope());
          if (!othersRewrite) {
            assertThat(restored).as("the reply of %s is restored: %s", c, replyDecision)
                .isEqualTo(c.original().reversed());
          }
          assertThat(sim.toController()).as("no reverse flow carries the reply %s of %s (decision %s) via %s", r, c,
              replyDecision, sim.path()).isFalse();
          assertThat(sim.disagreementWith(UnifiedFlowsAsSentOn.asSimulated(replyDecision, r.packet())))
              .as("reverse flow vs evaluator for reply %s of %s", r, c)
              .isEmpty();
        } else {
          count("reply dropped");
          assertThat(sim.outputs()).as("a reply the evaluator drops (%s) is not forwarded by the unified flows",
              replyDecision.dropReason()).allMatch(o -> o.port().equals("CONTROLLER"));
        }
      }
    }

    /**
     * The reply of {@code c} as it enters {@code host}'s bridge: from the replying VM's port when it
     * lives here, by tunnel when its own host forwards it here, from the uplink for a public-scope
     * connection whose packet left by this host's uplink. Only TCP, UDP, ICMP echo and other
     * protocols without ports have replies.
     */
    private Optional<Reply> replyEntering(String host, Connection c, Decision forward, ConnectionTable table) {
      FlowTuple key = c.replyKey();
      int sport = 0;
      int dport = 0;
      if (key.proto() == Protocol.IPPROTO_TCP || key.proto() == Protocol.IPPROTO_UDP) {
        sport = key.srcPort();
        dport = key.dstPort();
      } else if (key.proto() == Protocol.IPPROTO_ICMP) {
        int[] f = key.transportFields();
        if (f[0] != 0 || key.dstPort() != 8) {
          return Optional.empty();
        }
        sport = f[0];
        dport = f[1];
      }
      var gateway = config.controller().gatewayMac();
      if (key.scope() == FlowTuple.PUBLIC) {
        Output out = forward.output().orElseThrow();
        if (out.kind() != Output.Kind.UPLINK || !out.host().equals(host)) {
          return Optional.empty();
        }
        PacketHeaders p = new PacketHeaders(RandomTraffic.ROUTER_MAC, gateway, key.proto(), key.src(), key.dst(),
            sport, dport, 0, key.queryId());
        return Optional.of(new Reply(new Ingress.Uplink(host), p, new Ingress.Uplink(host), p));
      }
      var vnet = config.vnetByVni(key.scope()).orElseThrow();
      Vm replier = config.vms().stream().filter(v -> v.vnet().equals(vnet.name()) && v.ip().equals(key.src()))
          .findFirst().orElseThrow();
      PacketHeaders p = new PacketHeaders(replier.mac(), gateway, key.proto(), key.src(), key.dst(), sport, dport, 0,
          key.queryId()); // an echo reply carries its session's (possibly translated) identifier
      Ingress.VmPort atReplier = new Ingress.VmPort(replier.host(), replier.name());
      if (replier.host().equals(host)) {
        return Optional.of(new Reply(atReplier, p, atReplier, p));
      }
      Decision there = evaluator.evaluate(atReplier, p, table);
      if (!there.allowed() || there.output().get().kind() != Output.Kind.TUNNEL
          || !there.output().get().host().equals(host)) {
        return Optional.empty();
      }
      return Optional.of(new Reply(new Ingress.Tunnel(host, replier.host(), vnet.vni()), there.packet(), atReplier,
          p));
    }

    /** A reply as it enters this bridge, and as it left the replier (the same for a local replier). */
    private record Reply(Ingress ingress, PacketHeaders packet, Ingress origin, PacketHeaders originPacket) {}

    /**
     * A packet that is its own reply (a VM addressing itself with a symmetric tuple, or a client
     * using the backend's own address and port): with its connection live, the evaluator reads a
     * later copy as the reply, while the one unified flow for that match is the forward one. Left
     * out of the connection checks.
     */
    private static boolean isOwnReply(PacketHeaders p, Decision d) {
      FlowTuple t = FlowTuple.of(p, 0);
      return t.equals(t.reversed())
          || d.newConnections().stream().anyMatch(c -> c.translated().equals(c.translated().reversed()));
    }

    /** A deciding stateful allow or SNAT rule, or a load balancer's rewrite. */
    private boolean needsState(Decision d) {
      for (LayerDecision l : d.layers()) {
        if (l.layer().equals(ReferenceEvaluator.LOAD_BALANCER_LAYER) && l.layerIndex() < 0) {
          return true;
        }
        if (l.layerIndex() < 0 || l.ruleIndex() < 0) {
          continue;
        }
        Vm vm = config.vm(l.vm()).orElseThrow();
        Rule rule = config.rulesetOf(vm).layers().get(l.layerIndex()).rules().get(l.ruleIndex());
        if (rule.action() == RuleAction.SNAT || (rule.action() == RuleAction.ALLOW && rule.stateful())) {
          return true;
        }
      }
      return false;
    }

    /** (VM, layer, rule) of each layer step taken by a rule or a default. */
    private List<List<Integer>> ruleSteps(Decision d) {
      List<List<Integer>> steps = new ArrayList<>();
      for (LayerDecision l : d.layers()) {
        if (l.layerIndex() >= 0) {
          steps.add(List.of(config.vmIndex(l.vm()), l.layerIndex(), l.ruleIndex() < 0 ? Cookie.NO_RULE : l.ruleIndex()));
        }
      }
      return steps;
    }

    private static List<List<Integer>> ruleSteps(SimResult r) {
      List<List<Integer>> steps = new ArrayList<>();
      for (SimStep step : r.path()) {
        Cookie c = Cookie.decode(step.cookie());
        if (c.kind() == FlowKind.RULE || c.kind() == FlowKind.LAYER_DEFAULT) {
          steps.add(List.of(c.vmIndex(), c.layerIndex(), c.ruleIndex()));
        }
      }
      return steps;
    }

    /**
     * The unified flow's cookie: the last layer step taken by a rule, else the last step, else the
     * VM the packet came from (UnifiedFlowBuilder's reading).
     */
    private Cookie expectedCookie(Ingress ingress, Decision d) {
      FlowKind kind = d.allowed() ? FlowKind.UNIFIED : FlowKind.DENIED;
      List<LayerDecision> steps = d.layers();
      LayerDecision chosen = null;
      if (!steps.isEmpty() && steps.get(steps.size() - 1).action().equals("deny")) {
        chosen = steps.get(steps.size() - 1);
      }
      for (int i = steps.size() - 1; i >= 0 && chosen == null; i--) {
        if (steps.get(i).layerIndex() >= 0 && steps.get(i).ruleIndex() >= 0) {
          chosen = steps.get(i);
        }
      }
      if (chosen == null && !steps.isEmpty()) {
        chosen = steps.get(steps.size() - 1);
      }
      if (chosen == null) {
        int vm = ingress instanceof Ingress.VmPort p ? config.vmIndex(p.vm()) : Cookie.NO_VM;
        return new Cookie(kind, vm == Cookie.NO_VM ? 0 : 1, vm, Cookie.NO_LAYER, Cookie.NO_RULE); // no VM: generation 0
      }
      return new Cookie(kind, 1, config.vmIndex(chosen.vm()),
          chosen.layerIndex() < 0 ? Cookie.NO_LAYER : chosen.layerIndex(),
          chosen.ruleIndex() < 0 ? Cookie.NO_RULE : chosen.ruleIndex());
    }

    private static List<Long> meters(Decision d) {
      return d.meterId().isPresent() ? List.of(d.meterId().getAsLong()) : List.of();
    }

    private List<FlowEntry> base(String host) {
      return base.computeIfAbsent(host, compiler::baseFlows);
    }

    private List<FlowEntry> proactive(String host) {
      return proactive.computeIfAbsent(host, compiler::proactiveFlows);
    }

    private TableSimulator proactiveSim(String host) {
      return proactiveSims.computeIfAbsent(host, h -> {
        List<FlowEntry> flows = proactive(h);
        for (FlowEntry f : flows) {
          assertThat(Pipeline.violations(f)).as("proactive flow %s", f).isEmpty();
        }
        return new TableSimulator(flows);
      });
    }

    private void count(String what) {
      tally.merge(what, 1, Integer::sum);
    }

    private static List<FlowEntry> concat(List<FlowEntry> a, List<FlowEntry> b) {
      List<FlowEntry> all = new ArrayList<>(a);
      all.addAll(b);
      return all;
    }
  }
}
