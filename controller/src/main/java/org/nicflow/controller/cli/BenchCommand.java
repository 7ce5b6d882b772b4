package org.nicflow.controller.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code nicflow bench ...}: benchmarks of connection setup: {@code cps} on real Open vSwitch and
 * Mininet, {@code miss} with emulated switches over loopback against any controller.
 */
@Command(name = "bench", description = "Benchmarks: cps (connections/s on Mininet + OVS), miss (emulated switches "
    + "over loopback against any controller).", subcommands = {BenchCpsCommand.class, BenchMissCommand.class})
final class BenchCommand implements Runnable {

  @Spec
  private CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "name a benchmark: " + spec.subcommands().keySet());
  }
}
