package org.nicflow.controller.openflow;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class ThrottledLogTest {

  static final Logger log = LoggerFactory.getLogger(ThrottledLogTest.class);

  final AtomicLong now = new AtomicLong();
  final ThrottledLog throttled = new ThrottledLog(Duration.ofSeconds(60), now::get);

  @Test
  void aCauseRepeatedWithinTheIntervalIsLoggedOnceAndItsCountComesWithTheNextLine() {
    try (var logs = new CapturedLogs()) {
      for (int i = 0; i < 100; i++) {
        throttled.warn(log, "reset", "Closing switch {}: reset", i);
      }
      assertThat(logs.containing("Closing switch")).hasSize(1);

      now.addAndGet(Duration.ofSeconds(60).toNanos());
      throttled.warn(log, "reset", "Closing switch {}: reset", 100);

      var lines = logs.containing("Closing switch");
      assertThat(lines).extracting(ILoggingEvent::getFormattedMessage)
          .containsExactly("Closing switch 0: reset",
              "Closing switch 100: reset (99 more like this since the last such line)");
    }
  }

  @Test
  void causesAreCountedApart() {
    try (var logs = new CapturedLogs()) {
      for (int i = 0; i < 10; i++) {
        throttled.warn(log, "reset", "reset {}", i);
        throttled.warn(log, "broken pipe", "broken pipe {}", i);
      }
      assertThat(logs.containing("reset")).hasSize(1);
      assertThat(logs.containing("broken pipe")).hasSize(1);
    }
  }

  @Test
  void flushLogsWhatWasHeldBack() {
    try (var logs = new CapturedLogs()) {
      for (int i = 0; i < 5; i++) {
        throttled.warn(log, "reset", "reset {}", i);
      }
      throttled.flush();
      throttled.flush();
      assertThat(logs.containing("4 more of: reset")).hasSize(1);
    }
  }

  @Test
  void aStackTraceGoesWithTheLoggedLineOnlyAndStaysLast() {
    try (var logs = new CapturedLogs()) {
      for (int i = 0; i < 3; i++) {
        throttled.error(log, "bug", "listener failed in {}", "packetIn", new IllegalStateException("bug"));
      }
      now.addAndGet(Duration.ofSeconds(61).toNanos());
      throttled.error(log, "bug", "listener failed in {}", "packetIn", new IllegalStateException("bug"));

      assertThat(logs.withStackTrace()).hasSize(2);
      assertThat(logs.containing("listener failed")).extracting(ILoggingEvent::getFormattedMessage)
          .containsExactly("listener failed in packetIn",
              "listener failed in packetIn (2 more like this since the last such line)");
    }
  }
}
