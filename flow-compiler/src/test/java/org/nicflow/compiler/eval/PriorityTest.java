package org.nicflow.compiler.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nicflow.compiler.eval.EvalFixtures.layer;
import static org.nicflow.compiler.eval.EvalFixtures.port;
import static org.nicflow.compiler.eval.EvalFixtures.rule;
import static org.nicflow.compiler.eval.EvalFixtures.tcpFrom;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.DefaultAction;
import org.nicflow.compiler.model.Layer;

/** docs/semantics.md, "Layers": the highest priority wins; equal priority: the one listed first. */
class PriorityTest {

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("higher priority listed later wins",
            layer("acl", DefaultAction.DENY, rule("low", 10).allow(), rule("high", 20).deny()), 80, "high"),
        Arguments.of("equal priority: first listed wins",
            layer("acl", DefaultAction.DENY, rule("first", 10).deny(), rule("second", 10).allow()), 80, "first"),
        Arguments.of("equal priority: first listed wins, other order",
            layer("acl", DefaultAction.DENY, rule("second", 10).allow(), rule("first", 10).deny()), 80, "second"),
        Arguments.of("non-matching higher priority is skipped",
            layer("acl", DefaultAction.DENY, rule("ssh", 100).tcp().dstPort("22").deny(),
                rule("web", 50).tcp().dstPort("80-89").allow()), 85, "web"),
        Arguments.of("rule of the other direction is ignored",
            layer("acl", DefaultAction.DENY, rule("inbound", 100).in().deny(), rule("any", 1).allow()), 80, "any"),
        Arguments.of("narrower port range at same priority listed second loses",
            layer("acl", DefaultAction.DENY, rule("wide", 10).tcp().dstPort("1-1000").allow(),
                rule("narrow", 10).tcp().dstPort("80").deny()), 80, "wide"),
        Arguments.of("no match falls to the default",
            layer("acl", DefaultAction.ALLOW, rule("udp", 10).udp().deny()), 80, LayerDecision.DEFAULT));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decidingRuleIsHighestPriorityThenFirstListed(String name, Layer acl, int dport, String expectedRule) {
    Config config = EvalFixtures.world().rules("web1", acl).build();

    Decision d = new ReferenceEvaluator(config).evaluate(port(config, "web1"),
        tcpFrom(config, "web1", "198.51.100.7", 40000, dport), ConnectionLookup.NONE);

    assertThat(d.layers().get(0).rule()).isEqualTo(expectedRule);
  }
}
