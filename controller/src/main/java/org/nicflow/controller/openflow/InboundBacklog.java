package org.nicflow.controller.openflow;

import io.netty.channel.Channel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Back-pressure for one switch channel: counts the messages handed to the switch's executor and
 * not yet run. At the high-water mark ({@code capacity}) it pauses reading ({@link ReadGate}), so
 * Netty stops reading the socket and TCP slows the switch down; once the backlog is down to the
 * low-water mark (half the capacity) it lifts its pause. Nothing is dropped. The bound is soft by
 * at most the messages of the socket read that reached it.
 *
 * <p>{@link #added()} is called on the channel's event loop, {@link #removed()} on the switch's
 * executor; the pause state changes under this object's lock only.
 */
final class InboundBacklog {

  private final ReadGate gate;
  private final int high;
  private final int low;
  private final Runnable onPause;
  private final AtomicInteger queued = new AtomicInteger();
  private volatile boolean paused;

  /**
   * @param capacity high-water mark, at least 2
   * @param onPause called each time reading is paused (for counting)
   */
  InboundBacklog(Channel channel, int capacity, Runnable onPause) {
    if (capacity < 2) {
      throw new IllegalArgumentException("backlog capacity must be at least 2: " + capacity);
    }
    this.gate = ReadGate.of(channel);
    this.high = capacity;
    this.low = capacity / 2;
    this.onPause = onPause;
  }

  /** A message was queued. */
  void added() {
    if (queued.incrementAndGet() >= high) {
      update();
    }
  }

  /** A queued message has run (or was refused by a stopped executor). */
  void removed() {
    if (queued.decrementAndGet() <= low && paused) {
      update();
    }
  }

  int size() {
    return queued.get();
  }

  boolean isPaused() {
    return paused;
  }

  // Both checks read the count after 'paused' is written, so a drain that raced a pause is seen by
  // one side or the other: reading never stays off with an empty backlog.
  private synchronized void update() {
    if (!paused && queued.get() >= high) {
      paused = true;
      gate.pause(ReadGate.Reason.BACKLOG);
      onPause.run();
    }
    if (paused && queued.get() <= low) {
      paused = false;
      gate.resume(ReadGate.Reason.BACKLOG);
    }
  }
}
