package org.nicflow.compiler.flow;

import java.util.Objects;
import org.nicflow.compiler.model.MissBudget;

/**
 * An OpenFlow meter with one drop band, for the VM whose meter it is: {@code rate} in the meter's
 * {@code unit}, {@code burst} in kilobits ({@link Unit#KBPS}) or packets ({@link Unit#PKTPS}).
 */
public record MeterSpec(long meterId, Unit unit, long rate, long burst, String vm) {

  /** What a meter counts. */
  public enum Unit {
    /** Kilobits per second: a VM's {@code meter_kbps}. */
    KBPS,
    /** Packets per second: a VM's miss budget on its way to the controller. */
    PKTPS
  }

  /** The smallest burst of a kbit/s meter, in kilobits. */
  public static final long MIN_BURST_KBITS = 128;

  public MeterSpec {
    if (meterId <= 0 || meterId > 0xffff_0000L) {
      throw new IllegalArgumentException("meter id " + meterId + " is outside 1-0xffff0000");
    }
    Objects.requireNonNull(unit, "unit");
    if (rate <= 0) {
      throw new IllegalArgumentException("meter rate must be positive, got " + rate);
    }
    if (burst <= 0) {
      throw new IllegalArgumentException("meter burst must be positive, got " + burst);
    }
    Objects.requireNonNull(vm, "vm");
  }

  /** A VM's {@code meter_kbps}: {@code kbps}, with a burst of {@link #burstKbits}. */
  public MeterSpec(long meterId, long kbps, String vm) {
    this(meterId, Unit.KBPS, kbps, burstKbits(kbps), vm);
  }

  /** A VM's miss budget: {@code budget}'s rate in packets per second and its burst in packets. */
  public static MeterSpec missBudget(long meterId, MissBudget budget, String vm) {
    return new MeterSpec(meterId, Unit.PKTPS, budget.ratePps(), budget.burst(), vm);
  }

  /** The burst of a kbit/s meter: 100 ms at the rate, at least {@link #MIN_BURST_KBITS}. */
  public static long burstKbits(long kbps) {
    return Math.max(kbps / 10, MIN_BURST_KBITS);
  }
}
