package org.nicflow.compiler.model;

import java.util.Objects;

/** A load balancer backend: a VM and the port the VIP's traffic is rewritten to. */
public record Backend(String vm, int port) {

  public Backend {
    Objects.requireNonNull(vm, "vm");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("backend " + vm + ": port " + port + " is outside 1-65535");
    }
  }

  @Override
  public String toString() {
    return vm + ":" + port;
  }
}
