package org.nicflow.compiler.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nicflow.compiler.eval.EvalFixtures.port;
import static org.nicflow.compiler.eval.EvalFixtures.tcpFrom;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.packet.PacketHeaders;

/**
 * docs/semantics.md, "ARP and anti-spoofing": ARP is answered by the bridge and never reaches the
 * evaluator (a {@link PacketHeaders} is always IPv4), but anti-spoofing applies to every packet
 * from a VM port before any layer runs.
 */
class AntiSpoofingTest {

  private static final Config CONFIG = EvalFixtures.world().build();

  static Stream<Arguments> packets() {
    PacketHeaders good = tcpFrom(CONFIG, "web1", "10.1.0.13", 1, 2);
    return Stream.of(
        Arguments.of("own MAC and IP", good, Verdict.ALLOW),
        Arguments.of("another VM's MAC", good.withEth(MacAddress.parse("02:00:00:00:01:0d"), good.ethDst()),
            Verdict.DROP),
        Arguments.of("another IP", good.withSource(Ipv4.parse("10.1.0.13"), 1), Verdict.DROP),
        Arguments.of("same IP in another VNET's VM, own MAC", good, Verdict.ALLOW),
        Arguments.of("red1's MAC with web1's IP", good.withEth(MacAddress.parse("02:00:00:00:01:21"), good.ethDst()),
            Verdict.DROP));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("packets")
  void vmMaySendOnlyWithItsOwnMacAndIp(String name, PacketHeaders packet, Verdict verdict) {
    Decision d = new ReferenceEvaluator(CONFIG).evaluate(port(CONFIG, "web1"), packet, ConnectionLookup.NONE);

    assertThat(d.verdict()).isEqualTo(verdict);
    if (verdict == Verdict.DROP) {
      assertThat(d.dropReason()).contains("spoofed source");
      assertThat(d.layers()).isEmpty();
    }
  }
}
