package org.nicflow.compiler.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nicflow.compiler.eval.EvalFixtures.layer;
import static org.nicflow.compiler.eval.EvalFixtures.port;
import static org.nicflow.compiler.eval.EvalFixtures.rule;
import static org.nicflow.compiler.eval.EvalFixtures.tcpFrom;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.DefaultAction;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.Layer;

/** docs/semantics.md, "Layers": allow, deny, snat, set_dscp and the layer default. */
class ActionTest {

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("allow continues", layer("acl", DefaultAction.DENY, rule("ok", 1).allow()),
            Verdict.ALLOW, "allow", "10.1.0.11", 40000, 0),
        Arguments.of("deny drops", layer("acl", DefaultAction.ALLOW, rule("no", 1).deny()),
            Verdict.DROP, "deny", "10.1.0.11", 40000, 0),
        Arguments.of("default deny drops", layer("acl", DefaultAction.DENY),
            Verdict.DROP, "deny", "10.1.0.11", 40000, 0),
        Arguments.of("default allow continues", layer("acl", DefaultAction.ALLOW),
            Verdict.ALLOW, "allow", "10.1.0.11", 40000, 0),
        Arguments.of("set_dscp rewrites and continues", layer("qos", DefaultAction.DENY, rule("ef", 1).setDscp(46)),
            Verdict.ALLOW, "set_dscp", "10.1.0.11", 40000, 46),
        Arguments.of("snat rewrites the source address", layer("nat", DefaultAction.DENY,
            rule("snat", 1).snat("203.0.113.10")), Verdict.ALLOW, "snat", "203.0.113.10", -1, 0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void actionDecidesVerdictAndRewrite(String name, Layer only, Verdict verdict, String action, String src, int sport,
      int dscp) {
    Config config = EvalFixtures.world().rules("web1", only).build();

    Decision d = new ReferenceEvaluator(config).evaluate(port(config, "web1"),
        tcpFrom(config, "web1", "198.51.100.7", 40000, 443), ConnectionLookup.NONE);

    assertThat(d.verdict()).isEqualTo(verdict);
    assertThat(d.layers()).singleElement().extracting(LayerDecision::action).isEqualTo(action);
    assertThat(d.packet().nwSrc()).isEqualTo(Ipv4.parse(src));
    assertThat(d.packet().dscp()).isEqualTo(dscp);
    if (sport >= 0) {
      assertThat(d.packet().tpSrc()).isEqualTo(sport);
    } else {
      assertThat(d.packet().tpSrc()).isBetween(1024, 65535);
    }
  }

  @Test
  void denyNamesRuleLayerAndVmInReason() {
    Config config = EvalFixtures.world().rules("web1", layer("acl", DefaultAction.ALLOW, rule("no-https", 1)
        .tcp().dstPort("443").deny())).build();

    Decision d = new ReferenceEvaluator(config).evaluate(port(config, "web1"),
        tcpFrom(config, "web1", "198.51.100.7", 40000, 443), ConnectionLookup.NONE);

    assertThat(d.dropReason()).contains("denied by rule no-https in layer acl of web1");
    assertThat(d.newConnections()).isEmpty();
  }

  @Test
  void denyStopsLaterLayers() {
    Config config = EvalFixtures.world().rules("web1", layer("acl", DefaultAction.DENY),
        layer("never", DefaultAction.ALLOW)).build();

    Decision d = new ReferenceEvaluator(config).evaluate(port(config, "web1"),
        tcpFrom(config, "web1", "198.51.100.7", 40000, 443), ConnectionLookup.NONE);

    assertThat(d.layers()).extracting(LayerDecision::layer).containsExactly("acl");
    assertThat(d.dropReason()).contains("default deny in layer acl of web1");
  }

  @Test
  void receiverDenyDropsAfterSenderAllows() {
    Config config = EvalFixtures.world().rules("db1", layer("acl", DefaultAction.DENY)).build();

    Decision d = new ReferenceEvaluator(config).evaluate(port(config, "web1"),
        tcpFrom(config, "web1", "10.1.0.13", 40000, 5432), ConnectionLookup.NONE);

    assertThat(d.verdict()).isEqualTo(Verdict.DROP);
    assertThat(d.layers()).extracting(LayerDecision::vm).containsExactly("web1", "db1");
  }
}
