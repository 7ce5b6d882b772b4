package org.nicflow.controller.cli;

import java.nio.file.Path;
import org.nicflow.compiler.config.ConfigException;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.model.Config;
import picocli.CommandLine.Option;

/**
 * The {@code -c/--config FILE} option shared by subcommands ({@code @Mixin ConfigOption config;}).
 * {@link #load()} throws {@link ConfigException}; {@link NicflowCli} prints each error on stderr
 * and exits 2, so a subcommand just lets it propagate.
 */
public final class ConfigOption {

  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
      description = "The nicflow config file (YAML; JSON if named *.json).")
  private Path file;

  public Path file() {
    return file;
  }

  /** Reads and validates the config file. */
  public Config load() throws ConfigException {
    return new ConfigLoader().load(file);
  }
}
