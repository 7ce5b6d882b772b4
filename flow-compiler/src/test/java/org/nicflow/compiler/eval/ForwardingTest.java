package org.nicflow.compiler.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nicflow.compiler.eval.EvalFixtures.GATEWAY;
import static org.nicflow.compiler.eval.EvalFixtures.port;
import static org.nicflow.compiler.eval.EvalFixtures.tcpFrom;

import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.MacAddress;

/**
 * docs/semantics.md, "Forwarding" and "Delivery": local, tunnel, in-prefix drop, uplink; delivery
 * MACs.
 */
class ForwardingTest {

  private static final Config CONFIG = EvalFixtures.world().build();
  private final ReferenceEvaluator evaluator = new ReferenceEvaluator(CONFIG);

  static Stream<Arguments> fromVmPorts() {
    return Stream.of(
        Arguments.of("same host: local", "web1", "10.1.0.13",
            Optional.of(new Output(Output.Kind.LOCAL, "db1-eth0", "host1", 0)), "02:00:00:00:01:0d", null),
        Arguments.of("other host: tunnel with the VNI", "web1", "10.1.0.12",
            Optional.of(new Output(Output.Kind.TUNNEL, "tun-host2", "host2", EvalFixtures.BLUE)),
            "02:00:00:00:01:0c", null),
        Arguments.of("in prefix, no VM: dropped", "web1", "10.1.0.99", Optional.empty(), null,
            "no VM at 10.1.0.99 in VNET blue"),
        Arguments.of("the gateway address: dropped", "web1", "10.1.0.1", Optional.empty(), null,
            "no VM at 10.1.0.1 in VNET blue"),
        Arguments.of("outside the prefix: uplink to the next hop", "web1", "198.51.100.7",
            Optional.of(new Output(Output.Kind.UPLINK, "host1-up", "host1", 0)), "02:00:00:00:fe:01", null),
        Arguments.of("outside the prefix, no next hop: dropped", "far1", "198.51.100.7", Optional.empty(), null,
            "no next_hop_mac on host host3"),
        Arguments.of("same address in another VNET is another VM", "red1", "10.1.0.13", Optional.empty(), null,
            "no VM at 10.1.0.13 in VNET red"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fromVmPorts")
  void forwardsByDestinationInsideTheSendersVnet(String name, String sender, String dst, Optional<Output> output,
      String dlDst, String reason) {
    Decision d = evaluator.evaluate(port(CONFIG, sender), tcpFrom(CONFIG, sender, dst, 40000, 80),
        ConnectionLookup.NONE);

    assertThat(d.output()).isEqualTo(output);
    assertThat(d.dropReason()).isEqualTo(Optional.ofNullable(reason));
    if (dlDst != null) {
      assertThat(d.packet().ethSrc()).isEqualTo(GATEWAY);
      assertThat(d.packet().ethDst()).isEqualTo(MacAddress.parse(dlDst));
    }
  }

  @Test
  void tunnelIngressDeliversToLocalVmAfterItsInLayers() {
    Decision d = evaluator.evaluate(new Ingress.Tunnel("host2", "host1", EvalFixtures.BLUE),
        tcpFrom(CONFIG, "web1", "10.1.0.12", 40000, 80).withEth(GATEWAY, MacAddress.parse("02:00:00:00:01:0c")),
        ConnectionLookup.NONE);

    assertThat(d.output()).contains(new Output(Output.Kind.LOCAL, "web2-eth0", "host2", 0));
    assertThat(d.layers()).extracting(LayerDecision::vm).containsExactly("web2");
  }

  static Stream<Arguments> badTunnels() {
    return Stream.of(
        Arguments.of(new Ingress.Tunnel("host2", "host1", 999), "10.1.0.12", "unknown VNI 999"),
        Arguments.of(new Ingress.Tunnel("host2", "host1", EvalFixtures.BLUE), "10.1.0.13",
            "VM db1 is not on host host2"),
        Arguments.of(new Ingress.Tunnel("host2", "host1", EvalFixtures.BLUE), "10.1.0.77",
            "no VM at 10.1.0.77 in VNET blue"));
  }

  @ParameterizedTest
  @MethodSource("badTunnels")
  void tunnelTrafficForNoLocalVmIsDropped(Ingress.Tunnel tunnel, String dst, String reason) {
    Decision d = evaluator.evaluate(tunnel, tcpFrom(CONFIG, "web1", dst, 1, 2), ConnectionLookup.NONE);
    assertThat(d.dropReason()).contains(reason);
  }

  @Test
  void uplinkTrafficThatIsNeitherVipNorReplyIsDropped() {
    Decision d = evaluator.evaluate(new Ingress.Uplink("host1"),
        EvalFixtures.fromInternet(EvalFixtures.INTERNET, 1, org.nicflow.compiler.model.Ipv4.parse("10.1.0.11"), 80),
        ConnectionLookup.NONE);
    assertThat(d.dropReason()).contains("not a VIP or live connection");
  }

  @Test
  void unknownHostOrVmPortIsDropped() {
    assertThat(evaluator.evaluate(new Ingress.Uplink("nohost"), tcpFrom(CONFIG, "web1", "10.1.0.13", 1, 2),
        ConnectionLookup.NONE).dropReason()).contains("unknown host nohost");
    assertThat(evaluator.evaluate(new Ingress.VmPort("host2", "web1"), tcpFrom(CONFIG, "web1", "10.1.0.13", 1, 2),
        ConnectionLookup.NONE).dropReason()).contains("no VM web1 on host host2");
  }
}
