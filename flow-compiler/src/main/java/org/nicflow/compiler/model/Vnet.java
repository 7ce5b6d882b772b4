package org.nicflow.compiler.model;

import java.util.Objects;

/** A tenant network: VNI, address prefix and gateway address. Prefixes of VNETs may overlap. */
public record Vnet(String name, int vni, Ipv4Prefix prefix, Ipv4 gateway) {

  public Vnet {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(gateway, "gateway");
    if (vni < 1 || vni > 0xffffff) {
      throw new IllegalArgumentException("vnet " + name + ": vni " + vni + " is outside 1-16777215");
    }
  }
}
