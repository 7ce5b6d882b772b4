package org.nicflow.controller.partition;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** A count per VM, safe for concurrent use; a VM never counted is absent. */
final class CountsByVm {

  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  void increment(String vm) {
    counts.computeIfAbsent(vm, v -> new LongAdder()).increment();
  }

  /** Every VM counted so far, by name. */
  Map<String, Long> all() {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((vm, n) -> out.put(vm, n.sum()));
    return Collections.unmodifiableMap(out);
  }

  /** The count of {@code vm}: 0 when never counted. */
  long of(String vm) {
    LongAdder n = counts.get(vm);
    return n == null ? 0 : n.sum();
  }
}
