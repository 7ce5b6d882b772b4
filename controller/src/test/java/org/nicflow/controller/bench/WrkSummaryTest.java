package org.nicflow.controller.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WrkSummaryTest {

  @Test
  void theDoneHooksLineIsFoundAmongWrksOwnOutput() {
    String output = """
        Running 40s test @ http://10.70.0.20:5001/
          1 threads and 8 connections
          9002 requests in 40.10s, 1.47MB read
          Socket errors: connect 1, read 2, write 3, timeout 4
          Non-2xx or 3xx responses: 5
        Requests/sec:    224.49
        {"wrk_summary": 1, "requests": 9002, "connect": 1, "read": 2, "write": 3, "timeout": 4, "status": 5, \
        "duration_us": 40100000, "p50_us": 9200, "p99_us": 51710}
        """;

    WrkSummary w = WrkSummary.parse(output).orElseThrow();

    assertThat(w.requests()).isEqualTo(9002);
    assertThat(w.failed()).isEqualTo(15);
    assertThat(w.seconds()).isEqualTo(40.1);
    assertThat(w.perSecond()).isBetween(224.4, 224.5);
    assertThat(w.latencyP50Ms()).isEqualTo(9.2);
    assertThat(w.latencyP99Ms()).isEqualTo(51.71);
  }

  @Test
  void aRunThatPrintedNoSummaryHasNone() {
    assertThat(WrkSummary.parse("unable to connect to 10.70.0.20:5001 Connection refused\n")).isEmpty();
    assertThat(WrkSummary.parse("{\"wrk_summary\": 1, \"requests\": ")).isEmpty();
  }

  @Test
  void theHookPrintsEveryCountTheSummaryReads() {
    for (String field : new String[] {"requests", "connect", "read", "write", "timeout", "status", "duration_us",
        "p50_us", "p99_us"}) {
      assertThat(WrkSummary.DONE_SCRIPT).contains("\"" + field + "\"");
    }
    assertThat(WrkSummary.DONE_SCRIPT).contains(WrkSummary.MARKER).doesNotContain("request =");
  }
}
