package org.nicflow.compiler.eval;

import java.util.Objects;
import org.nicflow.compiler.model.Ipv4;

/**
 * A connection's 5-tuple as seen in one address scope. {@code scope} is the VNI of the VNET whose
 * addresses these are, or {@link #PUBLIC} for addresses on the physical network; VNET address
 * spaces overlap, so the scope is part of the key. For ICMP, ports hold type and code.
 */
public record FlowTuple(int scope, int proto, Ipv4 src, int srcPort, Ipv4 dst, int dstPort) {

  public static final int PUBLIC = 0;

  public FlowTuple {
    Objects.requireNonNull(src, "src");
    Objects.requireNonNull(dst, "dst");
  }

  public FlowTuple reversed() {
    return new FlowTuple(scope, proto, dst, dstPort, src, srcPort);
  }
}
