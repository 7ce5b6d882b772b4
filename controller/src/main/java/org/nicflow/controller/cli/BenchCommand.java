package org.nicflow.controller.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code nicflow bench ...}: load generators that measure a controller over loopback. */
@Command(name = "bench", description = "Load generators that measure a controller (nicflow or any other).",
    subcommands = {BenchMissCommand.class})
final class BenchCommand implements Runnable {

  @Spec
  private CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing subcommand");
  }
}
