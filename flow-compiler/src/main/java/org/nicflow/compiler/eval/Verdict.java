package org.nicflow.compiler.eval;

/** The outcome for a packet. */
public enum Verdict {
  ALLOW,
  DROP;

  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
