package org.nicflow.controller.cli;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.ControllerTls;
import org.nicflow.compiler.model.OffloadMode;
import org.nicflow.controller.openflow.OpenFlowSettings;
import org.nicflow.controller.policy.ApiToken;
import org.nicflow.controller.policy.FilePolicyStore;
import org.nicflow.controller.policy.PolicyStore;
import org.nicflow.controller.policy.PolicyStoreException;
import org.nicflow.controller.policy.PolicyWriter;
import org.nicflow.controller.runtime.NicflowController;
import org.nicflow.controller.runtime.TransportSecurity;
import org.nicflow.controller.tls.TlsFilesException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * {@code nicflow run -c FILE}: the controller. Its policy lives in the store in
 * {@code controller.state_dir} (relative paths are relative to the working directory): the first
 * start seeds it from the file, later starts load its newest revision. SIGHUP reads the file again
 * and makes it the next revision (a file with errors is refused, with every error logged, and the
 * running policy stays). Runs until SIGTERM or SIGINT, then closes every switch connection and
 * exits 0.
 */
@Command(name = "run", description = "Run the controller: program every configured host's bridge and handle misses.")
final class RunCommand implements Callable<Integer> {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RunCommand.class);

  @Mixin
  private ConfigOption config;

  @Option(names = "--openflow", paramLabel = "[ssl:]HOST:PORT",
      description = "Listen here instead of controller.openflow (port 0: any free port; ssl: switches connect "
          + "over TLS with the files of controller.tls).")
  private String openflow;

  @Option(names = "--api", paramLabel = "HOST:PORT",
      description = "Serve the REST API and /metrics here instead of controller.api (port 0: any free port).")
  private String api;

  @Option(names = "--no-api", description = "Do not serve the REST API and /metrics.")
  private boolean noApi;

  @Option(names = "--mode", paramLabel = "MODE", description = "Override controller.mode: reactive or proactive.")
  private String mode;

  @Option(names = "--audit-interval", paramLabel = "SECONDS", defaultValue = "60",
      description = "Read every switch's flows this often and repair drift (0: never; default: ${DEFAULT-VALUE}).")
  private int auditSeconds;

  @Option(names = "--state-dir", paramLabel = "DIR",
      description = "Keep the policy store here instead of controller.state_dir.")
  private Path stateDir;

  @Override
  public Integer call() throws Exception {
    Config c = config.load();
    if (mode != null) {
      c = c.withMode(parseMode(mode));
    }
    OpenflowListener listener = openflowListener(c, Optional.ofNullable(openflow));
    OpenFlowSettings settings = listener.settings();
    Optional<InetSocketAddress> apiAddress = apiAddress(c, Optional.ofNullable(api), noApi);
    if (auditSeconds < 0) {
      throw new BadInputException("--audit-interval must be 0 (never) or a number of seconds, got " + auditSeconds);
    }
    Path dir = stateDir != null ? stateDir : Path.of(c.controller().stateDir());
    PolicyStore store;
    try {
      store = FilePolicyStore.open(dir);
    } catch (PolicyStoreException e) {
      throw new BadInputException("cannot use the state directory " + dir + ": " + e.getMessage());
    }
    Optional<String> token = Optional.empty();
    if (apiAddress.isPresent() && !isLoopback(apiAddress.get().getHostString())) {
      token = Optional.of(ApiToken.loadOrCreate(dir));
      System.err.println("nicflow: the API listens on " + apiAddress.get().getHostString()
          + ", every request needs the bearer token in " + dir.resolve("api-token"));
    }
    TransportSecurity security = security(c, listener.tls(), apiAddress.isPresent());
    NicflowController controller = NicflowController.start(c, settings, apiAddress, store, token, security);
    reloadOnHangup(controller);
    if (auditSeconds > 0) {
      controller.auditEvery(java.time.Duration.ofSeconds(auditSeconds));
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      try {
        controller.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        stopped.countDown();
      }
    }, "nicflow-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    stopped.await();
    return NicflowCli.EXIT_OK;
  }

  /** SIGHUP: the config file, read again, becomes the next revision (Faucet-style). */
  private void reloadOnHangup(NicflowController controller) {
    try {
      Signal.handle(new Signal("HUP"), signal -> {
        try {
          Config edited = config.load();
          if (mode != null) {
            edited = edited.withMode(parseMode(mode));
          }
          PolicyWriter.Accepted accepted = controller.writer().write(edited, OptionalLong.empty());
          log.info("SIGHUP: {} is revision {}{}", config.file(), accepted.revision(),
              accepted.changed() ? "" : " (unchanged)");
        } catch (org.nicflow.compiler.config.ConfigException e) {
          log.error("SIGHUP: {} has errors, not applied; the running policy stays:", config.file());
          e.errors().forEach(error -> log.error("  {}", error));
        } catch (RuntimeException e) {
          log.error("SIGHUP: {} not applied, the running policy stays: {}", config.file(), e.getMessage());
        }
      });
    } catch (IllegalArgumentException unsupported) {
      log.warn("SIGHUP is not available here ({}); use nicflow apply", unsupported.getMessage());
    }
  }

  /** Whether {@code host} names only this machine (a loopback address or localhost). */
  static boolean isLoopback(String host) {
    try {
      return java.net.InetAddress.getByName(host).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  static OffloadMode parseMode(String text) throws BadInputException {
    try {
      return OffloadMode.valueOf(text.trim().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new BadInputException("--mode must be reactive or proactive, got '" + text + "'");
    }
  }

  /** Where the API listens: controller.api, or {@code --api}; empty with {@code --no-api}. */
  static Optional<InetSocketAddress> apiAddress(Config c, Optional<String> override, boolean disabled)
      throws BadInputException {
    if (disabled) {
      if (override.isPresent()) {
        throw new BadInputException("--api and --no-api contradict each other");
      }
      return Optional.empty();
    }
    if (override.isEmpty()) {
      return Optional.of(InetSocketAddress.createUnresolved(c.controller().apiHost(), c.controller().apiPort()));
    }
    return Optional.of(hostPort("--api", override.get()));
  }

  /** Where switches connect and whether over TLS. */
  record OpenflowListener(OpenFlowSettings settings, boolean tls) {}

  /** controller.openflow, or {@code --openflow [tcp:|ssl:]HOST:PORT}. */
  static OpenflowListener openflowListener(Config c, Optional<String> override) throws BadInputException {
    if (override.isEmpty()) {
      return new OpenflowListener(OpenFlowSettings.of(c.controller().openflowHost(), c.controller().openflowPort())
          .withOutbound(c.controller().openflowOutbound()), c.controller().openflowTls());
    }
    OpenflowTarget target = OpenflowTarget.parse(override.get());
    InetSocketAddress bound = hostPort("--openflow", target.address());
    return new OpenflowListener(OpenFlowSettings.of(bound.getHostString(), bound.getPort())
        .withOutbound(c.controller().openflowOutbound()), target.ssl());
  }

  /** The TLS contexts of the listeners that use TLS, from the files of controller.tls. */
  static TransportSecurity security(Config c, boolean openflowTls, boolean api) throws BadInputException {
    Optional<ControllerTls> tls = c.controller().tls();
    if (tls.isEmpty()) {
      if (openflowTls) {
        throw new BadInputException("--openflow ssl: needs a controller.tls block (private_key, certificate, "
            + "ca_certificate) in the config");
      }
      return TransportSecurity.NONE;
    }
    ControllerTls files = api ? tls.get() : tls.get().withApi(false);
    try {
      return TransportSecurity.load(files, openflowTls);
    } catch (TlsFilesException | IllegalArgumentException e) {
      throw new BadInputException("controller.tls: " + e.getMessage());
    }
  }

  /** {@code HOST:PORT} of option {@code option}, unresolved; port 0 means any free port. */
  static InetSocketAddress hostPort(String option, String text) throws BadInputException {
    int colon = text.lastIndexOf(':');
    if (colon <= 0) {
      throw new BadInputException(option + " must be HOST:PORT, got '" + text + "'");
    }
    String portText = text.substring(colon + 1);
    if (portText.isEmpty() || portText.length() > 5 || !portText.chars().allMatch(Character::isDigit)
        || Integer.parseInt(portText) > 0xffff) {
      throw new BadInputException(option + " must be HOST:PORT with a port 0-65535, got '" + text + "'");
    }
    return InetSocketAddress.createUnresolved(text.substring(0, colon), Integer.parseInt(portText));
  }
}
