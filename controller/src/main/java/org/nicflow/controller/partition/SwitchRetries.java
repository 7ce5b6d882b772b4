package org.nicflow.controller.partition;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Timeouts and retries for work on one switch, without blocking and without a thread of their own:
 * the JDK's delayed executor only waits, and hands every timeout and retry to the switch's executor
 * ({@link org.nicflow.controller.openflow.SwitchConnection#executor()}), so what follows runs on the
 * switch's thread like every other callback.
 */
final class SwitchRetries {

  private SwitchRetries() {}

  /**
   * {@code work}'s outcome, or a {@link TimeoutException} once {@code timeout} has passed, after
   * which {@code onTimeout} runs (to cancel what the work waits for).
   */
  static <T> CompletableFuture<T> within(
      CompletableFuture<T> work, Duration timeout, Executor executor, Runnable onTimeout) {
    var result = new CompletableFuture<T>();
    work.whenComplete(
        (value, failure) -> {
          if (failure == null) {
            result.complete(value);
          } else {
            result.completeExceptionally(unwrap(failure));
          }
        });
    if (!result.isDone()) {
      CompletableFuture.delayedExecutor(timeout.toNanos(), TimeUnit.NANOSECONDS, executor)
          .execute(
              () -> {
                if (result.completeExceptionally(new TimeoutException("no answer within " + timeout))) {
                  onTimeout.run();
                }
              });
    }
    return result;
  }

  /**
   * Runs {@code attempt}; while it fails with a failure {@code retryable} accepts and retries are
   * left, calls {@code beforeRetry} with the retry's number (from 1) and the failure, waits {@link
   * ReconcileTiming#backoffBefore} and runs it again on {@code executor}. Completes with the first
   * success or the last failure.
   */
  static <T> CompletableFuture<T> retrying(
      Supplier<CompletableFuture<T>> attempt,
      ReconcileTiming timing,
      Executor executor,
      Predicate<Throwable> retryable,
      BiConsumer<Integer, Throwable> beforeRetry) {
    var result = new CompletableFuture<T>();
    run(attempt, timing, executor, retryable, beforeRetry, 0, result);
    return result;
  }

  private static <T> void run(
      Supplier<CompletableFuture<T>> attempt,
      ReconcileTiming timing,
      Executor executor,
      Predicate<Throwable> retryable,
      BiConsumer<Integer, Throwable> beforeRetry,
      int retriesDone,
      CompletableFuture<T> result) {
    CompletableFuture<T> once;
    try {
      once = attempt.get();
    } catch (RuntimeException e) {
      once = CompletableFuture.failedFuture(e);
    }
    once.whenComplete(
        (value, failure) -> {
          if (failure == null) {
            result.complete(value);
            return;
          }
          Throwable cause = unwrap(failure);
          int retry = retriesDone + 1;
          if (retry > timing.retries() || !retryable.test(cause)) {
            result.completeExceptionally(cause);
            return;
          }
          beforeRetry.accept(retry, cause);
          Duration wait = timing.backoffBefore(retry);
          CompletableFuture.delayedExecutor(wait.toNanos(), TimeUnit.NANOSECONDS, executor)
              .execute(() -> run(attempt, timing, executor, retryable, beforeRetry, retry, result));
        });
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
