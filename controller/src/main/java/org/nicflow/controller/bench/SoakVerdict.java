package org.nicflow.controller.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * What a soak's samples and its load generator's totals add up to, and whether the soak passed: no
 * controller or ovs-vswitchd process ended or was replaced, no request failed, the controller's
 * resident set rose by at most {@link SoakLimits#maxRssGrowthKb()} above its value at the end of the
 * warm-up, its live heap after the drain is at most {@link SoakLimits#maxHeapGrowthKb()} above its
 * live heap at the end of the warm-up (when it also held the connections of the moment), and after
 * the load the controller's connection entries and the bridge's flows went back to what the bridge
 * held before it.
 *
 * @param rssWarmKb the controller's RSS at the last sample of the warm-up
 * @param rssEndKb at the last sample under load
 * @param rssMaxKb the highest after the warm-up, drain included
 * @param peakConnections the most connection entries seen
 * @param peakFlows the most flows seen in the bridge
 * @param drainedConnections the connection entries at the last sample of the drain
 * @param drainedFlows the bridge's flows at the last sample of the drain
 * @param heap the controller's live heap at the end of the warm-up and after the drain
 * @param failures why the soak failed, empty when it passed
 */
public record SoakVerdict(long rssWarmKb, long rssEndKb, long rssMaxKb, long peakConnections, long peakFlows,
    long drainedConnections, long drainedFlows, LiveHeap heap, List<String> failures) {

  public SoakVerdict {
    failures = List.copyOf(failures);
  }

  /**
   * Judges a soak.
   *
   * @param samples in time order: under load first, then the drain
   * @param warmUpSeconds samples up to this time are the warm-up: RSS is compared from its last one
   * @param wrk the load generator's totals, empty if it printed none
   * @param baseFlows the bridge's flows before the load: what it holds without connections
   */
  public static SoakVerdict judge(List<SoakSample> samples, double warmUpSeconds, Optional<WrkSummary> wrk,
      long baseFlows, LiveHeap heap, SoakLimits limits) {
    List<String> failures = new ArrayList<>();
    if (samples.isEmpty()) {
      return new SoakVerdict(-1, -1, -1, -1, -1, -1, -1, heap, List.of("no samples were taken"));
    }
    SoakSample first = samples.get(0);
    for (SoakSample s : samples) {
      if (s.controllerPid() != first.controllerPid() || s.controllerPid() < 0) {
        failures.add(String.format("the controller (pid %d) was not running at %.0f s", first.controllerPid(),
            s.seconds()));
        break;
      }
    }
    for (SoakSample s : samples) {
      if (s.vswitchdPid() != first.vswitchdPid() || s.vswitchdPid() < 0) {
        failures.add(String.format("ovs-vswitchd's pid changed from %d to %d at %.0f s (it crashed and its "
            + "monitor restarted it)", first.vswitchdPid(), s.vswitchdPid(), s.seconds()));
        break;
      }
    }
    if (wrk.isEmpty()) {
      failures.add("wrk printed no summary");
    } else if (wrk.get().failed() > 0 || wrk.get().requests() == 0) {
      WrkSummary w = wrk.get();
      failures.add(String.format("%d of %d requests failed (connect %d, read %d, write %d, timeout %d, "
          + "non-2xx/3xx %d)", w.failed(), w.requests() + w.failed(), w.connectErrors(), w.readErrors(),
          w.writeErrors(), w.timeouts(), w.badStatus()));
    }
    List<SoakSample> loaded = samples.stream().filter(SoakSample::loaded).toList();
    List<SoakSample> afterWarmUp = samples.stream().filter(s -> s.seconds() > warmUpSeconds).toList();
    long warm = loaded.stream().filter(s -> s.seconds() <= warmUpSeconds).reduce((a, b) -> b)
        .map(SoakSample::controllerRssKb).orElse(-1L);
    long end = loaded.isEmpty() ? -1 : loaded.get(loaded.size() - 1).controllerRssKb();
    long max = max(afterWarmUp, SoakSample::controllerRssKb);
    if (warm < 0 || loaded.stream().noneMatch(s -> s.seconds() > warmUpSeconds)) {
      failures.add(String.format("no RSS samples both in the warm-up (%.0f s) and after it", warmUpSeconds));
    } else if (max - warm > limits.maxRssGrowthKb()) {
      failures.add(String.format("the controller's RSS grew by %d KiB after the warm-up (%d -> %d, end %d), "
          + "more than the %d KiB allowed", max - warm, warm, max, end, limits.maxRssGrowthKb()));
    }
    if (heap.warmKb().isEmpty() || heap.drainedKb().isEmpty()) {
      failures.add("the controller's live heap was not measured (jcmd) both after the warm-up and after the drain");
    } else if (heap.growthKb() > limits.maxHeapGrowthKb()) {
      failures.add(String.format("the controller's live heap after the drain is %d KiB larger than at the end of "
          + "the warm-up (%d -> %d KiB), more than the %d KiB allowed: state that outlives its connections",
          heap.growthKb(), heap.warmKb().getAsLong(), heap.drainedKb().getAsLong(), limits.maxHeapGrowthKb()));
    }
    List<SoakSample> drain = samples.stream().filter(s -> !s.loaded()).toList();
    long drainedConnections = drain.isEmpty() ? -1 : drain.get(drain.size() - 1).connections();
    long drainedFlows = drain.isEmpty() ? -1 : drain.get(drain.size() - 1).bridgeFlows();
    if (drain.isEmpty()) {
      failures.add("no samples after the load");
    } else if (drainedConnections != 0 || drainedFlows != baseFlows) {
      failures.add(String.format("after the load and its idle timeouts the controller still held %d connection "
          + "entries and the bridge %d flows (%d before the load)", drainedConnections, drainedFlows, baseFlows));
    }
    return new SoakVerdict(warm, end, max, max(samples, SoakSample::connections),
        max(samples, SoakSample::bridgeFlows), drainedConnections, drainedFlows, heap, failures);
  }

  private static long max(List<SoakSample> samples, ToLongFunction<SoakSample> f) {
    return samples.stream().mapToLong(f).max().orElse(-1);
  }

  public boolean passed() {
    return failures.isEmpty();
  }
}
