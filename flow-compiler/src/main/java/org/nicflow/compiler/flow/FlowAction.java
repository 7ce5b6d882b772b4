package org.nicflow.compiler.flow;

import java.util.Objects;

/** An apply-action of a flow. Ports are named; the controller maps names to numbers. */
public sealed interface FlowAction {

  /** Output to a named port. */
  record Output(String port) implements FlowAction {
    public Output {
      Objects.requireNonNull(port, "port");
    }
  }

  /** Output back out of the port the packet came in on (OFPP_IN_PORT). */
  record OutputInPort() implements FlowAction {}

  /** Send to the controller with the whole packet. */
  record OutputController() implements FlowAction {}

  /** Set a field (OpenFlow 1.3 set-field); value is the field's value. */
  record SetField(MatchField field, long value) implements FlowAction {
    public SetField {
      Objects.requireNonNull(field, "field");
      if (field == MatchField.IN_PORT || field == MatchField.METADATA || field == MatchField.TCP_FLAGS) {
        throw new IllegalArgumentException("cannot set-field " + field);
      }
      if ((value & ~field.fullMask()) != 0) {
        throw new IllegalArgumentException(field + " value wider than its field");
      }
    }
  }
}
