package org.nicflow.compiler.model;

import java.util.Objects;
import java.util.OptionalLong;

/** A guest on a host's VM port. */
public record Vm(
    String name, String host, String port, MacAddress mac, Ipv4 ip, String vnet, String ruleset,
    OptionalLong meterKbps) {

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
  }
}
