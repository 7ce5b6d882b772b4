package org.nicflow.controller.openflow;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.projectfloodlight.openflow.types.DatapathId;

/**
 * One single-threaded executor ("lane") per dpid, shared by every connection of that switch in
 * turn: callbacks of an old connection, its {@code switchDisconnected} included, run before those
 * of the next one, so a reconnecting switch can be accepted at once and its events still reach the
 * listener in order. A lane's thread ends when idle and starts again on demand. Thread-safe.
 *
 * <p>A lane's queue is not bounded here: each session bounds what it queues by pausing reads from
 * its channel (see {@link InboundBacklog}).
 */
final class SwitchLanes {

  private static final long IDLE_SECONDS = 30;

  private final Map<DatapathId, ThreadPoolExecutor> lanes = new ConcurrentHashMap<>();
  private final Queue<ThreadPoolExecutor> stopping = new ConcurrentLinkedQueue<>();

  /** The lane of {@code dpid}, created on first use; its thread is named after the switch. */
  ExecutorService lane(DatapathId dpid, String host) {
    return lanes.computeIfAbsent(dpid, d -> newLane("openflow-" + host + "-" + d));
  }

  /**
   * Stops every lane taking work (queued work still runs) and forgets it: a lane asked for later
   * is a new one, so a stopped server can start again.
   */
  void shutdown() {
    for (DatapathId dpid : List.copyOf(lanes.keySet())) {
      ThreadPoolExecutor lane = lanes.remove(dpid);
      if (lane != null) {
        lane.shutdown();
        stopping.add(lane);
      }
    }
  }

  /** Waits for the queued work of the lanes {@link #shutdown()} stopped; false if some is left. */
  boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    for (ExecutorService lane : List.copyOf(stopping)) {
      if (!lane.awaitTermination(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
        return false;
      }
      stopping.remove(lane);
    }
    return true;
  }

  private static ThreadPoolExecutor newLane(String name) {
    var lane =
        new ThreadPoolExecutor(
            1,
            1,
            IDLE_SECONDS,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              return t;
            });
    lane.allowCoreThreadTimeOut(true);
    return lane;
  }
}
