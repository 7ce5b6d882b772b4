package org.nicflow.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Bad input to {@code nicflow bench cps} is refused before any network is built. */
class BenchCpsCommandTest {

  @Test
  void moreConnectionsThanClientPortsIsBadInput() {
    CliRun run = CliRun.of("bench", "cps", "--connections", "10000", "--runs", "3");

    assertThat(run.code()).isEqualTo(NicflowCli.EXIT_BAD_INPUT);
    assertThat(run.err()).contains("client ports");
  }

  @Test
  void noConnectionsIsBadInput() {
    CliRun run = CliRun.of("bench", "cps", "--connections", "0");

    assertThat(run.code()).isEqualTo(NicflowCli.EXIT_BAD_INPUT);
    assertThat(run.err()).contains("--connections");
  }

  @Test
  void anUnknownModeIsBadInput() {
    CliRun run = CliRun.of("bench", "cps", "--modes", "reactive,fast");

    assertThat(run.code()).isEqualTo(NicflowCli.EXIT_BAD_INPUT);
    assertThat(run.err()).contains("unknown mode fast");
  }
}
