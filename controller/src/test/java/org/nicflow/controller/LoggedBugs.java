package org.nicflow.controller;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.LoggerFactory;

/**
 * While attached, takes over nicflow's log: events at WARN or above that carry a stack trace are
 * counted (nicflow logs a stack trace only for a bug: an exception nothing expected), everything
 * else is dropped. For fuzz targets, which would otherwise print one line per refused input and
 * could not see a bug that the code caught and logged.
 *
 * <pre>{@code
 * LoggedBugs bugs = LoggedBugs.attach();
 * try { ... } finally { bugs.detach(); }
 * assertThat(bugs.first()).isEmpty();
 * }</pre>
 */
public final class LoggedBugs extends AppenderBase<ILoggingEvent> {

  private final Logger logger;
  private final boolean additive;
  private final AtomicLong count = new AtomicLong();
  private final AtomicReference<String> first = new AtomicReference<>();

  private LoggedBugs(Logger logger) {
    this.logger = logger;
    this.additive = logger.isAdditive();
  }

  /** Takes over the {@code org.nicflow} loggers until {@link #detach()}. */
  public static LoggedBugs attach() {
    LoggedBugs bugs = new LoggedBugs((Logger) LoggerFactory.getLogger("org.nicflow"));
    bugs.setContext(bugs.logger.getLoggerContext());
    bugs.start();
    bugs.logger.addAppender(bugs);
    bugs.logger.setAdditive(false);
    return bugs;
  }

  /** Gives the log back as it was. */
  public void detach() {
    logger.detachAppender(this);
    logger.setAdditive(additive);
    stop();
  }

  @Override
  protected void append(ILoggingEvent event) {
    if (event.getLevel().isGreaterOrEqual(Level.WARN) && event.getThrowableProxy() != null) {
      count.incrementAndGet();
      first.compareAndSet(null, event.getLoggerName() + ": " + event.getFormattedMessage() + ": "
          + event.getThrowableProxy().getClassName() + ": " + event.getThrowableProxy().getMessage());
    }
  }

  /** How many events with a stack trace were logged while attached. */
  public long count() {
    return count.get();
  }

  /** The first of them, described in one line. */
  public Optional<String> first() {
    return Optional.ofNullable(first.get());
  }
}
