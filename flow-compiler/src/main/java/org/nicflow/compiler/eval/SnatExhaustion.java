package org.nicflow.compiler.eval;

import java.util.Objects;
import org.nicflow.compiler.model.Ipv4;

/**
 * Why a new connection was dropped: {@code vm}'s share of the source ports ({@code queryIds}: of the
 * ICMP query identifiers) of public address {@code address} towards the packet's destination is
 * used up (docs/config.md, {@code snat_ports}).
 */
public record SnatExhaustion(String vm, Ipv4 address, boolean queryIds) {

  public SnatExhaustion {
    Objects.requireNonNull(vm, "vm");
    Objects.requireNonNull(address, "address");
  }
}
