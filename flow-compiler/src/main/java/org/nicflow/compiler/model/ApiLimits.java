package org.nicflow.compiler.model;

import java.time.Duration;
import java.util.Objects;

/**
 * What the REST API lets one client take ({@code controller.api_limits}, docs/config.md; docs/api.md,
 * "Limits"): threads and queue places, time to send a request, connections, requests waiting for
 * switches, and the size of a listing's page.
 *
 * @param workers threads that answer requests (never {@code /metrics}, which has its own)
 * @param queue requests that may wait for a worker; one more is answered 503 at once
 * @param requestTimeout from a request's first byte to its last; a client that is slower is
 *     answered 408 and disconnected
 * @param idleTimeout how long a kept-alive connection may wait for its next request
 * @param maxConnections open connections; one more is closed as soon as it is accepted
 * @param flowStatsInFlight flow-statistics requests waiting for switches at once; one more is 503
 * @param enforceWaits writes with {@code ?wait=enforced} waiting for switches at once; one more is
 *     503 before it is written
 * @param defaultPageSize entries of a listing when the request gives no {@code limit}
 * @param maxPageSize the largest {@code limit} a request may give
 */
public record ApiLimits(
    int workers,
    int queue,
    Duration requestTimeout,
    Duration idleTimeout,
    int maxConnections,
    int flowStatsInFlight,
    int enforceWaits,
    int defaultPageSize,
    int maxPageSize) {

  /** The largest count any of the other limits may be (queue places, connections, page entries). */
  public static final int MAX_COUNT = 1_000_000;
  /** The most API worker threads. */
  public static final int MAX_WORKERS = 1024;
  /** The longest request or idle timeout, in seconds (one day). */
  public static final int MAX_TIMEOUT_S = 86_400;

  public static final ApiLimits DEFAULTS = new ApiLimits(
      4, 64, Duration.ofSeconds(10), Duration.ofSeconds(60), 256, 8, 64, 1000, 10_000);

  public ApiLimits {
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    if (workers < 1 || queue < 0 || maxConnections < 1 || flowStatsInFlight < 1 || enforceWaits < 1) {
      throw new IllegalArgumentException("workers, max_connections, flow_stats_in_flight and enforce_waits must be "
          + "at least 1, the queue at least 0");
    }
    if (workers > MAX_WORKERS) {
      throw new IllegalArgumentException("workers " + workers + " is more than " + MAX_WORKERS);
    }
    if (Math.max(queue, Math.max(maxConnections, Math.max(flowStatsInFlight, Math.max(enforceWaits, maxPageSize))))
        > MAX_COUNT) {
      throw new IllegalArgumentException("API limits may be at most " + MAX_COUNT);
    }
    if (requestTimeout.isNegative() || requestTimeout.isZero() || idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("API timeouts must be positive");
    }
    if (defaultPageSize < 1 || maxPageSize < defaultPageSize) {
      throw new IllegalArgumentException("page_size " + defaultPageSize + " must be at least 1 and at most "
          + "max_page_size " + maxPageSize);
    }
  }

  public ApiLimits withRequestTimeout(Duration timeout) {
    return new ApiLimits(workers, queue, timeout, idleTimeout, maxConnections, flowStatsInFlight, enforceWaits,
        defaultPageSize, maxPageSize);
  }

  public ApiLimits withPageSizes(int defaultSize, int maxSize) {
    return new ApiLimits(workers, queue, requestTimeout, idleTimeout, maxConnections, flowStatsInFlight, enforceWaits,
        defaultSize, maxSize);
  }

  public ApiLimits withWorkers(int threads, int queuePlaces) {
    return new ApiLimits(threads, queuePlaces, requestTimeout, idleTimeout, maxConnections, flowStatsInFlight,
        enforceWaits, defaultPageSize, maxPageSize);
  }

  public ApiLimits withEnforceWaits(int waits) {
    return new ApiLimits(workers, queue, requestTimeout, idleTimeout, maxConnections, flowStatsInFlight, waits,
        defaultPageSize, maxPageSize);
  }
}
