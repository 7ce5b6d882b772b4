package org.nicflow.compiler.diff;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.FlowEntry.FlowKey;

/**
 * A switch's flows as OpenFlow keeps them: at most one flow per key. Applies a {@link FlowDiff}
 * the way a switch would execute the messages (add, strict modify, strict delete) and records
 * every key it touched, so tests can check both the outcome and the minimality of the change.
 */
final class FakeFlowTable {

  private final Map<FlowKey, FlowEntry> flows = new LinkedHashMap<>();
  private final List<String> log = new ArrayList<>();

  FakeFlowTable(Collection<FlowEntry> initial) {
    for (FlowEntry f : initial) {
      if (flows.put(f.key(), f) != null) {
        throw new IllegalArgumentException("two initial flows with key " + f.key());
      }
    }
  }

  /** Applies adds, then modifies, then deletes; fails on an add over an existing key etc. */
  void apply(FlowDiff diff) {
    for (FlowEntry f : diff.add()) {
      if (flows.containsKey(f.key())) {
        throw new IllegalStateException("add over an existing flow " + f.key());
      }
      flows.put(f.key(), f);
      log.add("add " + f.key());
    }
    for (FlowEntry f : diff.modify()) {
      if (!flows.containsKey(f.key())) {
        throw new IllegalStateException("modify of a missing flow " + f.key());
      }
      flows.put(f.key(), f);
      log.add("modify " + f.key());
    }
    for (FlowEntry f : diff.delete()) {
      if (flows.remove(f.key()) == null) {
        throw new IllegalStateException("delete of a missing flow " + f.key());
      }
      log.add("delete " + f.key());
    }
  }

  Set<FlowEntry> flows() {
    return new HashSet<>(flows.values());
  }

  List<String> log() {
    return List.copyOf(log);
  }
}
