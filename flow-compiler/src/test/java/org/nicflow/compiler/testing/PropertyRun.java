package org.nicflow.compiler.testing;

import java.util.Random;
import java.util.SplittableRandom;

/**
 * A seeded property run: a base seed (system property {@value #SEED_PROPERTY}, else a fresh
 * one drawn once per test JVM, so every CI run explores new inputs; it is printed, and a failure
 * names it, so any run can be replayed), a number of runs (system property
 * {@value #RUNS_PROPERTY}, else the test's default), and one derived seed per run. Run 0 uses the
 * base seed itself, so a failing run is replayed alone with
 * {@code -Dnicflow.seed=<its seed> -Dnicflow.runs=1}; a failure message says exactly that.
 *
 * <p>Every run gets its own {@link Random}; runs never share a generator, so a run's inputs depend
 * only on its seed.
 */
public record PropertyRun(String name, long baseSeed, int runs) {

  public static final String SEED_PROPERTY = "nicflow.seed";
  public static final String RUNS_PROPERTY = "nicflow.runs";
  /** The base seed when none is given: fresh for every test JVM. */
  public static final long FRESH_SEED = new java.security.SecureRandom().nextLong();

  /** What one run checks, given its seed and a generator seeded with it. */
  @FunctionalInterface
  public interface Body {
    void check(long seed, Random random) throws Exception;
  }

  public PropertyRun {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a property run needs a name");
    }
    if (runs < 1) {
      throw new IllegalArgumentException("runs must be >= 1, got " + runs);
    }
  }

  /** A run named {@code name}: seed and count from the system properties, else the defaults. */
  public static PropertyRun of(String name, int defaultRuns) {
    String seed = System.getProperty(SEED_PROPERTY);
    String runs = System.getProperty(RUNS_PROPERTY);
    PropertyRun run = new PropertyRun(name,
        seed == null || seed.isBlank() ? FRESH_SEED : Long.parseLong(seed.trim()),
        runs == null || runs.isBlank() ? defaultRuns : Integer.parseInt(runs.trim()));
    System.out.printf("[seed] %s: base seed %d, %d runs (replay with -D%s=%d)%n", name, run.baseSeed(), run.runs(),
        SEED_PROPERTY, run.baseSeed());
    return run;
  }

  /** The seed of run {@code index}: the base seed for run 0, a well-mixed derivation after. */
  public long seedOf(int index) {
    if (index < 0) {
      throw new IllegalArgumentException("run index " + index + " is negative");
    }
    return index == 0 ? baseSeed : new SplittableRandom(baseSeed ^ (0x9e3779b97f4a7c15L * index)).nextLong();
  }

  /**
   * Runs {@code body} once per run, in order. The first failure stops the run and is rethrown as
   * an {@link AssertionError} naming the run, its seed and the replay command line.
   */
  public void forEach(Body body) {
    for (int i = 0; i < runs; i++) {
      long seed = seedOf(i);
      try {
        body.check(seed, new Random(seed));
      } catch (Exception | AssertionError e) {
        throw new AssertionError(failure(i, seed) + "\n" + e.getMessage(), e);
      }
    }
  }

  /** The message that heads a failure of run {@code index}. */
  public String failure(int index, long seed) {
    return String.format("%s: run %d of %d failed with seed %d (base seed %d); replay this run with"
        + " -D%s=%d -D%s=1, the whole run with -D%s=%d", name, index, runs, seed, baseSeed, SEED_PROPERTY, seed,
        RUNS_PROPERTY, SEED_PROPERTY, baseSeed);
  }
}
