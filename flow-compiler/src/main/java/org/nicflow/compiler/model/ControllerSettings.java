package org.nicflow.compiler.model;

import java.util.Objects;

/**
 * The {@code controller:} section.
 *
 * @param learnState proactive mode: connections of a deciding stateful allow are learned by the
 *     switch ({@code learn}) instead of costing a packet-in (docs/semantics.md, "Connection state in
 *     the NIC")
 */
public record ControllerSettings(
    String openflowHost, int openflowPort, String apiHost, int apiPort, OffloadMode mode,
    int idleTimeoutS, String stateDir, MacAddress gatewayMac, boolean learnState) {

  public static final ControllerSettings DEFAULTS = new ControllerSettings(
      "127.0.0.1", 6653, "127.0.0.1", 8080, OffloadMode.REACTIVE, 10, "./state", MacAddress.DEFAULT_GATEWAY, false);

  /** Settings without learned state. */
  public ControllerSettings(String openflowHost, int openflowPort, String apiHost, int apiPort, OffloadMode mode,
      int idleTimeoutS, String stateDir, MacAddress gatewayMac) {
    this(openflowHost, openflowPort, apiHost, apiPort, mode, idleTimeoutS, stateDir, gatewayMac, false);
  }

  public ControllerSettings {
    Objects.requireNonNull(openflowHost, "openflowHost");
    Objects.requireNonNull(apiHost, "apiHost");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(gatewayMac, "gatewayMac");
    if (openflowPort < 0 || openflowPort > 65535 || apiPort < 0 || apiPort > 65535) {
      throw new IllegalArgumentException("controller port outside 0-65535");
    }
    if (idleTimeoutS < 1 || idleTimeoutS > 65535) {
      throw new IllegalArgumentException("idle_timeout_s " + idleTimeoutS + " is outside 1-65535");
    }
  }

  public ControllerSettings withOpenflowPort(int port) {
    return new ControllerSettings(openflowHost, port, apiHost, apiPort, mode, idleTimeoutS, stateDir, gatewayMac,
        learnState);
  }

  public ControllerSettings withMode(OffloadMode newMode) {
    return new ControllerSettings(openflowHost, openflowPort, apiHost, apiPort, newMode, idleTimeoutS, stateDir,
        gatewayMac, learnState);
  }

  public ControllerSettings withLearnState(boolean learn) {
    return new ControllerSettings(openflowHost, openflowPort, apiHost, apiPort, mode, idleTimeoutS, stateDir,
        gatewayMac, learn);
  }

  /** Whether the proactive tables learn stateful connections in the switch. */
  public boolean learnsInSwitch() {
    return mode == OffloadMode.PROACTIVE && learnState;
  }
}
