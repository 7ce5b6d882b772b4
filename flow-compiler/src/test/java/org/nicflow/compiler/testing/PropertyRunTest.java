package org.nicflow.compiler.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class PropertyRunTest {

  @Test
  void firstRunUsesTheBaseSeed() {
    PropertyRun run = new PropertyRun("p", 42, 5);
    assertThat(run.seedOf(0)).isEqualTo(42);
    long third = run.seedOf(3);
    assertThat(new PropertyRun("p", third, 1).seedOf(0)).isEqualTo(third);
  }

  @Test
  void derivedSeedsAreDistinctAndStable() {
    PropertyRun run = new PropertyRun("p", 7, 1000);
    HashSet<Long> seeds = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      seeds.add(run.seedOf(i));
    }
    assertThat(seeds).hasSize(1000);
    assertThat(new PropertyRun("p", 7, 3).seedOf(2)).isEqualTo(run.seedOf(2));
  }

  @Test
  void failureNamesTheRunSeedAndTheReplayCommand() {
    PropertyRun run = new PropertyRun("equivalence", 99, 4);
    List<Long> seen = new ArrayList<>();
    assertThatThrownBy(() -> run.forEach((seed, random) -> {
      seen.add(seed);
      assertThat(seen).hasSizeLessThan(3);
    })).isInstanceOf(AssertionError.class)
        .hasMessageContaining("run 2 of 4")
        .hasMessageContaining("with seed " + run.seedOf(2))
        .hasMessageContaining("replay this run alone with -Dnicflow.seed=99 -Dnicflow.run=2")
        .hasMessageContaining("the whole run with -Dnicflow.seed=99");
    assertThat(seen).containsExactly(run.seedOf(0), run.seedOf(1), run.seedOf(2));
  }

  @Test
  void eachRunsGeneratorDependsOnlyOnItsSeed() {
    PropertyRun run = new PropertyRun("p", 5, 3);
    List<Integer> first = new ArrayList<>();
    run.forEach((seed, random) -> first.add(random.nextInt()));
    List<Integer> replayed = new ArrayList<>();
    new PropertyRun("p", run.seedOf(2), 1).forEach((seed, random) -> replayed.add(random.nextInt()));
    assertThat(replayed).containsExactly(first.get(2));
  }

  @Test
  void theReplayThatAFailureNamesRunsThatRunAloneWithItsIndexSeedAndGenerator() {
    PropertyRun run = new PropertyRun("p", 11, 6);
    List<String> whole = new ArrayList<>();
    run.forEach((index, seed, random) -> whole.add(index + "/" + seed + "/" + random.nextInt()));
    List<String> replayed = new ArrayList<>();
    new PropertyRun("p", 11, 6, OptionalInt.of(4))
        .forEach((index, seed, random) -> replayed.add(index + "/" + seed + "/" + random.nextInt()));
    assertThat(replayed).containsExactly(whole.get(4));
    assertThat(run.whole()).isTrue();
    assertThat(new PropertyRun("p", 11, 6, OptionalInt.of(4)).whole()).isFalse();
  }

  @Test
  void aReplayedRunsFailureNamesTheSameReplay() {
    PropertyRun alone = new PropertyRun("p", 11, 6, OptionalInt.of(4));
    assertThatThrownBy(() -> alone.forEach((index, seed, random) -> {
      throw new IllegalStateException("boom");
    })).hasMessageContaining("-Dnicflow.seed=11 -Dnicflow.run=4").hasMessageContaining("boom");
  }

  @Test
  void aNegativeRunIndexIsRefused() {
    assertThatThrownBy(() -> new PropertyRun("p", 1, 3, OptionalInt.of(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
  }
}
