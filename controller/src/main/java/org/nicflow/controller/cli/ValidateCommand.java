package org.nicflow.controller.cli;

import java.util.concurrent.Callable;
import org.nicflow.compiler.model.Config;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code nicflow validate -c FILE}: checks a config and summarises it, or lists every error. */
@Command(name = "validate",
    description = "Check a config file. Prints a summary, or every error on stderr (exit code 2).")
final class ValidateCommand implements Callable<Integer> {

  @Mixin
  private ConfigOption config;

  @Spec
  private CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Config c = config.load();
    int rules = c.rulesets().stream().flatMap(rs -> rs.layers().stream()).mapToInt(l -> l.rules().size()).sum();
    spec.commandLine().getOut().printf("OK: %d hosts, %d vnets, %d vms, %d rulesets, %d rules%n",
        c.hosts().size(), c.vnets().size(), c.vms().size(), c.rulesets().size(), rules);
    spec.commandLine().getOut().flush();
    return NicflowCli.EXIT_OK;
  }
}
