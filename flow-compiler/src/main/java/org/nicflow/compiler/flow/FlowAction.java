package org.nicflow.compiler.flow;

import java.util.List;
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

  /**
   * Nicira resubmit: look the packet up in {@code table}, run that flow's actions, then go on with
   * this flow's remaining actions (any table, unlike goto).
   */
  record Resubmit(String table) implements FlowAction {
    public Resubmit {
      Objects.requireNonNull(table, "table");
    }
  }

  /**
   * Load {@code value} into the metadata bits of {@code mask} (only learned flows carry it: the
   * switch writes them, nicflow never sends this action).
   */
  record LoadMetadata(long value, long mask) implements FlowAction {
    public LoadMetadata {
      if ((value & ~mask) != 0) {
        throw new IllegalArgumentException("value outside its mask");
      }
    }
  }

  /**
   * Nicira learn: add (or refresh) a flow in {@code table} built from {@code specs} and the packet
   * executing the action.
   */
  record Learn(String table, int priority, int idleTimeout, long cookie, List<LearnSpec> specs)
      implements FlowAction {
    public Learn {
      Objects.requireNonNull(table, "table");
      specs = List.copyOf(specs);
      if (priority < 0 || priority > 65535 || idleTimeout < 0 || idleTimeout > 65535) {
        throw new IllegalArgumentException("learn priority or idle timeout outside 0-65535");
      }
    }
  }
}
