package org.nicflow.compiler.model;

import java.util.Objects;
import java.util.Optional;

/**
 * A physical server; its NIC is one OVS bridge identified by {@code dpid}.
 *
 * @param nextHopMac the physical router's MAC, needed when traffic leaves unencapsulated
 */
public record Host(String name, long dpid, String uplink, Ipv4 underlayIp, Optional<MacAddress> nextHopMac) {

  public Host {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(uplink, "uplink");
    Objects.requireNonNull(underlayIp, "underlayIp");
    Objects.requireNonNull(nextHopMac, "nextHopMac");
  }

  /**
   * The name of this host's tunnel port towards {@code other} (docs/config.md, "What nicflow
   * manages").
   */
  public static String tunnelPortName(String otherHost) {
    String name = "tun-" + otherHost;
    return name.length() > 15 ? name.substring(0, 15) : name;
  }

  public String dpidHex() {
    return String.format("%016x", dpid);
  }
}
