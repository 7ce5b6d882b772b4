package org.nicflow.compiler.eval;

import java.util.Objects;

/**
 * Where an admitted packet leaves the bridge.
 *
 * @param port the bridge port's name (VM port, tunnel port or uplink)
 * @param host for TUNNEL the destination host; for LOCAL and UPLINK this host
 * @param vni for TUNNEL the VNET's VNI, otherwise 0
 */
public record Output(Kind kind, String port, String host, int vni) {

  /** Kinds of forwarding target (docs/semantics.md, "Forwarding"). */
  public enum Kind {
    LOCAL,
    TUNNEL,
    UPLINK;

    public String key() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public Output {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(port, "port");
    Objects.requireNonNull(host, "host");
  }
}
