package org.nicflow.compiler.flow;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A protocol-neutral OpenFlow 1.3 flow: identity is (table, priority, match); the rest is data.
 * Instructions run in OpenFlow order: meter, apply-actions, write-metadata, goto-table. A flow
 * with no actions and no goto drops.
 *
 * @param table the pipeline table's name (see {@link Pipeline})
 * @param meterId a meter to pass through first
 * @param gotoTable the next table's name
 */
public record FlowEntry(
    String table,
    int priority,
    FlowMatch match,
    OptionalLong meterId,
    List<FlowAction> actions,
    Optional<MetadataWrite> writeMetadata,
    Optional<String> gotoTable,
    long cookie,
    int idleTimeout,
    int hardTimeout,
    boolean sendFlowRemoved) {

  public FlowEntry {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(match, "match");
    Objects.requireNonNull(meterId, "meterId");
    actions = List.copyOf(actions);
    Objects.requireNonNull(writeMetadata, "writeMetadata");
    Objects.requireNonNull(gotoTable, "gotoTable");
    if (priority < 0 || priority > 65535) {
      throw new IllegalArgumentException("priority " + priority + " is outside 0-65535");
    }
    if (idleTimeout < 0 || idleTimeout > 65535 || hardTimeout < 0 || hardTimeout > 65535) {
      throw new IllegalArgumentException("timeout outside 0-65535");
    }
  }

  /** The identity OpenFlow uses: a flow-mod with the same key replaces this flow. */
  public FlowKey key() {
    return new FlowKey(table, priority, match);
  }

  public boolean drops() {
    return actions.isEmpty() && gotoTable.isEmpty();
  }

  public static Builder builder(String table, int priority) {
    return new Builder(table, priority);
  }

  public Builder toBuilder() {
    Builder b = new Builder(table, priority);
    b.match = match;
    b.meterId = meterId;
    b.actions = new java.util.ArrayList<>(actions);
    b.writeMetadata = writeMetadata;
    b.gotoTable = gotoTable;
    b.cookie = cookie;
    b.idleTimeout = idleTimeout;
    b.hardTimeout = hardTimeout;
    b.sendFlowRemoved = sendFlowRemoved;
    return b;
  }

  /** Identity of a flow in a switch. */
  public record FlowKey(String table, int priority, FlowMatch match) {}

  /** Builds flows field by field. */
  public static final class Builder {
    private final String table;
    private final int priority;
    private FlowMatch match = FlowMatch.ANY;
    private OptionalLong meterId = OptionalLong.empty();
    private List<FlowAction> actions = new java.util.ArrayList<>();
    private Optional<MetadataWrite> writeMetadata = Optional.empty();
    private Optional<String> gotoTable = Optional.empty();
    private long cookie;
    private int idleTimeout;
    private int hardTimeout;
    private boolean sendFlowRemoved;

    private Builder(String table, int priority) {
      this.table = table;
      this.priority = priority;
    }

    public Builder match(FlowMatch m) {
      this.match = m;
      return this;
    }

    public Builder meter(long id) {
      this.meterId = OptionalLong.of(id);
      return this;
    }

    public Builder action(FlowAction a) {
      this.actions.add(a);
      return this;
    }

    public Builder actions(List<FlowAction> as) {
      this.actions.addAll(as);
      return this;
    }

    public Builder writeMetadata(long value, long mask) {
      this.writeMetadata = Optional.of(new MetadataWrite(value, mask));
      return this;
    }

    public Builder gotoTable(String name) {
      this.gotoTable = Optional.of(name);
      return this;
    }

    public Builder cookie(long c) {
      this.cookie = c;
      return this;
    }

    public Builder idleTimeout(int seconds) {
      this.idleTimeout = seconds;
      return this;
    }

    public Builder hardTimeout(int seconds) {
      this.hardTimeout = seconds;
      return this;
    }

    public Builder sendFlowRemoved(boolean flag) {
      this.sendFlowRemoved = flag;
      return this;
    }

    public FlowEntry build() {
      return new FlowEntry(table, priority, match, meterId, actions, writeMetadata, gotoTable, cookie,
          idleTimeout, hardTimeout, sendFlowRemoved);
    }
  }
}
