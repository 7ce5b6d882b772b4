package org.nicflow.compiler.flow;

import java.util.Objects;
import java.util.Set;

/**
 * One pipeline table declared as data: its name, OpenFlow number, the fields its flows may match,
 * the tables its flows may go to, and what its table-miss does.
 */
public record TableSpec(String name, int number, Set<MatchField> matchFields, Set<String> nextTables, Miss miss,
    String purpose) {

  /** Table-miss behaviour. */
  public enum Miss {
    DROP,
    /** Reactive mode: to the controller. Proactive mode: declared per flow by the compiler. */
    CONTROLLER_OR_CONTINUE
  }

  public TableSpec {
    Objects.requireNonNull(name, "name");
    matchFields = Set.copyOf(matchFields);
    nextTables = Set.copyOf(nextTables);
    Objects.requireNonNull(miss, "miss");
    if (number < 0 || number > 254) {
      throw new IllegalArgumentException("table number " + number + " is outside 0-254");
    }
  }
}
