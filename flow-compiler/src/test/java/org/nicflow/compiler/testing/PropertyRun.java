package org.nicflow.compiler.testing;

import java.util.OptionalInt;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * A seeded property run: a base seed (system property {@value #SEED_PROPERTY}, else a fresh
 * one drawn once per test JVM, so every CI run explores new inputs; it is printed, and a failure
 * names it, so any run can be replayed), a number of runs (system property
 * {@value #RUNS_PROPERTY}, else the test's default), and one derived seed per run. Run 0 uses the
 * base seed itself.
 *
 * <p>A run's inputs may depend on its index and its seed, and on nothing else: every run gets its
 * own {@link Random}, runs never share a generator, and a run must not draw its inputs from what
 * earlier runs did (a body that steers run 7 by the outcome of runs 0-6 cannot be replayed alone).
 * A failing run is replayed alone with {@code -Dnicflow.seed=<base seed> -Dnicflow.run=<its index>}
 * (system property {@value #ONLY_PROPERTY}); a failure message says exactly that.
 */
public record PropertyRun(String name, long baseSeed, int runs, OptionalInt only) {

  public static final String SEED_PROPERTY = "nicflow.seed";
  public static final String RUNS_PROPERTY = "nicflow.runs";
  /** The index of the one run to replay, alone. */
  public static final String ONLY_PROPERTY = "nicflow.run";
  /** The base seed when none is given: fresh for every test JVM. */
  public static final long FRESH_SEED = new java.security.SecureRandom().nextLong();

  /** What one run checks, given its seed and a generator seeded with it. */
  @FunctionalInterface
  public interface Body {
    void check(long seed, Random random) throws Exception;
  }

  /** What one run checks, given its index, its seed and a generator seeded with it. */
  @FunctionalInterface
  public interface IndexedBody {
    void check(int index, long seed, Random random) throws Exception;
  }

  public PropertyRun {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a property run needs a name");
    }
    if (runs < 1) {
      throw new IllegalArgumentException("runs must be >= 1, got " + runs);
    }
    if (only == null) {
      throw new IllegalArgumentException("only must be given (empty: every run)");
    }
    if (only.isPresent() && only.getAsInt() < 0) {
      throw new IllegalArgumentException("run index " + only.getAsInt() + " is negative");
    }
  }

  /** Every run of {@code baseSeed}. */
  public PropertyRun(String name, long baseSeed, int runs) {
    this(name, baseSeed, runs, OptionalInt.empty());
  }

  /** A run named {@code name}: seed, count and the run to replay from the system properties, else the defaults. */
  public static PropertyRun of(String name, int defaultRuns) {
    String seed = System.getProperty(SEED_PROPERTY);
    String runs = System.getProperty(RUNS_PROPERTY);
    String only = System.getProperty(ONLY_PROPERTY);
    PropertyRun run = new PropertyRun(name,
        seed == null || seed.isBlank() ? FRESH_SEED : Long.parseLong(seed.trim()),
        runs == null || runs.isBlank() ? defaultRuns : Integer.parseInt(runs.trim()),
        only == null || only.isBlank() ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(only.trim())));
    if (run.only().isPresent()) {
      System.out.printf("[seed] %s: base seed %d, run %d alone%n", name, run.baseSeed(), run.only().getAsInt());
    } else {
      System.out.printf("[seed] %s: base seed %d, %d runs (replay with -D%s=%d)%n", name, run.baseSeed(),
          run.runs(), SEED_PROPERTY, run.baseSeed());
    }
    return run;
  }

  /** Whether every run is run, not one replayed alone: what figures over the whole run may be asserted of. */
  public boolean whole() {
    return only.isEmpty();
  }

  /** The seed of run {@code index}: the base seed for run 0, a well-mixed derivation after. */
  public long seedOf(int index) {
    if (index < 0) {
      throw new IllegalArgumentException("run index " + index + " is negative");
    }
    return index == 0 ? baseSeed : new SplittableRandom(baseSeed ^ (0x9e3779b97f4a7c15L * index)).nextLong();
  }

  /** As {@link #forEach(IndexedBody)}, for a body that needs only the seed. */
  public void forEach(Body body) {
    forEach((index, seed, random) -> body.check(seed, random));
  }

  /**
   * Runs {@code body} once per run, in order (or only the run {@link #only} names). The first
   * failure stops the run and is rethrown as an {@link AssertionError} naming the run, its seed and
   * the replay command line.
   */
  public void forEach(IndexedBody body) {
    int first = only.orElse(0);
    int end = only.isPresent() ? first + 1 : runs;
    for (int i = first; i < end; i++) {
      long seed = seedOf(i);
      try {
        body.check(i, seed, new Random(seed));
      } catch (Exception | AssertionError e) {
        throw new AssertionError(failure(i, seed) + "\n" + e.getMessage(), e);
      }
    }
  }

  /** The message that heads a failure of run {@code index}. */
  public String failure(int index, long seed) {
    return String.format("%s: run %d of %d failed with seed %d (base seed %d); replay this run alone with"
        + " -D%s=%d -D%s=%d, the whole run with -D%s=%d", name, index, runs, seed, baseSeed, SEED_PROPERTY, baseSeed,
        ONLY_PROPERTY, index, SEED_PROPERTY, baseSeed);
  }
}
