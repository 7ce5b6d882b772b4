package org.nicflow.controller.partition;

import java.util.Objects;
import org.nicflow.compiler.model.MissBudget;

/**
 * One VM's miss budget in the controller: a token bucket holding at most {@code burst} misses,
 * refilled at {@code ratePps} per second, full when made. Time comes in as an argument (nanoseconds
 * of a monotonic clock), so the bucket is pure arithmetic and tests need no sleeps. Not
 * thread-safe: the switch's own thread owns it.
 */
final class MissBucket {

  private static final double NANOS_PER_SECOND = 1e9;

  private final MissBudget budget;
  private double tokens;
  private long lastNanos;

  MissBucket(MissBudget budget, long nowNanos) {
    this(budget, budget.burst(), nowNanos);
  }

  private MissBucket(MissBudget budget, double tokens, long nowNanos) {
    this.budget = Objects.requireNonNull(budget, "budget");
    this.tokens = tokens;
    this.lastNanos = nowNanos;
  }

  MissBudget budget() {
    return budget;
  }

  /** Takes one miss from the budget at {@code nowNanos}; false when the bucket is empty. */
  boolean take(long nowNanos) {
    refill(nowNanos);
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }

  /** This bucket under {@code next}: what it holds now, at most {@code next}'s burst. */
  MissBucket withBudget(MissBudget next, long nowNanos) {
    refill(nowNanos);
    return new MissBucket(next, Math.min(tokens, next.burst()), nowNanos);
  }

  private void refill(long nowNanos) {
    long elapsed = nowNanos - lastNanos;
    if (elapsed > 0) {
      tokens = Math.min(budget.burst(), tokens + elapsed * (double) budget.ratePps() / NANOS_PER_SECOND);
      lastNanos = nowNanos;
    }
  }
}
