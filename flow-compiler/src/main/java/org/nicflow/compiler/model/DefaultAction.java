package org.nicflow.compiler.model;

/** What a layer does with a packet no rule of it matches. */
public enum DefaultAction {
  ALLOW,
  DENY;

  private final String key = name().toLowerCase(java.util.Locale.ROOT);

  /** The lower-case name, as configs and decisions spell it. */
  public String key() {
    return key;
  }
}
