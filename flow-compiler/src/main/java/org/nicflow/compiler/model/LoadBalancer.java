package org.nicflow.compiler.model;

import java.util.List;
import java.util.Objects;

/** An inbound VIP spread over backend VMs (docs/semantics.md, "Load balancers"). */
public record LoadBalancer(String name, Ipv4 vip, Protocol proto, int port, List<Backend> backends) {

  public LoadBalancer {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(vip, "vip");
    Objects.requireNonNull(proto, "proto");
    backends = List.copyOf(backends);
    if (!proto.hasPorts()) {
      throw new IllegalArgumentException("load balancer " + name + ": proto must be tcp or udp");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("load balancer " + name + ": port " + port + " is outside 1-65535");
    }
    if (backends.isEmpty()) {
      throw new IllegalArgumentException("load balancer " + name + ": no backends");
    }
  }
}
