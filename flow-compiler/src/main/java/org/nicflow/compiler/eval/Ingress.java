package org.nicflow.compiler.eval;

import java.util.Objects;

/** Where a packet entered a host's bridge. */
public sealed interface Ingress {

  /** The host whose bridge the packet entered. */
  String host();

  /** Sent by a VM: arrived on its VM port. */
  record VmPort(String host, String vm) implements Ingress {
    public VmPort {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(vm, "vm");
    }
  }

  /** Decapsulated from a tunnel with this VNI. */
  record Tunnel(String host, String fromHost, int vni) implements Ingress {
    public Tunnel {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(fromHost, "fromHost");
    }
  }

  /** Unencapsulated from the physical network. */
  record Uplink(String host) implements Ingress {
    public Uplink {
      Objects.requireNonNull(host, "host");
    }
  }
}
