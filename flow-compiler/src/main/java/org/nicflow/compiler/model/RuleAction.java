package org.nicflow.compiler.model;

/** What a matching rule does. */
public enum RuleAction {
  /** Continue to the next layer. */
  ALLOW,
  /** Drop the packet. */
  DENY,
  /** Rewrite the source to a public address (and an allocated port), then continue. */
  SNAT,
  /** Rewrite the DSCP bits, then continue. */
  SET_DSCP;

  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
