package org.nicflow.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class BenchMissCommandTest {

  private static final String DEMO = Path.of("..", "examples", "demo.yaml").toString();

  @Test
  void smokeRunAgainstSpawnedNicflowReportsAnsweredPacketInsAndLatencies() {
    CliRun run = CliRun.of("bench", "miss", "--spawn", "-c", DEMO, "--smoke", "--settle", "0");

    assertThat(run.code()).as(run.err()).isEqualTo(NicflowCli.EXIT_OK);
    Matcher answered = Pattern.compile("(\\d+) sent, (\\d+) answered with a packet-out").matcher(run.out());
    assertThat(answered.find()).as(run.out()).isTrue();
    assertThat(Long.parseLong(answered.group(2))).isPositive();
    assertThat(run.out()).containsPattern("throughput +\\d+ packet-ins/s answered")
        .containsPattern("latency +p50 \\d+ us +p99 \\d+ us +p99.9 \\d+ us")
        .containsPattern("flow-mods +\\d+ \\(\\d+\\.\\d\\d per answered packet-in\\)");
  }

  @Test
  void spawnWithoutAConfigIsBadInput() {
    CliRun run = CliRun.of("bench", "miss", "--spawn");

    assertThat(run.code()).isEqualTo(NicflowCli.EXIT_BAD_INPUT);
    assertThat(run.err()).contains("--spawn");
  }

  @Test
  void aControllerAddressWithoutPortIsBadInput() {
    CliRun run = CliRun.of("bench", "miss", "--controller", "tcp:127.0.0.1", "--count", "1");

    assertThat(run.code()).isEqualTo(NicflowCli.EXIT_BAD_INPUT);
    assertThat(run.err()).contains("--controller");
  }
}
