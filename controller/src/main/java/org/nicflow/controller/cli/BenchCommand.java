package org.nicflow.controller.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code nicflow bench ...}: benchmarks of connection setup: {@code cps} on real Open vSwitch and
 * Mininet, {@code soak} (connection churn for minutes) there too, {@code miss} with emulated switches
 * over loopback against any controller.
 */
@Command(name = "bench", description = "Benchmarks: cps (connections/s on Mininet + OVS), soak (connection churn "
    + "for minutes: crashes, failures, memory), miss (emulated switches "
    + "over loopback against any controller).", subcommands = {BenchCpsCommand.class, BenchMissCommand.class,
    BenchSoakCommand.class})
final class BenchCommand implements Runnable {

  @Spec
  private CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "name a benchmark: " + spec.subcommands().keySet());
  }
}
