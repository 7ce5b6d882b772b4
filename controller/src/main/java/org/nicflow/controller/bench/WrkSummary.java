package org.nicflow.controller.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Optional;

/**
 * What {@code wrk} counted over a run, as the {@link #DONE_SCRIPT} hook prints it: requests
 * completed, socket errors by kind (connect, read, write, timeout) and responses whose status was not
 * 2xx or 3xx.
 */
public record WrkSummary(long requests, long connectErrors, long readErrors, long writeErrors, long timeouts,
    long badStatus, double seconds, double latencyP50Ms, double latencyP99Ms) {

  /** The marker the hook's line starts with, so that it is found among wrk's own output. */
  static final String MARKER = "{\"wrk_summary\"";

  /**
   * A wrk script ({@code -s}) whose only hook is {@code done}: it prints the run's totals as one JSON
   * line. With no per-request hook wrk keeps its native request path, so the script costs nothing
   * while the run lasts.
   */
  public static final String DONE_SCRIPT = """
      done = function(summary, latency, requests)
        local e = summary.errors
        io.write(string.format('{"wrk_summary": 1, "requests": %d, "connect": %d, "read": %d, "write": %d, '
          .. '"timeout": %d, "status": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d}\\n',
          summary.requests, e.connect, e.read, e.write, e.timeout, e.status, summary.duration,
          latency:percentile(50), latency:percentile(99)))
      end
      """;

  /** The summary line in wrk's output, if the run got as far as printing it. */
  public static Optional<WrkSummary> parse(String wrkOutput) {
    String line = wrkOutput.lines().map(String::strip).filter(l -> l.startsWith(MARKER)).reduce((a, b) -> b)
        .orElse(null);
    if (line == null) {
      return Optional.empty();
    }
    try {
      JsonNode n = new ObjectMapper().readTree(line);
      return Optional.of(new WrkSummary(n.path("requests").asLong(), n.path("connect").asLong(),
          n.path("read").asLong(), n.path("write").asLong(), n.path("timeout").asLong(), n.path("status").asLong(),
          n.path("duration_us").asLong() / 1e6, n.path("p50_us").asLong() / 1e3, n.path("p99_us").asLong() / 1e3));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Requests that did not end in a 2xx or 3xx answer: socket errors of every kind plus bad statuses. */
  public long failed() {
    return connectErrors + readErrors + writeErrors + timeouts + badStatus;
  }

  public double perSecond() {
    return seconds > 0 ? requests / seconds : 0;
  }
}
