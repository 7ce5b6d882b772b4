package org.nicflow.compiler.model;

/**
 * How many of a VM's packets may reach the controller (docs/config.md, {@code miss_rate_pps} and
 * {@code miss_burst}): a token bucket that holds at most {@code burst} packets and refills at
 * {@code ratePps} packets per second. The switch enforces it with a meter on the VM's path to the
 * controller, the controller again before it evaluates a miss, so a VM that floods new
 * connections spends only its own budget.
 *
 * @param ratePps packets per second, 1 to {@link #MAX}
 * @param burst packets taken at once after a quiet spell, 1 to {@link #MAX}
 */
public record MissBudget(long ratePps, long burst) {

  /** The largest rate and burst: an OpenFlow meter band's 32-bit fields. */
  public static final long MAX = 0xffff_ffffL;

  /**
   * The built-in default: 2,000 misses per second with a burst of as many. Well above what one VM's
   * connection setup reaches through the controller here (docs/benchmarks.md, "Connection setup"),
   * well below what the controller can take in from a single flooding VM.
   */
  public static final MissBudget DEFAULT = new MissBudget(2000, 2000);

  /**
   * The budget set by optional {@code rate} and {@code burst} keys, each defaulting to
   * {@code defaults}'s; a rate set without a burst gets a burst of one second at that rate.
   */
  public static MissBudget of(java.util.OptionalLong rate, java.util.OptionalLong burst, MissBudget defaults) {
    long r = rate.orElse(defaults.ratePps());
    return new MissBudget(r, burst.orElse(rate.isPresent() ? r : defaults.burst()));
  }

  public MissBudget {
    if (ratePps < 1 || ratePps > MAX) {
      throw new IllegalArgumentException("miss_rate_pps " + ratePps + " is outside 1-" + MAX);
    }
    if (burst < 1 || burst > MAX) {
      throw new IllegalArgumentException("miss_burst " + burst + " is outside 1-" + MAX);
    }
  }
}
