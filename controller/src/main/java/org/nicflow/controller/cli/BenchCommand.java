package org.nicflow.controller.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code nicflow bench}: benchmarks that run against real Open vSwitch or over loopback. */
@Command(name = "bench", description = "Benchmarks: cps (connections/s on Mininet + OVS).",
    subcommands = {BenchCpsCommand.class})
final class BenchCommand implements Runnable {

  @Spec
  private CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "name a benchmark: " + spec.subcommands().keySet());
  }
}
