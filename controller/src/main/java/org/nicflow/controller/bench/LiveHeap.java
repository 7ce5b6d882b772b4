package org.nicflow.controller.bench;

import java.util.OptionalLong;

/**
 * The controller's live heap in KiB (what a full collection leaves) at the end of a soak's warm-up
 * and after its drain; empty where it could not be measured.
 */
public record LiveHeap(OptionalLong warmKb, OptionalLong drainedKb) {

  /** How much larger the heap is after the drain than after the warm-up (negative: smaller). */
  public long growthKb() {
    return drainedKb.orElse(0) - warmKb.orElse(0);
  }
}
