package org.nicflow.controller.cli;

import java.util.ArrayList;
import java.util.List;
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

  private HostBridgeScript() {}

  /**
   * @param controller {@code host:port} the switch connects to
   */
  public static List<String> commands(Config config, Host host, String controller) {
    String br = host.name();
    List<String> lines = new ArrayList<>();
    lines.add("# nicflow bridge for host " + br + " (dpid " + host.dpidHex() + ")");
    lines.add("ovs-vsctl --may-exist add-br " + br + " -- set bridge " + br + " datapath_type=netdev"
        + " fail_mode=secure protocols=" + PROTOCOLS + " other-config:datapath-id=" + host.dpidHex());
    lines.add("ovs-vsctl set-controller " + br + " tcp:" + controller);
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
