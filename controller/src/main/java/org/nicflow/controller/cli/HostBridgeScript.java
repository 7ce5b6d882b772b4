package org.nicflow.controller.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Host;
import org.nicflow.compiler.model.Vm;

/**
 * The ovs-vsctl commands that build one host's bridge (docs/config.md, "What nicflow manages"): a userspace bridge named
 * after the host in secure fail mode with nicflow as its controller, the uplink, one port per VM of
 * the host and a {@code tun-<other>} VXLAN port per other host. Re-running them is harmless.
 */
public final class HostBridgeScript {

  public static final String PROTOCOLS = "OpenFlow13,OpenFlow14,OpenFlow15";

  /**
   * The switch side of TLS: files on the host, as {@code ovs-vsctl set-ssl} takes them.
   *
   * @param privateKey the switch's private key
   * @param certificate the switch's certificate, signed by the CA the controller trusts
   * @param caCertificate the CA that signed the controller's certificate
   */
  public record SwitchSsl(String privateKey, String certificate, String caCertificate) {}

  private HostBridgeScript() {}

  /**
   * @param controller {@code host:port} the switch connects to
   * @param ssl when present, the switch connects over TLS ({@code ssl:}) with these files
   */
  public static List<String> commands(Config config, Host host, String controller, Optional<SwitchSsl> ssl) {
    String br = host.name();
    List<String> lines = new ArrayList<>();
    lines.add("# nicflow bridge for host " + br + " (dpid " + host.dpidHex() + ")");
    lines.add("ovs-vsctl --may-exist add-br " + br + " -- set bridge " + br + " datapath_type=netdev"
        + " fail_mode=secure protocols=" + PROTOCOLS + " other-config:datapath-id=" + host.dpidHex());
    ssl.ifPresent(files -> lines.add("ovs-vsctl set-ssl " + files.privateKey() + " " + files.certificate() + " "
        + files.caCertificate()));
    lines.add("ovs-vsctl set-controller " + br + (ssl.isPresent() ? " ssl:" : " tcp:") + controller);
    lines.add("ovs-vsctl --may-exist add-port " + br + " " + host.uplink());
    for (Vm vm : config.vmsOnHost(host.name())) {
      lines.add("ovs-vsctl --may-exist add-port " + br + " " + vm.port());
    }
    for (Host other : config.hosts()) {
      if (other.name().equals(host.name())) {
        continue;
      }
      String tun = Host.tunnelPortName(other.name());
      lines.add("ovs-vsctl --may-exist add-port " + br + " " + tun + " -- set interface " + tun
          + " type=vxlan options:remote_ip=" + other.underlayIp() + " options:key=flow");
    }
    return List.copyOf(lines);
  }
}
