package org.nicflow.compiler.flow;

import java.util.Objects;

/**
 * One field of a match: a value and mask for numeric fields, or a port name for {@code in_port}
 * (OpenFlow port numbers are learned from the switch; compiled flows name ports).
 */
public record FieldMatch(MatchField field, long value, long mask, String portName) {

  public FieldMatch {
    Objects.requireNonNull(field, "field");
    if (field == MatchField.IN_PORT) {
      Objects.requireNonNull(portName, "in_port needs a port name");
    } else {
      if (portName != null) {
        throw new IllegalArgumentException(field + " takes a value, not a port name");
      }
      if ((mask & ~field.fullMask()) != 0 || (value & ~field.fullMask()) != 0) {
        throw new IllegalArgumentException(field + " value/mask wider than " + field.bits() + " bits");
      }
      if ((value & ~mask) != 0) {
        throw new IllegalArgumentException(field + " value has bits outside its mask");
      }
      if (mask == 0) {
        throw new IllegalArgumentException(field + " with an empty mask matches anything; leave it out");
      }
    }
  }

  public static FieldMatch exact(MatchField field, long value) {
    return new FieldMatch(field, value, field.fullMask(), null);
  }

  public static FieldMatch masked(MatchField field, long value, long mask) {
    return new FieldMatch(field, value, mask, null);
  }

  public static FieldMatch inPort(String portName) {
    return new FieldMatch(MatchField.IN_PORT, 0, 0, portName);
  }

  public boolean isExact() {
    return field == MatchField.IN_PORT || mask == field.fullMask();
  }
}
