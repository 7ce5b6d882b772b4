package org.nicflow.controller.partition;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.nicflow.compiler.flow.FlowEntry.FlowKey;

/**
 * The connections of one bridge that could not get their flows (docs/controller.md, "Flow
 * budget"): refused by the budget or by the switch (TABLE_FULL). Their packets keep missing and
 * the controller sends each on itself, without trying to install again, until room is made on the
 * bridge ({@link #lift}) or the controller has not seen the connection for the idle timeout
 * ({@link #expire}). Owned by the switch's thread; time is the partition's clock.
 */
final class FlowlessConnections {

  /** One flowless connection: the flows it wanted, whom they would be charged to, why it has none. */
  static final class Mark {
    final String vm;
    final FlowBudget.Reason reason;
    final List<FlowKey> keys;
    long lastSeen;
    long order;

    Mark(String vm, FlowBudget.Reason reason, List<FlowKey> keys) {
      this.vm = vm;
      this.reason = reason;
      this.keys = List.copyOf(keys);
    }
  }

  private final Map<FlowKey, Mark> byKey = new HashMap<>();
  /** Marks by VM charged: read by the API from any thread. */
  private final Map<String, Integer> byVm = new java.util.concurrent.ConcurrentHashMap<>();
  /** Marks from least to most recently seen. */
  private final TreeMap<Long, Mark> recency = new TreeMap<>();
  private long next;

  /** The mark of any of {@code keys}, if one of them is flowless. */
  Optional<Mark> find(Collection<FlowKey> keys) {
    for (FlowKey k : keys) {
      Mark m = byKey.get(k);
      if (m != null) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  /** Marks the connection wanting {@code keys} flowless, seen at {@code now}; a key marked before moves to this mark. */
  Mark mark(String vm, FlowBudget.Reason reason, List<FlowKey> keys, long now) {
    Mark m = new Mark(vm, reason, keys);
    for (FlowKey k : m.keys) {
      Mark before = byKey.put(k, m);
      if (before != null) {
        drop(before);
      }
    }
    m.order = -1;
    touch(m, now);
    byVm.merge(vm, 1, Integer::sum);
    return m;
  }

  /** The controller saw the connection of {@code m} at {@code now}. */
  void touch(Mark m, long now) {
    recency.remove(m.order);
    m.lastSeen = now;
    m.order = next++;
    recency.put(m.order, m);
  }

  /**
   * Room for {@code flows} flows was made on the bridge: that many of the most recently seen
   * connections lose their mark, so their next packet tries to install again. Returns how many.
   */
  int lift(int flows) {
    int lifted = 0;
    while (lifted < flows && !recency.isEmpty()) {
      drop(recency.lastEntry().getValue());
      lifted++;
    }
    return lifted;
  }

  /** Forgets the marks not seen for {@code idleNanos} at {@code now}; returns how many. */
  int expire(long now, long idleNanos) {
    int expired = 0;
    while (!recency.isEmpty() && now - recency.firstEntry().getValue().lastSeen >= idleNanos) {
      drop(recency.firstEntry().getValue());
      expired++;
    }
    return expired;
  }

  int size() {
    return recency.size();
  }

  /** Flowless connections charged to {@code vm} now. */
  int count(String vm) {
    return byVm.getOrDefault(vm, 0);
  }

  private void drop(Mark m) {
    if (recency.remove(m.order) != null) {
      byVm.computeIfPresent(m.vm, (v, n) -> n <= 1 ? null : n - 1);
    }
    for (FlowKey k : m.keys) {
      byKey.remove(k, m);
    }
  }
}
