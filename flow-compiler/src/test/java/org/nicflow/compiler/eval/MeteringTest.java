package org.nicflow.compiler.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nicflow.compiler.eval.EvalFixtures.layer;
import static org.nicflow.compiler.eval.EvalFixtures.port;
import static org.nicflow.compiler.eval.EvalFixtures.tcpFrom;

import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.DefaultAction;

/** docs/semantics.md, "Metering": packets from a VM with meter_kbps pass meter VM index + 1. */
class MeteringTest {

  private static final Config CONFIG = EvalFixtures.world().rules("db1", layer("acl", DefaultAction.DENY)).build();

  static Stream<Arguments> senders() {
    return Stream.of(
        Arguments.of("web1", "10.1.0.12", OptionalLong.of(1)),
        Arguments.of("web1", "198.51.100.7", OptionalLong.of(1)),
        Arguments.of("web1", "10.1.0.13", OptionalLong.of(1)),
        Arguments.of("db1", "10.1.0.11", OptionalLong.empty()));
  }

  @ParameterizedTest
  @MethodSource("senders")
  void meteredVmPassesItsMeterWhateverTheVerdict(String vm, String dst, OptionalLong meter) {
    Decision d = new ReferenceEvaluator(CONFIG).evaluate(port(CONFIG, vm), tcpFrom(CONFIG, vm, dst, 1, 2),
        ConnectionLookup.NONE);
    assertThat(d.meterId()).isEqualTo(meter);
  }

  @Test
  void trafficNotFromAVmPortIsNotMetered() {
    Decision d = new ReferenceEvaluator(CONFIG).evaluate(new Ingress.Tunnel("host1", "host2", EvalFixtures.BLUE),
        tcpFrom(CONFIG, "web2", "10.1.0.11", 1, 2), ConnectionLookup.NONE);
    assertThat(d.allowed()).isTrue();
    assertThat(d.meterId()).isEmpty();
  }
}
