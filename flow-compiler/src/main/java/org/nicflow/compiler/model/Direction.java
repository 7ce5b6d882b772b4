package org.nicflow.compiler.model;

/** Direction of a packet relative to a VM, and the direction a rule applies to. */
public enum Direction {
  /** Addressed to the VM. */
  IN,
  /** Sent by the VM (arrived on its port). */
  OUT,
  /** Rules only: both directions. */
  BOTH;

  /** Whether a rule with this direction applies to a packet travelling {@code packetDirection}. */
  public boolean appliesTo(Direction packetDirection) {
    return this == BOTH || this == packetDirection;
  }

  public Direction reverse() {
    return switch (this) {
      case IN -> OUT;
      case OUT -> IN;
      case BOTH -> BOTH;
    };
  }

  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
