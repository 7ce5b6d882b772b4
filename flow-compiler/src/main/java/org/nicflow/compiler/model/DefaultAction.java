package org.nicflow.compiler.model;

/** What a layer does with a packet no rule of it matches. */
public enum DefaultAction {
  ALLOW,
  DENY;

  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
