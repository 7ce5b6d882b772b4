package org.nicflow.controller.openflow;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;

/**
 * Whether Netty reads from one switch channel: reading is off while any {@link Reason} holds and
 * back on once none does. One gate per channel ({@link #of}), so the inbound and outbound bounds
 * never undo each other's pause. Thread-safe.
 */
final class ReadGate {

  /** Why reading from a switch is paused. */
  enum Reason {
    /** Its received messages wait for its executor ({@link InboundBacklog}). */
    BACKLOG,
    /** It does not read what is sent to it ({@link OutboundLimit}). */
    OUTBOUND
  }

  private static final AttributeKey<ReadGate> KEY = AttributeKey.valueOf(ReadGate.class, "gate");

  private final Channel channel;
  private final Set<Reason> holding = EnumSet.noneOf(Reason.class);

  private ReadGate(Channel channel) {
    this.channel = channel;
  }

  /** The gate of {@code channel}, created on first use. */
  static ReadGate of(Channel channel) {
    var attribute = channel.attr(KEY);
    ReadGate gate = attribute.get();
    if (gate == null) {
      ReadGate fresh = new ReadGate(channel);
      gate = attribute.setIfAbsent(fresh);
      if (gate == null) {
        gate = fresh;
      }
    }
    return gate;
  }

  /** Stops reading for {@code reason}; false if it already held. */
  synchronized boolean pause(Reason reason) {
    boolean added = holding.add(reason);
    setAutoRead(false);
    return added;
  }

  /** {@code reason} no longer holds; reading resumes when no other does. */
  synchronized void resume(Reason reason) {
    if (holding.remove(reason) && holding.isEmpty()) {
      setAutoRead(true);
    }
  }

  /**
   * Turning reading back on asks the channel's event loop to read. Once the controller has stopped
   * its event loops nothing is read any more, and the switch's thread, still running the callbacks
   * it had queued, must not fail on that.
   */
  private void setAutoRead(boolean on) {
    try {
      channel.config().setAutoRead(on);
    } catch (RejectedExecutionException stopped) {
      // the event loop has stopped: the channel is read no more either way
    }
  }

  synchronized boolean isPaused(Reason reason) {
    return holding.contains(reason);
  }
}
