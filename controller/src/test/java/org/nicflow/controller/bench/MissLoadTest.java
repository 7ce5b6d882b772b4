package org.nicflow.controller.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.model.Config;
import org.nicflow.controller.openflow.OpenFlowSettings;
import org.nicflow.controller.runtime.NicflowController;

/** The generator against the real nicflow controller, in this process, over loopback. */
class MissLoadTest {

  private static final Path DEMO = Path.of("..", "examples", "demo.yaml");

  private static MissLoad.Settings settings(int port, int inFlight) {
    return new MissLoad.Settings(new InetSocketAddress("127.0.0.1", port), inFlight, Duration.ZERO, Duration.ZERO,
        Duration.ofSeconds(30), Duration.ofSeconds(30));
  }

  @Test
  void everyPacketInOfTheConfigsVmsIsAnsweredWithFlowsAndItsPacketOut() throws Exception {
    Config config = new ConfigLoader().load(DEMO);
    List<MissTraffic.SwitchPlan> plans = MissBench.plans(Optional.of(config), 2, 300, 7);
    try (NicflowController nicflow = NicflowController.start(config, OpenFlowSettings.of("127.0.0.1", 0))) {
      MissReport report = new MissLoad(settings(nicflow.openflowPort(), 8)).run(plans);

      assertThat(report.switches()).isEqualTo(2);
      assertThat(report.sent()).isEqualTo(300);
      assertThat(report.answered()).isEqualTo(300);
      assertThat(report.unanswered()).isZero();
      assertThat(report.packetOuts()).isEqualTo(300);
      assertThat(report.strayPacketOuts()).isZero();
      assertThat(report.flowMods()).isGreaterThanOrEqualTo(300);
      assertThat(report.errors()).isZero();
      assertThat(report.latenciesNanos()).hasSize(300);
      assertThat(report.percentile(0.5)).isPositive().isLessThanOrEqualTo(report.percentile(0.999));
      var counters = nicflow.partition().counters();
      assertThat(counters.offloads()).isEqualTo(300);
      assertThat(counters.deniedMisses()).isZero();
    }
  }

  @Test
  void switchesTheControllerDoesNotKnowAreReportedAsRefused() throws Exception {
    Config config = new ConfigLoader().load(DEMO);
    // plain switches have dpids 1, 2, 3: the third is no host of the demo
    List<MissTraffic.SwitchPlan> strangers = MissBench.plans(Optional.empty(), 3, 30, 7).subList(2, 3);
    try (NicflowController nicflow = NicflowController.start(config, OpenFlowSettings.of("127.0.0.1", 0))) {
      var load = new MissLoad(settings(nicflow.openflowPort(), 4));

      org.assertj.core.api.Assertions.assertThatThrownBy(() -> load.run(strangers))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed the connection of switch3");
    }
  }
}
