package org.nicflow.compiler.proactive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.eval.Decision;
import org.nicflow.compiler.eval.Ingress;
import org.nicflow.compiler.eval.Output;
import org.nicflow.compiler.eval.Verdict;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.OffloadMode;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.packet.PacketHeaders;

class SimResultTest {

  private final Config config = TwoHostFixture.config(OffloadMode.PROACTIVE);
  private final TableSimulator sim = new TableSimulator(new HostPipelineCompiler(config).proactiveFlows("host1"));
  private final Vm db1 = config.vm("db1").orElseThrow();
  private final Vm web2 = config.vm("web2").orElseThrow();

  private PacketHeaders fromDb1(int dport) {
    return new PacketHeaders(db1.mac(), TwoHostFixture.GW, 17, db1.ip(), web2.ip(), 5000, dport, 0);
  }

  private static Decision allow(PacketHeaders p, Output out) {
    return new Decision(Verdict.ALLOW, List.of(), p, Optional.of(out), Optional.empty(), OptionalLong.empty(), List.of());
  }

  @Test
  void ingressOfEvaluatorMapsToBridgePorts() {
    assertThat(SimIngress.of(config, new Ingress.VmPort("host1", "db1")))
        .isEqualTo(new SimIngress("db1-eth0", OptionalLong.empty()));
    assertThat(SimIngress.of(config, new Ingress.Tunnel("host1", "host2", 5001)))
        .isEqualTo(new SimIngress("tun-host2", OptionalLong.of(5001)));
    assertThat(SimIngress.of(config, new Ingress.Uplink("host2")))
        .isEqualTo(new SimIngress("host2-up", OptionalLong.empty()));
  }

  @Test
  void agreesWithAMatchingTunnelDecisionAndNamesADifferentOne() {
    PacketHeaders icmp = new PacketHeaders(db1.mac(), TwoHostFixture.GW, 1, db1.ip(), web2.ip(), 8, 0, 0);
    SimResult r = sim.run(SimIngress.of(config, new Ingress.VmPort("host1", "db1")), icmp);
    PacketHeaders delivered = icmp.withEth(TwoHostFixture.GW, web2.mac());

    assertThat(r.disagreementWith(allow(delivered, new Output(Output.Kind.TUNNEL, "tun-host2", "host2", 5001))))
        .isEmpty();
    assertThat(r.disagreementWith(allow(delivered, new Output(Output.Kind.TUNNEL, "tun-host2", "host2", 5002))))
        .hasValueSatisfying(s -> assertThat(s).contains("tunnel key"));
    assertThat(r.disagreementWith(allow(icmp, new Output(Output.Kind.TUNNEL, "tun-host2", "host2", 5001))))
        .hasValueSatisfying(s -> assertThat(s).contains("headers differ"));
    assertThat(r.disagreementWith(new Decision(Verdict.DROP, List.of(), icmp, Optional.empty(),
        Optional.of("default deny"), OptionalLong.empty(), List.of()))).isPresent();
  }

  @Test
  void droppedPacketAgreesWithADropAndControllerResultsAreNotCompared() {
    SimResult dropped = sim.run("db1-eth0", OptionalLong.empty(), fromDb1(1500));
    Decision drop = new Decision(Verdict.DROP, List.of(), fromDb1(1500), Optional.empty(), Optional.of("default"),
        OptionalLong.empty(), List.of());
    SimResult toController = sim.run("web1-eth0", OptionalLong.empty(), new PacketHeaders(
        config.vm("web1").orElseThrow().mac(), TwoHostFixture.GW, 6, Ipv4.parse("10.1.0.11"), web2.ip(), 1, 2, 0));

    assertThat(dropped.disagreementWith(drop)).isEmpty();
    assertThat(toController.toController()).isTrue();
    assertThatThrownBy(() -> toController.disagreementWith(drop)).isInstanceOf(IllegalStateException.class);
  }
}
