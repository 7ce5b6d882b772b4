package org.nicflow.compiler.diff;

import java.util.List;
import org.nicflow.compiler.flow.FlowEntry;

/**
 * The minimal change that turns a switch's flows into the desired ones: flows to add, flows whose
 * key exists but whose instructions, cookie, timeouts or flags differ (a strict modify, or an ADD
 * over the same key when more than the instructions differ), and flows to delete (strict, by key).
 */
public record FlowDiff(List<FlowEntry> add, List<FlowEntry> modify, List<FlowEntry> delete) {
  public FlowDiff {
    add = List.copyOf(add);
    modify = List.copyOf(modify);
    delete = List.copyOf(delete);
  }

  public boolean isEmpty() {
    return add.isEmpty() && modify.isEmpty() && delete.isEmpty();
  }

  public int size() {
    return add.size() + modify.size() + delete.size();
  }
}
