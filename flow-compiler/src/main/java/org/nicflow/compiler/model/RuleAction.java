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

  private final String key = name().toLowerCase(java.util.Locale.ROOT);

  /** The lower-case name, as configs and decisions spell it. */
  public String key() {
    return key;
  }
}
