package org.nicflow.controller.cli;

import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Host;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code nicflow host-setup NAME -c FILE}: the ovs-vsctl commands that build a host's bridge; when
 * the switch connects over TLS, the {@code set-ssl} command with the switch's files first.
 */
@Command(name = "host-setup",
    description = "Print the ovs-vsctl commands that build host NAME's bridge: uplink, VM ports and "
        + "one VXLAN tunnel port per other host.")
final class HostSetupCommand implements Callable<Integer> {

  @Mixin
  private ConfigOption config;

  @Parameters(index = "0", paramLabel = "NAME", description = "The host, as named in the config.")
  private String hostName;

  @Option(names = "--controller", paramLabel = "[tcp:|ssl:]HOST:PORT",
      description = "Where the switch connects (default: the config's controller.openflow).")
  private String controller;

  @Option(names = "--ssl-private-key", paramLabel = "FILE", defaultValue = "/etc/openvswitch/sc-privkey.pem",
      description = "With ssl: the switch's private key on the host (default: ${DEFAULT-VALUE}).")
  private String sslPrivateKey;

  @Option(names = "--ssl-certificate", paramLabel = "FILE", defaultValue = "/etc/openvswitch/sc-cert.pem",
      description = "With ssl: the switch's certificate, signed by the CA of controller.tls.ca_certificate "
          + "(default: ${DEFAULT-VALUE}).")
  private String sslCertificate;

  @Option(names = "--ssl-ca-certificate", paramLabel = "FILE",
      defaultValue = "/var/lib/openvswitch/pki/controllerca/cacert.pem",
      description = "With ssl: the CA that signed the controller's certificate (default: ${DEFAULT-VALUE}).")
  private String sslCaCertificate;

  @Spec
  private CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Config c = config.load();
    Host host = c.host(hostName).orElseThrow(() -> new BadInputException("no host named '" + hostName + "' in "
        + config.file() + " (hosts: " + String.join(", ", c.hosts().stream().map(Host::name).toList()) + ")"));
    String target = c.controller().openflowHost() + ":" + c.controller().openflowPort();
    boolean ssl = c.controller().openflowTls();
    if (controller != null) {
      OpenflowTarget given = OpenflowTarget.parse(controller);
      ssl = given.ssl();
      target = given.address();
    }
    Optional<HostBridgeScript.SwitchSsl> files = ssl
        ? Optional.of(new HostBridgeScript.SwitchSsl(sslPrivateKey, sslCertificate, sslCaCertificate))
        : Optional.empty();
    PrintWriter out = spec.commandLine().getOut();
    HostBridgeScript.commands(c, host, target, files).forEach(out::println);
    out.flush();
    return NicflowCli.EXIT_OK;
  }
}
