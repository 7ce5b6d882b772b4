package org.nicflow.controller.partition;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nicflow.compiler.model.MissBudget;

class MissBucketTest {

  private static final long MS = 1_000_000L;

  private static int takeAll(MissBucket bucket, long now) {
    int taken = 0;
    while (bucket.take(now)) {
      taken++;
    }
    return taken;
  }

  @Test
  void startsFullAndGivesItsBurstAtOnceThenNothing() {
    MissBucket bucket = new MissBucket(new MissBudget(100, 7), 0);

    assertThat(takeAll(bucket, 0)).isEqualTo(7);
    assertThat(bucket.take(0)).isFalse();
  }

  @Test
  void refillsAtItsRateAndNeverAboveItsBurst() {
    MissBucket bucket = new MissBucket(new MissBudget(100, 7), 0);
    takeAll(bucket, 0);

    assertThat(bucket.take(9 * MS)).as("0.9 of a miss after 9 ms at 100/s").isFalse();
    assertThat(bucket.take(10 * MS)).as("one after 10 ms").isTrue();
    assertThat(bucket.take(10 * MS)).isFalse();
    assertThat(takeAll(bucket, 60 * MS)).as("five more after 50 ms").isEqualTo(5);
    assertThat(takeAll(bucket, 60_000 * MS)).as("a long quiet spell fills it to its burst only").isEqualTo(7);
  }

  @Test
  void aSteadyStreamGetsTheRateOverTime() {
    MissBucket bucket = new MissBucket(new MissBudget(1000, 10), 0);
    int taken = 0;
    for (long t = 0; t < 1000 * MS; t += MS / 10) { // 10,000 misses a second for one second
      if (bucket.take(t)) {
        taken++;
      }
    }

    assertThat(taken).as("burst plus one second at the rate").isBetween(1000, 1010);
  }

  @Test
  void aClockGoingBackwardsAddsNothing() {
    MissBucket bucket = new MissBucket(new MissBudget(100, 2), 50 * MS);
    takeAll(bucket, 50 * MS);

    assertThat(bucket.take(0)).isFalse();
    assertThat(bucket.take(50 * MS)).isFalse();
  }

  @Test
  void aNewBudgetKeepsWhatTheBucketHoldsUpToItsBurst() {
    MissBucket bucket = new MissBucket(new MissBudget(100, 50), 0);
    for (int i = 0; i < 45; i++) {
      bucket.take(0);
    }

    MissBucket raised = bucket.withBudget(new MissBudget(100, 500), 0);
    MissBucket lowered = new MissBucket(new MissBudget(100, 50), 0).withBudget(new MissBudget(100, 3), 0);

    assertThat(takeAll(raised, 0)).as("the 5 it held, not a fresh 500").isEqualTo(5);
    assertThat(takeAll(lowered, 0)).isEqualTo(3);
    assertThat(raised.budget()).isEqualTo(new MissBudget(100, 500));
  }
}
