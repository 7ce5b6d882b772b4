package org.nicflow.controller.partition;

import java.time.Duration;
import java.util.Objects;

/**
 * How long one reconciliation of a switch may take and how often it is tried again.
 *
 * <ul>
 *   <li>Timeout of one attempt: {@code base + perFlow × n}, n the number of desired flows (reading
 *       the switch's flows and sending the difference both grow with it). Defaults: 10 s + 1 ms a
 *       flow, so 10 000 flows get 20 s.
 *   <li>An attempt that times out or fails (other than by the switch disconnecting) is tried again
 *       up to {@code retries} times, the k-th retry after {@code firstBackoff × 2^(k-1)}. Defaults:
 *       3 retries after 1 s, 2 s and 4 s.
 * </ul>
 *
 * @param base the timeout of an attempt with no flows
 * @param perFlow added to the timeout for every desired flow
 * @param retries attempts after the first, 0 for none
 * @param firstBackoff the wait before the first retry; each further retry waits twice as long
 */
public record ReconcileTiming(Duration base, Duration perFlow, int retries, Duration firstBackoff) {

  public static final Duration DEFAULT_BASE = Duration.ofSeconds(10);
  public static final Duration DEFAULT_PER_FLOW = Duration.ofMillis(1);
  public static final int DEFAULT_RETRIES = 3;
  public static final Duration DEFAULT_FIRST_BACKOFF = Duration.ofSeconds(1);

  /** Backoffs stop doubling after this many retries, so no retry count can overflow. */
  static final int MAX_DOUBLINGS = 20;

  public ReconcileTiming {
    Objects.requireNonNull(base, "base");
    Objects.requireNonNull(perFlow, "perFlow");
    Objects.requireNonNull(firstBackoff, "firstBackoff");
    if (base.isNegative() || base.isZero()) {
      throw new IllegalArgumentException("base timeout must be positive: " + base);
    }
    if (perFlow.isNegative() || firstBackoff.isNegative()) {
      throw new IllegalArgumentException("perFlow and firstBackoff must not be negative");
    }
    if (retries < 0) {
      throw new IllegalArgumentException("retries must not be negative: " + retries);
    }
  }

  public static ReconcileTiming defaults() {
    return withBase(DEFAULT_BASE);
  }

  /** The defaults with another base timeout. */
  public static ReconcileTiming withBase(Duration base) {
    return new ReconcileTiming(base, DEFAULT_PER_FLOW, DEFAULT_RETRIES, DEFAULT_FIRST_BACKOFF);
  }

  /** The timeout of one attempt for {@code flows} desired flows. */
  public Duration timeoutFor(int flows) {
    return base.plus(perFlow.multipliedBy(Math.max(0, flows)));
  }

  /** The wait before retry number {@code retry} (1 for the first retry). */
  public Duration backoffBefore(int retry) {
    if (retry < 1) {
      throw new IllegalArgumentException("retries count from 1: " + retry);
    }
    return firstBackoff.multipliedBy(1L << Math.min(retry - 1, MAX_DOUBLINGS));
  }
}
