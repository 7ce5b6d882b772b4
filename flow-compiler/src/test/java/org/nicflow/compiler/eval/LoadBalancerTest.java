package org.nicflow.compiler.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nicflow.compiler.eval.EvalFixtures.INTERNET;
import static org.nicflow.compiler.eval.EvalFixtures.VIP;
import static org.nicflow.compiler.eval.EvalFixtures.fromInternet;
import static org.nicflow.compiler.eval.EvalFixtures.layer;
import static org.nicflow.compiler.eval.EvalFixtures.rule;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.DefaultAction;
import org.nicflow.compiler.model.Ipv4;

/**
 * docs/semantics.md, "Load balancers": a VIP is rewritten to one backend by a stable hash, then its
 * in layers run.
 */
class LoadBalancerTest {

  private static final Config CONFIG = EvalFixtures.world()
      .loadBalancer("web-vip", VIP, 80, "web1:8080", "db1:8080", "web2:8081")
      .build();

  private static final Ingress.Uplink UPLINK = new Ingress.Uplink("host1");

  @Test
  void rewritesVipToABackendAndCreatesAConnection() {
    Decision d = new ReferenceEvaluator(CONFIG).evaluate(UPLINK, fromInternet(INTERNET, 5555, VIP, 80),
        ConnectionLookup.NONE);

    assertThat(d.allowed()).isTrue();
    assertThat(d.layers().get(0)).satisfies(l -> {
      assertThat(l.layer()).isEqualTo("load_balancer");
      assertThat(l.rule()).isEqualTo("web-vip");
      assertThat(l.action()).isEqualTo("dnat");
    });
    String backend = d.layers().get(0).vm();
    assertThat(d.packet().nwDst()).isEqualTo(CONFIG.vm(backend).orElseThrow().ip());
    assertThat(d.packet().tpDst()).isEqualTo(backend.equals("web2") ? 8081 : 8080);
    assertThat(d.newConnections()).singleElement().satisfies(c -> {
      assertThat(c.kind()).isEqualTo(Connection.Kind.LOAD_BALANCER);
      assertThat(c.ownerVm()).isEqualTo(backend);
      assertThat(c.original()).isEqualTo(new FlowTuple(FlowTuple.PUBLIC, 6, INTERNET, 5555, VIP, 80));
      assertThat(c.translated().scope()).isEqualTo(EvalFixtures.BLUE);
    });
  }

  @Test
  void sameTupleAlwaysPicksSameBackendAndTuplesSpreadOverAll() {
    ReferenceEvaluator evaluator = new ReferenceEvaluator(CONFIG);
    Set<String> seen = new HashSet<>();
    for (int sport = 1000; sport < 1100; sport++) {
      String first = evaluator.evaluate(UPLINK, fromInternet(INTERNET, sport, VIP, 80), ConnectionLookup.NONE)
          .layers().get(0).vm();
      String again = new ReferenceEvaluator(CONFIG).evaluate(UPLINK, fromInternet(INTERNET, sport, VIP, 80),
          ConnectionLookup.NONE).layers().get(0).vm();
      assertThat(again).isEqualTo(first);
      seen.add(first);
    }
    assertThat(seen).containsExactlyInAnyOrder("web1", "db1", "web2");
  }

  static Stream<Arguments> healthCases() {
    return Stream.of(
        Arguments.of(Set.of("web1", "db1"), Set.of("web2")),
        Arguments.of(Set.of("web2"), Set.of("web1", "db1")),
        Arguments.of(Set.of(), Set.of("web1", "db1", "web2")));
  }

  @ParameterizedTest
  @MethodSource("healthCases")
  void unhealthyBackendsAreSkipped(Set<String> unhealthy, Set<String> allowed) {
    ReferenceEvaluator evaluator = new ReferenceEvaluator(CONFIG, unhealthy);
    for (int sport = 1000; sport < 1050; sport++) {
      Decision d = evaluator.evaluate(UPLINK, fromInternet(INTERNET, sport, VIP, 80), ConnectionLookup.NONE);
      assertThat(allowed).contains(d.layers().get(0).vm());
    }
  }

  @Test
  void unknownBackendIsSkippedAndNoHealthyBackendDrops() {
    Config config = EvalFixtures.world().loadBalancer("lb", VIP, 80, "ghost:80", "web1:80").build();
    Decision d = new ReferenceEvaluator(config).evaluate(UPLINK, fromInternet(INTERNET, 1, VIP, 80),
        ConnectionLookup.NONE);
    assertThat(d.layers().get(0).vm()).isEqualTo("web1");

    Decision none = new ReferenceEvaluator(config, Set.of("web1")).evaluate(UPLINK,
        fromInternet(INTERNET, 1, VIP, 80), ConnectionLookup.NONE);
    assertThat(none.dropReason()).contains("no healthy backend for load balancer lb");
  }

  @Test
  void backendInLayersRunAfterRewriteAndMayDeny() {
    Config config = EvalFixtures.world().loadBalancer("lb", VIP, 80, "web1:8080")
        .rules("web1", layer("acl", DefaultAction.DENY, rule("http", 10).in().tcp().dstPort("8080").allow()))
        .build();
    Decision ok = new ReferenceEvaluator(config).evaluate(UPLINK, fromInternet(INTERNET, 1, VIP, 80),
        ConnectionLookup.NONE);
    assertThat(ok.layers()).extracting(LayerDecision::rule).containsExactly("lb", "http");

    Config denying = EvalFixtures.world().loadBalancer("lb", VIP, 80, "web1:8080")
        .rules("web1", layer("acl", DefaultAction.DENY, rule("http", 10).in().tcp().dstPort("80").allow())).build();
    Decision no = new ReferenceEvaluator(denying).evaluate(UPLINK, fromInternet(INTERNET, 1, VIP, 80),
        ConnectionLookup.NONE);
    assertThat(no.verdict()).isEqualTo(Verdict.DROP);
    assertThat(no.newConnections()).isEmpty();
  }

  @Test
  void remoteBackendIsReachedThroughTheTunnel() {
    Config config = EvalFixtures.world().loadBalancer("lb", VIP, 80, "web2:8080").build();
    Decision d = new ReferenceEvaluator(config).evaluate(UPLINK, fromInternet(INTERNET, 1, VIP, 80),
        ConnectionLookup.NONE);
    assertThat(d.output()).contains(new Output(Output.Kind.TUNNEL, "tun-host2", "host2", EvalFixtures.BLUE));
  }

  @Test
  void backendReplyIsRestoredToTheVipAndLeavesByTheUplink() {
    Config config = EvalFixtures.world().loadBalancer("lb", VIP, 80, "web1:8080")
        .rules("web1", layer("acl", DefaultAction.DENY)).build();
    ReferenceEvaluator evaluator = new ReferenceEvaluator(config);
    ConnectionTable table = new ConnectionTable();
    // web1's acl denies by default: only the load balancer's connection lets this through.
    Config admitting = EvalFixtures.world().loadBalancer("lb", VIP, 80, "web1:8080").build();
    new ReferenceEvaluator(admitting).evaluate(UPLINK, fromInternet(INTERNET, 7777, VIP, 80), table)
        .newConnections().forEach(table::add);

    Decision reply = evaluator.evaluate(new Ingress.VmPort("host1", "web1"),
        EvalFixtures.tcpFrom(config, "web1", INTERNET.toString(), 8080, 7777), table);

    assertThat(reply.allowed()).isTrue();
    assertThat(reply.layers()).singleElement().extracting(LayerDecision::rule).isEqualTo(LayerDecision.CONNECTION);
    assertThat(reply.packet().nwSrc()).isEqualTo(VIP);
    assertThat(reply.packet().tpSrc()).isEqualTo(80);
    assertThat(reply.packet().ethDst()).isEqualTo(EvalFixtures.NEXT_HOP_1);
    assertThat(reply.output().orElseThrow().kind()).isEqualTo(Output.Kind.UPLINK);
  }

  @Test
  void liveConnectionKeepsItsBackend() {
    ConnectionTable table = new ConnectionTable();
    Decision first = new ReferenceEvaluator(CONFIG).evaluate(UPLINK, fromInternet(INTERNET, 4242, VIP, 80), table);
    first.newConnections().forEach(table::add);
    String backend = first.layers().get(0).vm();
    // Another backend goes unhealthy: the live connection stays where it is.
    Set<String> others = new HashSet<>(Set.of("web1", "db1", "web2"));
    others.remove(backend);
    String someOther = others.iterator().next();

    Decision later = new ReferenceEvaluator(CONFIG, Set.of(someOther)).evaluate(UPLINK,
        fromInternet(INTERNET, 4242, VIP, 80), table);

    assertThat(later.layers().get(0).vm()).isEqualTo(backend);
  }

  @Test
  void wrongPortOrProtocolIsNotTheVip() {
    Decision d = new ReferenceEvaluator(CONFIG).evaluate(UPLINK, fromInternet(INTERNET, 1, VIP, 81),
        ConnectionLookup.NONE);
    assertThat(d.dropReason()).contains("not a VIP or live connection");
    Decision other = new ReferenceEvaluator(CONFIG).evaluate(UPLINK, fromInternet(INTERNET, 1, Ipv4.parse("203.0.113.81"), 80),
        ConnectionLookup.NONE);
    assertThat(other.verdict()).isEqualTo(Verdict.DROP);
  }
}
