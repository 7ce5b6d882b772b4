package org.nicflow.controller.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class SoakVerdictTest {

  private static final long PID = 4242;
  private static final long VSWITCHD = 77;
  private static final long BASE_FLOWS = 25;
  private static final SoakLimits LIMITS = new SoakLimits(64 * 1024, 4 * 1024);
  private static final LiveHeap STEADY_HEAP = new LiveHeap(OptionalLong.of(20_000), OptionalLong.of(18_000));
  private static final Optional<WrkSummary> CLEAN_RUN =
      Optional.of(new WrkSummary(9000, 0, 0, 0, 0, 0, 40, 9.2, 51.7));

  /** Under load every 5 s from 0 to 40 s at {@code rssKb}, then drained to no entries. */
  private static List<SoakSample> steady(long rssKb) {
    List<SoakSample> samples = new ArrayList<>();
    for (int t = 0; t <= 40; t += 5) {
      samples.add(loaded(t, rssKb));
    }
    samples.add(new SoakSample(55, false, PID, rssKb, VSWITCHD, 9000, 9000, 0, BASE_FLOWS));
    return samples;
  }

  private static SoakSample loaded(double at, long rssKb) {
    return new SoakSample(at, true, PID, rssKb, VSWITCHD, 9000, (long) (at * 200), 2000, 4000 + BASE_FLOWS);
  }

  @Test
  void aSteadyCleanSoakPasses() {
    SoakVerdict v = SoakVerdict.judge(steady(400_000), 10, CLEAN_RUN, BASE_FLOWS, STEADY_HEAP, LIMITS);

    assertThat(v.failures()).isEmpty();
    assertThat(v.passed()).isTrue();
    assertThat(v.rssWarmKb()).isEqualTo(400_000);
    assertThat(v.peakFlows()).isEqualTo(4000 + BASE_FLOWS);
    assertThat(v.drainedConnections()).isZero();
  }

  @Test
  void rssGrowthIsCountedFromTheLastWarmUpSampleNotFromTheStart() {
    List<SoakSample> samples = steady(400_000);
    samples.set(0, loaded(0, 200_000)); // the warm-up's own growth does not count
    samples.set(6, loaded(30, 400_000 + 64 * 1024 + 1)); // one KiB over the bound, once, after the warm-up

    SoakVerdict v = SoakVerdict.judge(samples, 10, CLEAN_RUN, BASE_FLOWS, STEADY_HEAP, LIMITS);

    assertThat(v.failures()).singleElement().asString().contains("RSS grew by 65537 KiB");
    assertThat(v.rssMaxKb()).isEqualTo(400_000 + 64 * 1024 + 1);
    assertThat(v.rssEndKb()).isEqualTo(400_000);
  }

  @Test
  void aControllerThatEndedOrWasReplacedFails() {
    List<SoakSample> samples = steady(400_000);
    samples.set(4, new SoakSample(20, true, -1, -1, VSWITCHD, 9000, -1, -1, 4025));

    SoakVerdict v = SoakVerdict.judge(samples, 10, CLEAN_RUN, BASE_FLOWS, STEADY_HEAP, LIMITS);

    assertThat(v.failures()).anySatisfy(f -> assertThat(f).contains("controller (pid 4242) was not running at 20 s"));
  }

  @Test
  void aNewOvsVswitchdPidIsACrash() {
    List<SoakSample> samples = steady(400_000);
    samples.set(5, new SoakSample(25, true, PID, 400_000, VSWITCHD + 1, 9000, 5000, 2000, 4025));

    SoakVerdict v = SoakVerdict.judge(samples, 10, CLEAN_RUN, BASE_FLOWS, STEADY_HEAP, LIMITS);

    assertThat(v.failures()).singleElement().asString().contains("ovs-vswitchd's pid changed from 77 to 78 at 25 s");
  }

  @Test
  void anyFailedRequestFailsTheSoak() {
    Optional<WrkSummary> oneTimeout = Optional.of(new WrkSummary(9000, 0, 0, 0, 1, 0, 40, 9.2, 51.7));

    SoakVerdict v = SoakVerdict.judge(steady(400_000), 10, oneTimeout, BASE_FLOWS, STEADY_HEAP, LIMITS);

    assertThat(v.failures()).singleElement().asString().contains("1 of 9001 requests failed").contains("timeout 1");
  }

  @Test
  void noWrkSummaryOrNoRequestsFails() {
    assertThat(SoakVerdict.judge(steady(400_000), 10, Optional.empty(), BASE_FLOWS, STEADY_HEAP, LIMITS).failures())
        .singleElement().asString().contains("no summary");
    Optional<WrkSummary> none = Optional.of(new WrkSummary(0, 0, 0, 0, 0, 0, 40, 0, 0));
    assertThat(SoakVerdict.judge(steady(400_000), 10, none, BASE_FLOWS, STEADY_HEAP, LIMITS).passed()).isFalse();
  }

  @Test
  void entriesLeftAfterTheDrainFail() {
    List<SoakSample> samples = steady(400_000);
    samples.set(samples.size() - 1, new SoakSample(55, false, PID, 400_000, VSWITCHD, 9000, 9000, 3, BASE_FLOWS + 6));

    SoakVerdict v = SoakVerdict.judge(samples, 10, CLEAN_RUN, BASE_FLOWS, STEADY_HEAP, LIMITS);

    assertThat(v.failures()).singleElement().asString().contains("still held 3 connection entries and the bridge 31 "
        + "flows (25 before the load)");
  }

  @Test
  void aLiveHeapLargerAfterTheDrainThanTheBoundIsStateThatOutlivedItsConnections() {
    LiveHeap grew = new LiveHeap(OptionalLong.of(20_000), OptionalLong.of(20_000 + 4 * 1024 + 1));

    SoakVerdict v = SoakVerdict.judge(steady(400_000), 10, CLEAN_RUN, BASE_FLOWS, grew, LIMITS);

    assertThat(v.failures()).singleElement().asString().contains("4097 KiB larger");
  }

  @Test
  void anUnmeasuredHeapFails() {
    LiveHeap unmeasured = new LiveHeap(OptionalLong.empty(), OptionalLong.of(18_000));

    assertThat(SoakVerdict.judge(steady(400_000), 10, CLEAN_RUN, BASE_FLOWS, unmeasured, LIMITS).failures())
        .singleElement().asString().contains("not measured");
  }

  @Test
  void withoutSamplesAfterTheWarmUpRssCannotBeJudged() {
    List<SoakSample> samples = new ArrayList<>(steady(400_000).subList(0, 2));
    samples.add(new SoakSample(55, false, PID, 400_000, VSWITCHD, 9000, 9000, 0, BASE_FLOWS));

    assertThat(SoakVerdict.judge(samples, 10, CLEAN_RUN, BASE_FLOWS, STEADY_HEAP, LIMITS).failures())
        .singleElement().asString().contains("no RSS samples both in the warm-up");
  }

  @Test
  void noSamplesAtAllFails() {
    assertThat(SoakVerdict.judge(List.of(), 10, CLEAN_RUN, BASE_FLOWS, STEADY_HEAP, LIMITS).passed()).isFalse();
  }
}
