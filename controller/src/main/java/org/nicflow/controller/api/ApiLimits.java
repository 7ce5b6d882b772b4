package org.nicflow.controller.api;

import java.time.Duration;
import java.util.Objects;

/**
 * What the API lets one client take (docs/api.md, "Limits"): threads and queue places, time to
 * send a request, connections, switch requests in flight, and the size of a listing's page.
 *
 * @param workers threads that answer requests (never {@code /metrics}, which has its own)
 * @param queue requests that may wait for a worker; one more is answered 503 at once
 * @param requestTimeout from a request's first byte to its last; a client that is slower is
 *     answered 408 and disconnected
 * @param idleTimeout how long a kept-alive connection may wait for its next request
 * @param maxConnections open connections; one more is closed as soon as it is accepted
 * @param flowStatsInFlight flow-statistics requests waiting for switches at once; one more is 503
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
    int defaultPageSize,
    int maxPageSize) {

  public static final ApiLimits DEFAULTS = new ApiLimits(
      4, 64, Duration.ofSeconds(10), Duration.ofSeconds(60), 256, 8, 1000, 10_000);

  public ApiLimits {
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    if (workers < 1 || queue < 0 || maxConnections < 1 || flowStatsInFlight < 1) {
      throw new IllegalArgumentException("workers, connections and flow statistics requests must be at least 1, "
          + "the queue at least 0");
    }
    if (requestTimeout.isNegative() || requestTimeout.isZero() || idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("API timeouts must be positive");
    }
    if (defaultPageSize < 1 || maxPageSize < defaultPageSize) {
      throw new IllegalArgumentException("page sizes must be 1 <= default (" + defaultPageSize + ") <= max ("
          + maxPageSize + ")");
    }
  }

  public ApiLimits withRequestTimeout(Duration timeout) {
    return new ApiLimits(workers, queue, timeout, idleTimeout, maxConnections, flowStatsInFlight, defaultPageSize,
        maxPageSize);
  }

  public ApiLimits withPageSizes(int defaultSize, int maxSize) {
    return new ApiLimits(workers, queue, requestTimeout, idleTimeout, maxConnections, flowStatsInFlight, defaultSize,
        maxSize);
  }
}
