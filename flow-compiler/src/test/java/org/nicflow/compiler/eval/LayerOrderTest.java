package org.nicflow.compiler.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nicflow.compiler.eval.EvalFixtures.layer;
import static org.nicflow.compiler.eval.EvalFixtures.port;
import static org.nicflow.compiler.eval.EvalFixtures.rule;
import static org.nicflow.compiler.eval.EvalFixtures.tcpFrom;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.DefaultAction;
import org.nicflow.compiler.model.Direction;

/**
 * docs/semantics.md, "Layers": layers run in order for out, in reverse for in; sender then
 * receiver.
 */
class LayerOrderTest {

  private static final Config CONFIG = EvalFixtures.world()
      .rules("web1", layer("acl", DefaultAction.ALLOW), layer("qos", DefaultAction.ALLOW),
          layer("nat", DefaultAction.ALLOW))
      .rules("db1", layer("first", DefaultAction.ALLOW), layer("second", DefaultAction.ALLOW))
      .build();

  static Stream<Arguments> paths() {
    return Stream.of(
        Arguments.of("web1", "10.1.0.13", List.of("web1:out:acl", "web1:out:qos", "web1:out:nat",
            "db1:in:second", "db1:in:first")),
        Arguments.of("db1", "10.1.0.11", List.of("db1:out:first", "db1:out:second",
            "web1:in:nat", "web1:in:qos", "web1:in:acl")),
        Arguments.of("web1", "198.51.100.7", List.of("web1:out:acl", "web1:out:qos", "web1:out:nat")));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("paths")
  void runsSenderOutLayersInOrderThenReceiverInLayersReversed(String sender, String dst, List<String> expected) {
    Decision d = new ReferenceEvaluator(CONFIG).evaluate(port(CONFIG, sender), tcpFrom(CONFIG, sender, dst, 40000, 80),
        ConnectionLookup.NONE);

    assertThat(d.allowed()).isTrue();
    assertThat(d.layers()).extracting(l -> l.vm() + ":" + l.direction().key() + ":" + l.layer())
        .containsExactlyElementsOf(expected);
  }

  @Test
  void recordsLayerIndexOfEachStep() {
    Decision d = new ReferenceEvaluator(CONFIG).evaluate(port(CONFIG, "db1"), tcpFrom(CONFIG, "db1", "10.1.0.11", 1, 2),
        ConnectionLookup.NONE);

    assertThat(d.layers()).extracting(LayerDecision::layerIndex).containsExactly(0, 1, 2, 1, 0);
    assertThat(d.layers()).extracting(LayerDecision::direction)
        .containsExactly(Direction.OUT, Direction.OUT, Direction.IN, Direction.IN, Direction.IN);
  }

  @Test
  void laterLayerSeesEarlierRewrite() {
    Config config = EvalFixtures.world()
        .rules("web1",
            layer("nat", DefaultAction.ALLOW, rule("snat", 10).out().snat("203.0.113.10")),
            layer("acl", DefaultAction.DENY, rule("from-public", 10).src("203.0.113.10").allow()))
        .build();

    Decision d = new ReferenceEvaluator(config).evaluate(port(config, "web1"),
        tcpFrom(config, "web1", "198.51.100.7", 40000, 443), ConnectionLookup.NONE);

    assertThat(d.allowed()).isTrue();
    assertThat(d.layers()).extracting(LayerDecision::rule).containsExactly("snat", "from-public");
  }
}
