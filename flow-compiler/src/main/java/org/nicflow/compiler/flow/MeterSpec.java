package org.nicflow.compiler.flow;

/** An OpenFlow meter with one drop band: {@code kbps} for the VM whose meter it is. */
public record MeterSpec(long meterId, long kbps, String vm) {
  public MeterSpec {
    if (meterId <= 0 || meterId > 0xffff_0000L) {
      throw new IllegalArgumentException("meter id " + meterId + " is outside 1-0xffff0000");
    }
    if (kbps <= 0) {
      throw new IllegalArgumentException("meter rate must be positive, got " + kbps);
    }
    java.util.Objects.requireNonNull(vm, "vm");
  }
}
