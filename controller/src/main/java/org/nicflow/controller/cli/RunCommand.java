package org.nicflow.controller.cli;

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

  @Option(names = "--mode", paramLabel = "MODE", description = "Override controller.mode: reactive or proactive.")
  private String mode;

  @Override
  public Integer call() throws Exception {
    Config c = config.load();
    if (mode != null) {
      c = withMode(c, parseMode(mode));
    }
    OpenFlowSettings settings = listenAddress(c, Optional.ofNullable(openflow));
    NicflowController controller = NicflowController.start(c, settings);
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

  static Config withMode(Config c, OffloadMode mode) {
    return new Config(c.controller().withMode(mode), c.hosts(), c.vnets(), c.vms(), c.rulesets(), c.loadBalancers());
  }

  static OpenFlowSettings listenAddress(Config c, Optional<String> override) throws BadInputException {
    if (override.isEmpty()) {
      return OpenFlowSettings.of(c.controller().openflowHost(), c.controller().openflowPort());
    }
    String text = override.get();
    int colon = text.lastIndexOf(':');
    if (colon <= 0) {
      throw new BadInputException("--openflow must be HOST:PORT, got '" + text + "'");
    }
    try {
      return OpenFlowSettings.of(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
    } catch (IllegalArgumentException e) {
      throw new BadInputException("--openflow must be HOST:PORT with a port 0-65535, got '" + text + "'");
    }
  }
}
