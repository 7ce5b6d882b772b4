package org.nicflow.controller.openflow.translate;

import com.fasterxml.jackson.annotation.JsonValue;
import java.math.BigInteger;

/**
 * A packet or byte count as OpenFlow carries it: an unsigned 64-bit number, 0 to 2<sup>64</sup>−1,
 * held in the bits of a {@code long}. Shown in decimal without a sign (JSON: a plain number).
 * Sums stop at {@link #MAX} instead of wrapping, so a total never reads smaller than any of its
 * parts.
 */
public record UnsignedCount(long bits) implements Comparable<UnsignedCount> {

  public static final UnsignedCount ZERO = new UnsignedCount(0);
  /** 2<sup>64</sup>−1, the largest count a switch can report and where sums stop. */
  public static final UnsignedCount MAX = new UnsignedCount(-1L);

  /** A count that is known not to be negative (our own counters, test values). */
  public static UnsignedCount of(long value) {
    if (value < 0) {
      throw new IllegalArgumentException("a count of " + value + " is negative; use new UnsignedCount(bits)");
    }
    return new UnsignedCount(value);
  }

  /** This count plus {@code other}, or {@link #MAX} if the sum does not fit in 64 unsigned bits. */
  public UnsignedCount plus(UnsignedCount other) {
    return new UnsignedCount(saturatingAdd(bits, other.bits));
  }

  /**
   * The unsigned sum of two counts' bits, stopping at 2<sup>64</sup>−1: associative and
   * commutative, so it can fold concurrent updates ({@link java.util.concurrent.atomic.LongAccumulator}).
   */
  public static long saturatingAdd(long a, long b) {
    long sum = a + b;
    return Long.compareUnsigned(sum, a) < 0 ? -1L : sum;
  }

  @JsonValue
  public BigInteger toBigInteger() {
    return new BigInteger(Long.toUnsignedString(bits));
  }

  @Override
  public int compareTo(UnsignedCount other) {
    return Long.compareUnsigned(bits, other.bits);
  }

  @Override
  public String toString() {
    return Long.toUnsignedString(bits);
  }
}
