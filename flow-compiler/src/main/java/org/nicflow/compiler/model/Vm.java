package org.nicflow.compiler.model;

import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A guest on a host's VM port.
 *
 * @param missRatePps the VM's own {@code miss_rate_pps}; empty: the controller's
 * @param missBurst the VM's own {@code miss_burst}; empty: its {@code miss_rate_pps} if it sets one, else the
 *     controller's {@code miss_burst}
 * @param maxFlows the VM's own {@code max_flows}: how many connection flows charged to it one bridge
 *     may hold; empty: the controller's
 * @param snatPorts the VM's own {@code snat_ports}: how many ports of each public address it SNATs to
 *     it may hold towards one destination; empty: an equal share ({@link SnatShares})
 */
public record Vm(
    String name, String host, String port, MacAddress mac, Ipv4 ip, String vnet, String ruleset,
    OptionalLong meterKbps, OptionalLong missRatePps, OptionalLong missBurst, OptionalLong maxFlows,
    OptionalInt snatPorts) {

  /** A VM with the controller's flow limit and an equal share of the ports of the addresses it SNATs to. */
  public Vm(String name, String host, String port, MacAddress mac, Ipv4 ip, String vnet, String ruleset,
      OptionalLong meterKbps, OptionalLong missRatePps, OptionalLong missBurst) {
    this(name, host, port, mac, ip, vnet, ruleset, meterKbps, missRatePps, missBurst, OptionalLong.empty(),
        OptionalInt.empty());
  }

  /** A VM with its own flow limit and an equal SNAT share. */
  public Vm(String name, String host, String port, MacAddress mac, Ipv4 ip, String vnet, String ruleset,
      OptionalLong meterKbps, OptionalLong missRatePps, OptionalLong missBurst, OptionalLong maxFlows) {
    this(name, host, port, mac, ip, vnet, ruleset, meterKbps, missRatePps, missBurst, maxFlows, OptionalInt.empty());
  }

  /** A VM with the controller's flow limit and its own SNAT share. */
  public Vm(String name, String host, String port, MacAddress mac, Ipv4 ip, String vnet, String ruleset,
      OptionalLong meterKbps, OptionalLong missRatePps, OptionalLong missBurst, OptionalInt snatPorts) {
    this(name, host, port, mac, ip, vnet, ruleset, meterKbps, missRatePps, missBurst, OptionalLong.empty(), snatPorts);
  }

  /** A VM with the controller's miss budget. */
  public Vm(String name, String host, String port, MacAddress mac, Ipv4 ip, String vnet, String ruleset,
      OptionalLong meterKbps) {
    this(name, host, port, mac, ip, vnet, ruleset, meterKbps, OptionalLong.empty(), OptionalLong.empty(),
        OptionalLong.empty());
  }

  public Vm {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(port, "port");
    Objects.requireNonNull(mac, "mac");
    Objects.requireNonNull(ip, "ip");
    Objects.requireNonNull(vnet, "vnet");
    Objects.requireNonNull(ruleset, "ruleset");
    Objects.requireNonNull(meterKbps, "meterKbps");
    if (meterKbps.isPresent() && meterKbps.getAsLong() <= 0) {
      throw new IllegalArgumentException("vm " + name + ": meter_kbps must be positive");
    }
    Objects.requireNonNull(missRatePps, "missRatePps");
    Objects.requireNonNull(missBurst, "missBurst");
    MissBudget.of(missRatePps, missBurst, MissBudget.DEFAULT); // checks the VM's own values
    Objects.requireNonNull(maxFlows, "maxFlows");
    maxFlows.ifPresent(n -> FlowLimits.check("max_flows", n));
    Objects.requireNonNull(snatPorts, "snatPorts");
    if (snatPorts.isPresent() && (snatPorts.getAsInt() < 1 || snatPorts.getAsInt() > SnatShares.PORTS)) {
      throw new IllegalArgumentException("vm " + name + ": snat_ports " + snatPorts.getAsInt() + " is outside 1-"
          + SnatShares.PORTS);
    }
  }

  /**
   * The VM's miss budget: its own values where it has them, else those of {@code defaults}; a VM
   * that sets its rate and not its burst gets a burst of one second at its rate.
   */
  public MissBudget missBudget(MissBudget defaults) {
    return MissBudget.of(missRatePps, missBurst, defaults);
  }
}
