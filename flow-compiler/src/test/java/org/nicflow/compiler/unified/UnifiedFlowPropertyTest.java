package org.nicflow.compiler.unified;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nicflow.compiler.eval.EvalFixtures.layer;
import static org.nicflow.compiler.eval.EvalFixtures.rule;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.eval.ConnectionTable;
import org.nicflow.compiler.eval.Decision;
import org.nicflow.compiler.eval.EvalFixtures;
import org.nicflow.compiler.eval.Ingress;
import org.nicflow.compiler.eval.ReferenceEvaluator;
import org.nicflow.compiler.flow.Cookie;
import org.nicflow.compiler.flow.FlowAction;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.FlowKind;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.DefaultAction;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.packet.PacketHeaders;
import org.nicflow.compiler.testing.PropertyRun;
import org.nicflow.compiler.testing.UnifiedFlowsAsSentOn;

/**
 * For random packets, the forward unified flow does exactly what the evaluator decided, and a
 * second evaluation with the first one's connections admits the same packet the same way. Seeded;
 * replay with the {@code -Dnicflow.seed=...} a failure names.
 */
class UnifiedFlowPropertyTest {

  private static final Config CONFIG = EvalFixtures.world()
      .rules("web1",
          layer("acl", DefaultAction.DENY, rule("deny-ssh", 30).tcp().dstPort("22").deny(),
              rule("out", 10).out().stateful().allow(), rule("web-in", 10).in().tcp().dstPort("80-90").allow()),
          layer("qos", DefaultAction.ALLOW, rule("ef", 10).out().udp().setDscp(46)),
          layer("nat", DefaultAction.ALLOW, rule("east-west", 20).out().dst("10.1.0.0/16").allow(),
              rule("snat", 10).out().snat("203.0.113.10")))
      .rules("db1", layer("acl", DefaultAction.ALLOW, rule("no-udp-in", 10).in().udp().deny()))
      .loadBalancer("vip", EvalFixtures.VIP, 80, "web1:85", "db1:85", "web2:85")
      .build();

  private static final String[] SENDERS = {"web1", "web2", "db1", "red1", "far1"};
  private static final String[] DESTINATIONS = {"10.1.0.11", "10.1.0.12", "10.1.0.13", "10.1.0.30", "10.1.0.99",
      "198.51.100.7", "8.8.8.8"};

  @Test
  void forwardFlowsDoWhatTheEvaluatorDecides() {
    PropertyRun.of("unified flows", 1).forEach((seed, random) -> check(seed));
  }

  private static void check(long seed) {
    Random random = new Random(seed);
    ReferenceEvaluator evaluator = new ReferenceEvaluator(CONFIG);
    UnifiedFlowBuilder builder = new UnifiedFlowBuilder(CONFIG);
    for (int i = 0; i < 2_000; i++) {
      Ingress ingress;
      PacketHeaders p;
      int[] protos = {Protocol.IPPROTO_TCP, Protocol.IPPROTO_UDP, Protocol.IPPROTO_ICMP};
      int proto = protos[random.nextInt(protos.length)];
      int sport = proto == Protocol.IPPROTO_ICMP ? 8 : 1024 + random.nextInt(100);
      int dport = proto == Protocol.IPPROTO_ICMP ? 0 : 20 + random.nextInt(80);
      if (random.nextInt(4) == 0) {
        ingress = new Ingress.Uplink("host1");
        Ipv4 dst = random.nextBoolean() ? EvalFixtures.VIP : Ipv4.parse("10.1.0.11");
        p = new PacketHeaders(EvalFixtures.NEXT_HOP_1, EvalFixtures.GATEWAY, proto,
            Ipv4.parse("198.51.100." + random.nextInt(250)), dst, sport, random.nextBoolean() ? 80 : dport, 0);
      } else {
        Vm sender = CONFIG.vm(SENDERS[random.nextInt(SENDERS.length)]).orElseThrow();
        ingress = new Ingress.VmPort(sender.host(), sender.name());
        p = new PacketHeaders(sender.mac(), EvalFixtures.GATEWAY, proto, sender.ip(),
            Ipv4.parse(DESTINATIONS[random.nextInt(DESTINATIONS.length)]), sport, dport, 0);
      }
      Decision d = evaluator.evaluate(ingress, p, new ConnectionTable());
      List<FlowEntry> flows = builder.flowsFor(ingress, p, d);
      assertThat(flows).allSatisfy(f -> assertThat(Pipeline.violations(f)).isEmpty());
      FlowEntry forward = flows.get(0);
      assertThat(FlowSimulation.matches(forward, CONFIG, ingress, p)).as("%s at %s", p, ingress).isTrue();
      if (!d.allowed()) {
        assertThat(flows).singleElement();
        assertThat(forward.drops()).isTrue();
        assertThat(Cookie.decode(forward.cookie()).kind()).isEqualTo(FlowKind.DENIED);
        continue;
      }
      if (d.controllerPath()) {
        assertThat(forward.actions()).containsExactly(new FlowAction.OutputController());
        forward = UnifiedFlowsAsSentOn.of(builder, ingress, p, d, flows).get(0);
      }
      FlowSimulation.Result r = FlowSimulation.apply(forward, UnifiedFlowsAsSentOn.packet(p, d),
          org.nicflow.compiler.proactive.SimIngress.of(CONFIG, ingress).port());
      assertThat(r.packet()).as("%s at %s", p, ingress).isEqualTo(d.packet());
      assertThat(r.outputPort()).isEqualTo(d.output().orElseThrow().port());
      assertThat(r.tunId()).isEqualTo(d.output().orElseThrow().vni());
      assertThat(flows.stream().skip(1)).allSatisfy(f ->
          assertThat(Cookie.decode(f.cookie()).kind()).isEqualTo(FlowKind.REVERSE));

      Decision again = evaluator.evaluate(ingress, p, ConnectionTable.of(d.newConnections()));
      assertThat(again.verdict()).isEqualTo(d.verdict());
      assertThat(again.packet()).as("a later packet keeps its rewrites").isEqualTo(d.packet());
    }
  }
}
