package org.nicflow.controller.cli;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.model.Config;
import org.nicflow.controller.bench.MissBench;
import org.nicflow.controller.bench.MissLoad;
import org.nicflow.controller.bench.MissReport;
import org.nicflow.controller.openflow.OpenFlowSettings;
import org.nicflow.controller.runtime.NicflowController;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code nicflow bench miss}: emulated OpenFlow 1.3 switches send packet-ins of new connections to
 * a controller and time the packet-out that answers each. With {@code --config}, the switches are
 * the config's hosts and their packets come from its VMs and are allowed by its rule sets; without,
 * they are plain switches whose VMs talk to each other (for a learning switch such as
 * ovs-testcontroller).
 */
@Command(name = "miss", description = "Measure how fast a controller answers table misses (packet-in to packet-out).")
final class BenchMissCommand implements Callable<Integer> {

  @Option(names = "--controller", paramLabel = "tcp:HOST:PORT", defaultValue = "tcp:127.0.0.1:6653",
      description = "The controller to measure (default: ${DEFAULT-VALUE}).")
  private String controller;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "The nicflow config the switches pretend to be part of (its hosts' dpids and ports, its VMs).")
  private Path configFile;

  @Option(names = "--spawn", description = "Start nicflow with --config in this process on a free port and measure it "
      + "(--controller is then ignored).")
  private boolean spawn;

  @Option(names = "--switches", paramLabel = "N",
      description = "Emulated switches (default: every host of the config, or 2 without one).")
  private Integer switches;

  @Option(names = "--in-flight", paramLabel = "N", defaultValue = "64",
      description = "Unanswered packet-ins per switch (default: ${DEFAULT-VALUE}).")
  private int inFlight;

  @Option(names = "--count", paramLabel = "N", defaultValue = "100000",
      description = "Packet-ins of distinct new connections, over all switches (default: ${DEFAULT-VALUE}).")
  private int count;

  @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "0",
      description = "Stop sending after this long, even with packets left (default: 0, send all --count).")
  private double durationSeconds;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "2",
      description = "A packet-in unanswered this long counts as unanswered (default: ${DEFAULT-VALUE}).")
  private double timeoutSeconds;

  @Option(names = "--settle", paramLabel = "MILLIS", defaultValue = "500",
      description = "After the handshake, wait until the controller has been quiet this long (default: ${DEFAULT-VALUE}).")
  private long settleMillis;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
  private long seed;

  @Option(names = "--smoke", description = "A short run (" + MissBench.SMOKE_COUNT + " packet-ins, at most "
      + MissBench.SMOKE_SECONDS + " s) that fails unless packet-ins were answered.")
  private boolean smoke;

  @Spec
  private CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (spawn && configFile == null) {
      throw new BadInputException("--spawn starts nicflow with --config FILE: give one");
    }
    if (inFlight < 1 || count < 1 || durationSeconds < 0 || timeoutSeconds <= 0 || settleMillis < 0) {
      throw new BadInputException("--in-flight and --count must be at least 1, --duration and --settle not negative, "
          + "--timeout positive");
    }
    Optional<Config> config = configFile == null ? Optional.empty() : Optional.of(new ConfigLoader().load(configFile));
    int n = switches != null ? switches : config.map(c -> c.hosts().size()).orElse(2);
    int total = smoke ? Math.min(count, MissBench.SMOKE_COUNT) : count;
    double seconds = smoke ? (durationSeconds == 0 ? MissBench.SMOKE_SECONDS
        : Math.min(durationSeconds, MissBench.SMOKE_SECONDS)) : durationSeconds;
    List<org.nicflow.controller.bench.MissTraffic.SwitchPlan> plans;
    try {
      plans = MissBench.plans(config, n, total, seed);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    NicflowController spawned = null;
    try {
      InetSocketAddress target;
      if (spawn) {
        spawned = NicflowController.start(config.orElseThrow(), OpenFlowSettings.of("127.0.0.1", 0));
        target = new InetSocketAddress("127.0.0.1", spawned.openflowPort());
      } else {
        target = controllerAddress(controller);
      }
      MissLoad.Settings settings = new MissLoad.Settings(target, inFlight, duration(seconds),
          Duration.ofMillis(settleMillis), duration(timeoutSeconds), Duration.ofSeconds(30));
      MissReport report = new MissLoad(settings).run(plans);
      out.print(report.render());
      out.flush();
      if (smoke && report.answered() == 0) {
        spec.commandLine().getErr().println("error: smoke run: no packet-in was answered with a packet-out");
        return NicflowCli.EXIT_FAILURE;
      }
      return NicflowCli.EXIT_OK;
    } finally {
      if (spawned != null) {
        spawned.close();
      }
    }
  }

  private static Duration duration(double seconds) {
    return Duration.ofNanos((long) (seconds * 1e9));
  }

  /** {@code tcp:HOST:PORT} (the {@code tcp:} may be left out). */
  static InetSocketAddress controllerAddress(String text) throws BadInputException {
    String rest = text.startsWith("tcp:") ? text.substring(4) : text;
    InetSocketAddress unresolved = RunCommand.hostPort("--controller", rest);
    if (unresolved.getPort() == 0) {
      throw new BadInputException("--controller needs a port, got '" + text + "'");
    }
    return new InetSocketAddress(unresolved.getHostString(), unresolved.getPort());
  }
}
