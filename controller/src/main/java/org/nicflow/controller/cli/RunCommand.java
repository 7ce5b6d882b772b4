package org.nicflow.controller.cli;

import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.OffloadMode;
import org.nicflow.controller.openflow.OpenFlowSettings;
import org.nicflow.controller.runtime.NicflowController;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code nicflow run -c FILE}: the controller. Runs until SIGTERM or SIGINT, then closes every
 * switch connection and exits 0.
 */
@Command(name = "run", description = "Run the controller: program every configured host's bridge and handle misses.")
final class RunCommand implements Callable<Integer> {

  @Mixin
  private ConfigOption config;

  @Option(names = "--openflow", paramLabel = "HOST:PORT",
      description = "Listen here instead of controller.openflow (port 0: any free port).")
  private String openflow;

  @Option(names = "--api", paramLabel = "HOST:PORT",
      description = "Serve the REST API and /metrics here instead of controller.api (port 0: any free port).")
  private String api;

  @Option(names = "--no-api", description = "Do not serve the REST API and /metrics.")
  private boolean noApi;

  @Option(names = "--mode", paramLabel = "MODE", description = "Override controller.mode: reactive or proactive.")
  private String mode;

  @Override
  public Integer call() throws Exception {
    Config c = config.load();
    if (mode != null) {
      c = c.withMode(parseMode(mode));
    }
    OpenFlowSettings settings = listenAddress(c, Optional.ofNullable(openflow));
    Optional<InetSocketAddress> apiAddress = apiAddress(c, Optional.ofNullable(api), noApi);
    NicflowController controller = NicflowController.start(c, settings, apiAddress);
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

  static OpenFlowSettings listenAddress(Config c, Optional<String> override) throws BadInputException {
    if (override.isEmpty()) {
      return OpenFlowSettings.of(c.controller().openflowHost(), c.controller().openflowPort());
    }
    InetSocketAddress address = hostPort("--openflow", override.get());
    return OpenFlowSettings.of(address.getHostString(), address.getPort());
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
