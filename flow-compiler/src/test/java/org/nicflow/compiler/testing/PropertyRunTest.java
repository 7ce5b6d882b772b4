package org.nicflow.compiler.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class PropertyRunTest {

  @Test
  void firstRunUsesTheBaseSeedSoThatAFailingRunReplaysAlone() {
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
        .hasMessageContaining("-Dnicflow.seed=" + run.seedOf(2) + " -Dnicflow.runs=1")
        .hasMessageContaining("-Dnicflow.seed=99");
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
}
