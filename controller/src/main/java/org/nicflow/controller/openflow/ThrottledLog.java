package org.nicflow.controller.openflow;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * Log lines that can repeat once per connection or per message (resets, refusals, listener
 * failures), at most one per cause and interval: the first occurrence of a cause is logged, the
 * next ones in the same interval are only counted, and the count is appended to the cause's next
 * line ("… (41 more like this since the last such line)") or logged by {@link #flush()}. Thread-safe; owned by
 * one {@link OpenFlowServer}, or by the host partition for its per-VM causes (no static state). A stack
 * trace, when given, goes with the logged line only.
 */
public final class ThrottledLog {

  /** Causes tracked at once; a further one is logged unthrottled (never silently lost). */
  static final int MAX_CAUSES = 256;

  private final Duration interval;
  private final LongSupplier nanoClock;
  private final Map<String, Window> windows = new LinkedHashMap<>();

  private static final class Window {
    final Logger log;
    final Level level;
    long start;
    long held;

    Window(Logger log, Level level, long start) {
      this.log = log;
      this.level = level;
      this.start = start;
    }
  }

  /**
   * @param interval how long after a logged line the same cause is only counted
   * @param nanoClock a monotonic clock in nanoseconds ({@code System::nanoTime} outside tests)
   */
  public ThrottledLog(Duration interval, LongSupplier nanoClock) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive: " + interval);
    }
    this.interval = interval;
    this.nanoClock = nanoClock;
  }

  public void warn(Logger log, String cause, String format, Object... args) {
    log(log, Level.WARN, cause, format, args);
  }

  void error(Logger log, String cause, String format, Object... args) {
    log(log, Level.ERROR, cause, format, args);
  }

  /**
   * Logs the line unless {@code cause} was logged less than an interval ago; then only counts it.
   * As with SLF4J, a trailing {@link Throwable} argument is logged with its stack trace.
   */
  void log(Logger log, Level level, String cause, String format, Object... args) {
    long now = nanoClock.getAsLong();
    long held;
    synchronized (windows) {
      Window window = windows.get(cause);
      if (window != null && now - window.start < interval.toNanos()) {
        window.held++;
        return;
      }
      held = window == null ? 0 : window.held;
      if (window == null) {
        evictExpired(now);
        if (windows.size() < MAX_CAUSES) {
          windows.put(cause, new Window(log, level, now));
        }
      } else {
        window.start = now;
        window.held = 0;
      }
    }
    if (held > 0) {
      format = format + " ({} more like this since the last such line)";
      args = withHeld(args, held);
    }
    write(log, level, format, args);
  }

  /** Logs the count of every cause held back since its last line. */
  void flush() {
    List<Map.Entry<String, Window>> pending = new ArrayList<>();
    synchronized (windows) {
      for (var entry : windows.entrySet()) {
        if (entry.getValue().held > 0) {
          pending.add(Map.entry(entry.getKey(), entry.getValue()));
        }
      }
      windows.clear();
    }
    for (var entry : pending) {
      Window w = entry.getValue();
      write(w.log, w.level, "{} more of: {}", new Object[] {w.held, entry.getKey()});
    }
  }

  private void evictExpired(long now) {
    if (windows.size() < MAX_CAUSES) {
      return;
    }
    windows.values().removeIf(w -> w.held == 0 && now - w.start >= interval.toNanos());
  }

  /** A cause key for a failure: its class and where it was thrown, not its (varying) message. */
  static String site(Throwable failure) {
    StackTraceElement[] trace = failure.getStackTrace();
    return failure.getClass().getName() + (trace.length > 0 ? " at " + trace[0] : "");
  }

  private static void write(Logger log, Level level, String format, Object[] args) {
    switch (level) {
      case ERROR -> log.error(format, args);
      case WARN -> log.warn(format, args);
      case INFO -> log.info(format, args);
      case DEBUG -> log.debug(format, args);
      case TRACE -> log.trace(format, args);
    }
  }

  /** {@code args} with the held-back count before a trailing throwable, if any. */
  private static Object[] withHeld(Object[] args, long held) {
    boolean throwable = args.length > 0 && args[args.length - 1] instanceof Throwable;
    int plain = throwable ? args.length - 1 : args.length;
    Object[] out = new Object[args.length + 1];
    System.arraycopy(args, 0, out, 0, plain);
    out[plain] = held;
    if (throwable) {
      out[out.length - 1] = args[args.length - 1];
    }
    return out;
  }
}
