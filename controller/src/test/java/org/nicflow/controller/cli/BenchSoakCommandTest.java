package org.nicflow.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Bad input to {@code nicflow bench soak} is refused before any process or network is started. */
class BenchSoakCommandTest {

  @Test
  void aSoakShorterThanFiveSecondsIsBadInput() {
    CliRun run = CliRun.of("bench", "soak", "--seconds", "2");

    assertThat(run.code()).isEqualTo(NicflowCli.EXIT_BAD_INPUT);
    assertThat(run.err()).contains("--seconds");
  }

  @Test
  void aWarmUpThatLeavesNoSampleAfterItIsBadInput() {
    CliRun run = CliRun.of("bench", "soak", "--seconds", "30", "--warm-up", "28", "--sample-every", "5");

    assertThat(run.code()).isEqualTo(NicflowCli.EXIT_BAD_INPUT);
    assertThat(run.err()).contains("--warm-up");
  }

  @Test
  void aNegativeBoundIsBadInput() {
    CliRun run = CliRun.of("bench", "soak", "--max-heap-growth", "-1");

    assertThat(run.code()).isEqualTo(NicflowCli.EXIT_BAD_INPUT);
    assertThat(run.err()).contains("--max-heap-growth");
  }
}
