package org.nicflow.compiler.equivalence;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
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
import org.nicflow.compiler.flow.FlowAction;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.FlowKind;
import org.nicflow.compiler.flow.FlowMatch;
import org.nicflow.compiler.flow.MatchField;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.OffloadMode;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.model.Rule;
import org.nicflow.compiler.model.RuleAction;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.packet.PacketHeaders;
import org.nicflow.compiler.proactive.HostPipelineCompiler;
import org.nicflow.compiler.proactive.LearnedReply;
import org.nicflow.compiler.proactive.SimIngress;
import org.nicflow.compiler.proactive.SimOutput;
import org.nicflow.compiler.proactive.SimResult;
import org.nicflow.compiler.proactive.TableSimulator;
import org.nicflow.compiler.testing.PropertyRun;
import org.nicflow.compiler.testing.RandomConfigs;
import org.nicflow.compiler.testing.RandomTraffic;
import org.nicflow.compiler.testing.RandomTraffic.Probe;

/**
 * Connection state learned in the switch (controller.learn_state, docs/semantics.md "Connection
 * state in the NIC") agrees with the reference evaluator: for random configs and packets, the
 * proactive tables with learning give the evaluator's verdict, ask the controller only for what
 * cannot be learned, and learn exactly the connections the evaluator makes — one entry per
 * connection, matching its reply from the replying VM, in the state table of the owner's side,
 * with the cookie of the owner's stateful rule; a packet dropped anywhere learns nothing. With
 * the learned entries installed, the replies (and a later forward packet, and a reply with a
 * wrong port) get the evaluator's verdict given those connections.
 */
class LearnedStateEquivalenceTest {

  private static final int CONFIGS = 200;
  private static final int PACKETS_PER_CONFIG = 60;

  @Test
  void learnedStateAgreesWithTheEvaluatorsConnections() {
    Map<String, Integer> tally = new TreeMap<>();
    PropertyRun run = PropertyRun.of("learned state", CONFIGS);
    run.forEach((seed, random) -> new ConfigCheck(learning(RandomConfigs.generate(random)), tally).run(random));
    System.out.printf("[tally] learned state: %s%n", tally);
    if (run.runs() >= CONFIGS) {
      assertThat(tally).as("coverage %s", tally).containsKeys("learned", "reply allowed by learned state",
          "reply dropped", "dropped after a stateful rule, nothing learned", "stateful to the controller",
          "stray reply dropped", "learned reply at the controller, decided otherwise without its connection");
    }
  }

  private static Config learning(Config c) {
    return new Config(c.controller().withMode(OffloadMode.PROACTIVE).withLearnState(true), c.hosts(), c.vnets(),
        c.vms(), c.rulesets(), c.loadBalancers(), c.ids());
  }

  private static final class ConfigCheck {
    private final Config config;
    private final Map<String, Integer> tally;
    private final ReferenceEvaluator evaluator;
    private final HostPipelineCompiler compiler;
    private final Map<String, TableSimulator> sims = new HashMap<>();

    ConfigCheck(Config config, Map<String, Integer> tally) {
      this.config = config;
      this.tally = tally;
      this.evaluator = new ReferenceEvaluator(config);
      this.compiler = new HostPipelineCompiler(config);
    }

    void run(Random random) {
      new RandomTraffic(config).drive(random, PACKETS_PER_CONFIG, this::check);
    }

    private void check(Probe probe) {
      Ingress ingress = probe.ingress();
      PacketHeaders packet = probe.packet();
      TableSimulator sim = sim(ingress.host());
      Decision decision = evaluator.evaluate(ingress, packet, new ConnectionTable());
      SimResult r = decide(sim, ingress, packet, decision, new ConnectionTable());
      if (r.toController() || decision.newConnections().isEmpty() || isOwnReply(packet, decision)) {
        return;
      }
      ConnectionTable live = ConnectionTable.of(decision.newConnections());
      TableSimulator learned = sim.withFlows(r.learned());
      if (!(ingress instanceof Ingress.Tunnel)) {
        SimResult again = learned.run(SimIngress.of(config, ingress), packet);
        Decision later = evaluator.evaluate(ingress, packet, live);
        assertThat(again.toController()).as("a later packet of the connection via %s", again.path()).isFalse();
        assertThat(again.disagreementWith(later)).as("a later packet of the connection").isEmpty();
      }
      for (Connection c : decision.newConnections()) {
        Optional<Probe> reply = localReply(ingress.host(), c);
        if (reply.isEmpty()) {
          continue;
        }
        Probe rp = reply.get();
        Decision replyDecision = evaluator.evaluate(rp.ingress(), rp.packet(), live);
        SimResult rr = decide(learned, rp.ingress(), rp.packet(), replyDecision, live);
        if (rr.toController()) {
          checkAtTheController(rp, rr, replyDecision, live);
        } else {
          count(replyDecision.allowed() ? (rr.path().stream().anyMatch(s -> Cookie.kindOf(s.cookie())
              .filter(k -> k == FlowKind.LEARNED).isPresent()) ? "reply allowed by learned state" : "reply allowed")
              : "reply dropped");
        }
        PacketHeaders p = rp.packet();
        PacketHeaders stray = new PacketHeaders(p.ethSrc(), p.ethDst(), p.ipProto(), p.nwSrc(), p.nwDst(), p.tpSrc(),
            (p.tpDst() + 1) & 0xffff, p.dscp());
        Decision strayDecision = evaluator.evaluate(rp.ingress(), stray, live);
        SimResult sr = decide(learned, rp.ingress(), stray, strayDecision, live);
        if (!sr.toController() && !strayDecision.allowed()) {
          count("stray reply dropped");
        }
      }
    }

    /**
     * A reply that the tables, with its connection learned, still send to the controller: when the
     * packet-in's metadata carries a learned-state marker, the connections the controller adopts
     * from it ({@link LearnedReply}) are live ones and give the evaluator's decision given the live
     * connections.
     */
    private void checkAtTheController(Probe rp, SimResult rr, Decision replyDecision, ConnectionTable live) {
      SimOutput toController = rr.outputs().stream().filter(o -> o.kind() == SimOutput.Kind.CONTROLLER).findFirst()
          .orElseThrow();
      long metadata = toController.field(MatchField.METADATA);
      if ((metadata & (Pipeline.SKIP_OUT | Pipeline.SKIP_IN)) == 0) {
        return;
      }
      LearnedReply.Reading reading = LearnedReply.read(config, rp.ingress(), rp.packet(), metadata);
      assertThat(reading).as("markers %x of a reply via %s", metadata, rr.path())
          .isInstanceOf(LearnedReply.Reading.Adopt.class);
      List<Connection> adopted = ((LearnedReply.Reading.Adopt) reading).connections();
      assertThat(live.all()).as("adopted connections are live ones").containsAll(adopted);
      Decision atController = evaluator.evaluate(rp.ingress(), rp.packet(), ConnectionTable.of(adopted));
      assertThat(atController).as("controller's decision of a learned reply via %s", rr.path())
          .isEqualTo(replyDecision);
      Decision blind = evaluator.evaluate(rp.ingress(), rp.packet(), new ConnectionTable());
      count(blind.equals(replyDecision) ? "learned reply at the controller"
          : "learned reply at the controller, decided otherwise without its connection");
    }

    /**
     * Runs one packet through the tables (with whatever was learned) and checks it against the
     * evaluator's decision given {@code live}: same verdict and output, or the controller only
     * when the decision cannot be learned; the flows learned are exactly the decision's new
     * connections that the switch can hold.
     */
    private SimResult decide(TableSimulator sim, Ingress ingress, PacketHeaders packet, Decision decision,
        ConnectionTable live) {
      SimResult r = sim.run(SimIngress.of(config, ingress), packet);
      boolean controller = needsController(ingress, packet, decision);
      if (r.toController()) {
        boolean guard = HostPipelineCompiler.endsAtReplyGuard(r);
        assertThat(controller || guard).as("tables send to the controller via %s a packet the switch can decide: %s",
            r.path(), decision).isTrue();
        assertThat(r.learned()).as("a packet for the controller learns nothing").isEmpty();
        if (decision.layers().stream().anyMatch(this::isStateful)) {
          count("stateful to the controller");
        }
        return r;
      }
      assertThat(controller).as("tables decide via %s a packet that needs the controller: %s", r.path(), decision)
          .isFalse();
      assertThat(r.disagreementWith(decision)).as("tables vs evaluator via %s, live %s", r.path(), live.all()).isEmpty();
      Set<FlowEntry> want = new HashSet<>();
      for (Connection c : decision.newConnections()) {
        expectedEntry(decision, c).ifPresent(want::add);
      }
      assertThat(new HashSet<>(r.learned())).as("learned entries via %s, decision %s", r.path(), decision)
          .isEqualTo(want);
      if (!want.isEmpty()) {
        count("learned");
      }
      if (!decision.allowed() && decision.layers().stream().anyMatch(this::isStateful)) {
        count("dropped after a stateful rule, nothing learned");
      }
      return r;
    }

    /**
     * Whether the learning tables must hand the packet to the controller: a deciding SNAT rule or
     * a load balancer, or a stateful connection the switch does not learn (delivered by tunnel, to
     * the sender itself, or of a protocol other than TCP and UDP).
     */
    private boolean needsController(Ingress ingress, PacketHeaders packet, Decision d) {
      boolean stateful = false;
      for (LayerDecision l : d.layers()) {
        if (l.layer().equals(ReferenceEvaluator.LOAD_BALANCER_LAYER) && l.layerIndex() < 0) {
          return true;
        }
        if (l.layerIndex() < 0 || l.ruleIndex() < 0) {
          continue;
        }
        Rule rule = rule(l);
        if (rule.action() == RuleAction.SNAT) {
          return true;
        }
        stateful |= rule.action() == RuleAction.ALLOW && rule.stateful();
      }
      if (!stateful || !d.allowed()) {
        return false;
      }
      Output out = d.output().orElseThrow();
      boolean tcpOrUdp = packet.ipProto() == Protocol.IPPROTO_TCP || packet.ipProto() == Protocol.IPPROTO_UDP;
      boolean self = ingress instanceof Ingress.VmPort p && config.vm(p.vm()).orElseThrow().port().equals(out.port());
      return out.kind() == Output.Kind.TUNNEL || (out.kind() == Output.Kind.LOCAL && (!tcpOrUdp || self));
    }

    /**
     * The entry the switch learns for connection {@code c}, when it learns one (delivered to a
     * local VM port): its reply as it leaves the replying VM, in the state table of the owner's
     * side, setting that side's skip marker, named by the owner's last deciding stateful rule.
     */
    private Optional<FlowEntry> expectedEntry(Decision d, Connection c) {
      Output out = d.output().orElseThrow();
      if (out.kind() != Output.Kind.LOCAL) {
        return Optional.empty();
      }
      Vm receiver = config.vms().stream().filter(v -> v.port().equals(out.port()) && v.host().equals(out.host()))
          .findFirst().orElseThrow();
      boolean ownerReceives = c.ownerVm().equals(receiver.name());
      FlowTuple key = c.replyKey();
      MatchField sport = key.proto() == Protocol.IPPROTO_TCP ? MatchField.TCP_SRC : MatchField.UDP_SRC;
      MatchField dport = key.proto() == Protocol.IPPROTO_TCP ? MatchField.TCP_DST : MatchField.UDP_DST;
      FlowMatch match = FlowMatch.builder()
          .masked(MatchField.METADATA, Pipeline.srcVmMetadata(config.vmIndex(receiver.name())), Pipeline.SRC_VM_MASK)
          .exact(MatchField.ETH_TYPE, 0x0800).exact(MatchField.IP_PROTO, key.proto())
          .exact(MatchField.IPV4_SRC, key.src().unsigned()).exact(MatchField.IPV4_DST, key.dst().unsigned())
          .exact(sport, key.srcPort()).exact(dport, key.dstPort()).build();
      LayerDecision rule = d.layers().stream().filter(l -> l.vm().equals(c.ownerVm()) && isStateful(l))
          .reduce((a, b) -> b).orElseThrow();
      Vm owner = config.vm(c.ownerVm()).orElseThrow();
      Cookie cookie = new Cookie(FlowKind.LEARNED, config.generationOf(owner), config.vmIndex(owner.name()),
          rule.layerIndex(), rule.ruleIndex());
      long marker = ownerReceives ? Pipeline.SKIP_OUT : Pipeline.SKIP_IN;
      return Optional.of(FlowEntry.builder(ownerReceives ? Pipeline.STATE_SENDER : Pipeline.STATE_RECEIVER,
              HostPipelineCompiler.LEARNED_PRIORITY)
          .match(match).action(new FlowAction.LoadMetadata(marker, marker)).cookie(cookie.encode())
          .idleTimeout(config.controller().idleTimeoutS()).build());
    }

    /** The reply of {@code c} from a replying VM on {@code host}, for TCP and UDP. */
    private Optional<Probe> localReply(String host, Connection c) {
      FlowTuple key = c.replyKey();
      if (key.proto() != Protocol.IPPROTO_TCP && key.proto() != Protocol.IPPROTO_UDP) {
        return Optional.empty();
      }
      Optional<Vm> replier = config.vnetByVni(key.scope()).flatMap(vnet -> config.vms().stream()
          .filter(v -> v.vnet().equals(vnet.name()) && v.ip().equals(key.src())).findFirst());
      if (replier.isEmpty() || !replier.get().host().equals(host)) {
        return Optional.empty();
      }
      Vm v = replier.get();
      PacketHeaders p = new PacketHeaders(v.mac(), config.controller().gatewayMac(), key.proto(), key.src(),
          key.dst(), key.srcPort(), key.dstPort(), 0);
      return Optional.of(new Probe(new Ingress.VmPort(host, v.name()), p));
    }

    private boolean isStateful(LayerDecision l) {
      if (l.layerIndex() < 0 || l.ruleIndex() < 0) {
        return false;
      }
      Rule rule = rule(l);
      return rule.action() == RuleAction.ALLOW && rule.stateful();
    }

    private Rule rule(LayerDecision l) {
      Vm vm = config.vm(l.vm()).orElseThrow();
      return config.rulesetOf(vm).layers().get(l.layerIndex()).rules().get(l.ruleIndex());
    }

    private static boolean isOwnReply(PacketHeaders p, Decision d) {
      FlowTuple t = FlowTuple.of(p, 0);
      return t.equals(t.reversed())
          || d.newConnections().stream().anyMatch(c -> c.translated().equals(c.translated().reversed()));
    }

    private TableSimulator sim(String host) {
      return sims.computeIfAbsent(host, h -> {
        List<FlowEntry> flows = new ArrayList<>(compiler.proactiveFlows(h));
        for (FlowEntry f : flows) {
          assertThat(Pipeline.violations(f)).as("proactive flow %s", f).isEmpty();
        }
        return new TableSimulator(flows);
      });
    }

    private void count(String what) {
      tally.merge(what, 1, Integer::sum);
    }
  }
}
