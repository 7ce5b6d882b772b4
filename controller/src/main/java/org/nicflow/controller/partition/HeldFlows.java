package org.nicflow.controller.partition;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.FlowEntry.FlowKey;

/**
 * The connection flows one bridge holds as far as the controller knows (sent and not removed),
 * each charged to a VM (docs/controller.md, "Flow budget"), with how many each VM is charged and
 * when the controller last saw each flow's connection. Written only on the switch's own thread;
 * {@link #get}, {@link #count} and {@link #counts} may be read from any thread.
 */
final class HeldFlows {

  /** The charge of a flow that no VM is charged for (a miss from the uplink that no VM's rules decided). */
  static final String NO_VM = "";

  private record Held(FlowEntry flow, String vm) {}

  private final Map<FlowKey, Held> flows = new ConcurrentHashMap<>();
  private final Map<String, Integer> counts = new ConcurrentHashMap<>();
  /** Per VM, its flows from least to most recently seen, with when (the partition's clock). */
  private final Map<String, LinkedHashMap<FlowKey, Long>> seen = new java.util.HashMap<>();

  FlowEntry get(FlowKey key) {
    Held h = flows.get(key);
    return h == null ? null : h.flow();
  }

  boolean containsKey(FlowKey key) {
    return flows.containsKey(key);
  }

  /** Adds {@code flow} charged to {@code vm}, seen at {@code now}; false (nothing changed) when its key is held. */
  boolean add(FlowEntry flow, String vm, long now) {
    if (flows.putIfAbsent(flow.key(), new Held(flow, vm)) != null) {
      return false;
    }
    counts.merge(vm, 1, Integer::sum);
    seen.computeIfAbsent(vm, v -> new LinkedHashMap<>()).put(flow.key(), now);
    return true;
  }

  /** Puts {@code flow} in the place of the flow held under its key, keeping that one's charge; adds it charged to {@code vm} when none is. */
  void replace(FlowEntry flow, String vm, long now) {
    Held held = flows.get(flow.key());
    if (held == null) {
      add(flow, vm, now);
    } else {
      flows.put(flow.key(), new Held(flow, held.vm()));
    }
  }

  /** Forgets the flow under {@code key}; returns it, or null when none was held. */
  FlowEntry remove(FlowKey key) {
    Held h = flows.remove(key);
    if (h == null) {
      return null;
    }
    counts.computeIfPresent(h.vm(), (v, n) -> n <= 1 ? null : n - 1);
    LinkedHashMap<FlowKey, Long> order = seen.get(h.vm());
    if (order != null) {
      order.remove(key);
      if (order.isEmpty()) {
        seen.remove(h.vm());
      }
    }
    return h.flow();
  }

  /** Forgets every flow {@code test} holds for; returns them. */
  List<FlowEntry> removeIf(Predicate<FlowEntry> test) {
    List<FlowEntry> gone = new ArrayList<>();
    for (Held h : List.copyOf(flows.values())) {
      if (test.test(h.flow())) {
        remove(h.flow().key());
        gone.add(h.flow());
      }
    }
    return gone;
  }

  /** The controller saw the connection of the held flows of {@code keys} at {@code now}. */
  void touch(Collection<FlowKey> keys, long now) {
    for (FlowKey k : keys) {
      Held h = flows.get(k);
      if (h != null) {
        LinkedHashMap<FlowKey, Long> order = seen.get(h.vm());
        order.remove(k);
        order.put(k, now);
      }
    }
  }

  /** When the controller last saw the connection of the flow under {@code key} (its charge's clock), or 0. */
  long lastSeen(FlowKey key) {
    Held h = flows.get(key);
    if (h == null) {
      return 0;
    }
    Long t = seen.get(h.vm()).get(key);
    return t == null ? 0 : t;
  }

  /** Whom the flow under {@code key} is charged to ({@link #NO_VM} when it is not held). */
  String chargeOf(FlowKey key) {
    Held h = flows.get(key);
    return h == null ? NO_VM : h.vm();
  }

  /**
   * The held flows charged to {@code vm}, least recently seen first: a view, valid until this
   * holding next changes (the budget reads it and changes nothing).
   */
  Iterator<FlowKey> leastRecentlySeen(String vm) {
    LinkedHashMap<FlowKey, Long> order = seen.get(vm);
    return order == null ? java.util.Collections.emptyIterator()
        : java.util.Collections.unmodifiableSet(order.keySet()).iterator();
  }

  int count(String vm) {
    return counts.getOrDefault(vm, 0);
  }

  int size() {
    return flows.size();
  }

  /** Flows held by charge, {@link #NO_VM} included; a copy. */
  Map<String, Integer> counts() {
    return new TreeMap<>(counts);
  }

  /** The flows held; a copy. */
  List<FlowEntry> values() {
    return flows.values().stream().map(Held::flow).toList();
  }
}
