package org.nicflow.compiler.flow;

/** What made a flow; four bits of its cookie. */
public enum FlowKind {
  /** Per-bridge plumbing: classification, anti-spoofing, table-miss, tunnels. */
  BASE(0),
  /** ARP responder. */
  ARP(1),
  /** A proactive rule flow (one rule of one layer). */
  RULE(2),
  /** A layer's default. */
  LAYER_DEFAULT(3),
  /** Forwarding and delivery. */
  FORWARD(4),
  /** A reactive exact-match unified flow. */
  UNIFIED(5),
  /** A short-lived exact drop for a denied connection. */
  DENIED(6),
  /** The reverse flow of a stateful or NAT connection. */
  REVERSE(7),
  /** The learn spec of a stateful rule, run when a packet it admitted is delivered. */
  LEARN(8),
  /** A connection entry the switch learned (never in the controller's desired state). */
  LEARNED(9);

  private final int code;

  FlowKind(int code) {
    this.code = code;
  }

  /**
   * Whether flows of this kind carry a connection's packets (unified, reverse, denied, and the
   * entries the switch learned): not desired state, kept while their VM's rule set is the one
   * that made them.
   */
  public boolean isConnection() {
    return this == UNIFIED || this == REVERSE || this == DENIED || this == LEARNED;
  }

  public int code() {
    return code;
  }

  public static FlowKind ofCode(int code) {
    for (FlowKind k : values()) {
      if (k.code == code) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown flow kind " + code);
  }
}
