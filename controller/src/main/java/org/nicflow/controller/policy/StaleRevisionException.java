package org.nicflow.controller.policy;

/** A commit or a write that expected revision {@link #expected} while the store is at {@link #actual}. */
public final class StaleRevisionException extends RuntimeException {

  private final long expected;
  private final long actual;

  public StaleRevisionException(long expected, long actual) {
    super("revision " + expected + " is stale: the policy is at revision " + actual);
    this.expected = expected;
    this.actual = actual;
  }

  public long expected() {
    return expected;
  }

  public long actual() {
    return actual;
  }
}
