package org.nicflow.controller.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Host;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code nicflow host-setup NAME -c FILE}: the ovs-vsctl commands that build a host's bridge. */
@Command(name = "host-setup",
    description = "Print the ovs-vsctl commands that build host NAME's bridge: uplink, VM ports and "
        + "one VXLAN tunnel port per other host.")
final class HostSetupCommand implements Callable<Integer> {

  @Mixin
  private ConfigOption config;

  @Parameters(index = "0", paramLabel = "NAME", description = "The host, as named in the config.")
  private String hostName;

  @Option(names = "--controller", paramLabel = "HOST:PORT",
      description = "Where the switch connects (default: the config's controller.openflow).")
  private String controller;

  @Spec
  private CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Config c = config.load();
    Host host = c.host(hostName).orElseThrow(() -> new BadInputException("no host named '" + hostName + "' in "
        + config.file() + " (hosts: " + String.join(", ", c.hosts().stream().map(Host::name).toList()) + ")"));
    String target = controller != null ? controller
        : c.controller().openflowHost() + ":" + c.controller().openflowPort();
    PrintWriter out = spec.commandLine().getOut();
    HostBridgeScript.commands(c, host, target).forEach(out::println);
    out.flush();
    return NicflowCli.EXIT_OK;
  }
}
