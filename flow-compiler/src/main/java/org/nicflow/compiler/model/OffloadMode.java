package org.nicflow.compiler.model;

/** How rule sets reach the NIC (docs/semantics.md, "Offload modes"). */
public enum OffloadMode {
  /** Exact-match unified flows installed on packet-in misses. */
  REACTIVE,
  /** The whole rule set compiled into wildcard tables; only stateful connections miss. */
  PROACTIVE;

  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
