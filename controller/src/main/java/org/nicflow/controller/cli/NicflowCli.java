package org.nicflow.controller.cli;

import java.io.PrintWriter;
import org.nicflow.compiler.config.ConfigError;
import org.nicflow.compiler.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code nicflow} command. Exit codes: {@value #EXIT_OK} success, {@value #EXIT_FAILURE} runtime
 * failure, {@value #EXIT_BAD_INPUT} bad input (usage, config errors, unknown names). Errors go to
 * stderr. A new subcommand is one more entry in {@code subcommands}; it inherits {@code --help} and
 * {@code --version}, takes {@code @Mixin ConfigOption} for {@code -c FILE}, and may throw
 * {@link org.nicflow.compiler.config.ConfigException} or {@link BadInputException} (exit 2) or any
 * other exception (exit 1).
 */
@Command(
    name = "nicflow",
    scope = ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    versionProvider = NicflowCli.Version.class,
    description = "NIC offload for VM networking: an OpenFlow host partition for Open vSwitch.",
    subcommands = {
        ValidateCommand.class,
        HostSetupCommand.class,
        GenerateLargeCommand.class,
        CompileCommand.class,
        TraceCommand.class,
        RunCommand.class,
        DemoCommand.class,
        GetCommand.class,
        ApplyCommand.class,
        DeleteCommand.class,
        BenchCommand.class,
    })
public final class NicflowCli implements Runnable {

  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILURE = 1;
  public static final int EXIT_BAD_INPUT = 2;

  @Spec
  private CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line with nicflow's error handling and exit codes; tests set out/err on it. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new NicflowCli());
    cli.setExecutionExceptionHandler(NicflowCli::handleExecutionException);
    cli.setParameterExceptionHandler(NicflowCli::handleParameterException);
    return cli;
  }

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing subcommand");
  }

  private static int handleExecutionException(Exception ex, CommandLine cli, ParseResult parsed) {
    PrintWriter err = cli.getErr();
    if (ex instanceof ConfigException config) {
      for (ConfigError error : config.errors()) {
        err.println(error);
      }
      err.flush();
      return EXIT_BAD_INPUT;
    }
    if (ex instanceof BadInputException) {
      err.println("error: " + ex.getMessage());
      err.flush();
      return EXIT_BAD_INPUT;
    }
    err.println("error: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
    err.flush();
    return EXIT_FAILURE;
  }

  private static int handleParameterException(ParameterException ex, String[] args) {
    CommandLine cli = ex.getCommandLine();
    PrintWriter err = cli.getErr();
    err.println("error: " + ex.getMessage());
    CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
    err.println("Try '" + cli.getCommandSpec().qualifiedName() + " --help' for more information.");
    err.flush();
    return EXIT_BAD_INPUT;
  }

  /** The version from the jar manifest, or {@code development build}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = NicflowCli.class.getPackage().getImplementationVersion();
      return new String[] {"nicflow " + (version == null ? "development build" : version)};
    }
  }
}
