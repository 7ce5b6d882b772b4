package org.nicflow.compiler.model;

import java.util.Objects;
import java.util.Optional;

/**
 * The {@code controller:} section.
 *
 * @param learnState proactive mode: connections of a deciding stateful allow are learned by the
 *     switch ({@code learn}) instead of costing a packet-in (docs/semantics.md, "Connection state in
 *     the NIC")
 * @param missBudget every VM's miss budget where the VM does not set its own ({@code miss_rate_pps},
 *     {@code miss_burst})
 * @param tls the {@code controller.tls} block, if any: key files and where TLS is used
 * @param apiLimits the {@code controller.api_limits} block: what one API client may take
 * @param openflowOutbound how much may wait for a switch that does not read ({@code
 *     openflow_outbound_pause_bytes}, {@code openflow_outbound_close_bytes})
 * @param flowLimits how many connection flows a VM (where it sets none) and a bridge may hold
 *     ({@code max_flows}, {@code host_max_flows})
 */
public record ControllerSettings(
    String openflowHost, int openflowPort, String apiHost, int apiPort, OffloadMode mode,
    int idleTimeoutS, String stateDir, MacAddress gatewayMac, boolean learnState, MissBudget missBudget,
    Optional<ControllerTls> tls, ApiLimits apiLimits, OpenflowOutbound openflowOutbound,
    FlowLimits flowLimits) {

  public static final ControllerSettings DEFAULTS = new ControllerSettings(
      "127.0.0.1", 6653, "127.0.0.1", 8080, OffloadMode.REACTIVE, 10, "./state", MacAddress.DEFAULT_GATEWAY, false,
      MissBudget.DEFAULT, Optional.empty(), ApiLimits.DEFAULTS, OpenflowOutbound.DEFAULT,
      FlowLimits.DEFAULT);

  /** Settings with the default API, outbound and flow limits. */
  public ControllerSettings(String openflowHost, int openflowPort, String apiHost, int apiPort, OffloadMode mode,
      int idleTimeoutS, String stateDir, MacAddress gatewayMac, boolean learnState, MissBudget missBudget,
      Optional<ControllerTls> tls) {
    this(openflowHost, openflowPort, apiHost, apiPort, mode, idleTimeoutS, stateDir, gatewayMac, learnState,
        missBudget, tls, ApiLimits.DEFAULTS, OpenflowOutbound.DEFAULT, FlowLimits.DEFAULT);
  }

  /** Settings with the default miss budget and without TLS. */
  public ControllerSettings(String openflowHost, int openflowPort, String apiHost, int apiPort, OffloadMode mode,
      int idleTimeoutS, String stateDir, MacAddress gatewayMac, boolean learnState) {
    this(openflowHost, openflowPort, apiHost, apiPort, mode, idleTimeoutS, stateDir, gatewayMac, learnState,
        MissBudget.DEFAULT, Optional.empty());
  }

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
    Objects.requireNonNull(missBudget, "missBudget");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(apiLimits, "apiLimits");
    Objects.requireNonNull(openflowOutbound, "openflowOutbound");
    Objects.requireNonNull(flowLimits, "flowLimits");
    if (openflowPort < 0 || openflowPort > 65535 || apiPort < 0 || apiPort > 65535) {
      throw new IllegalArgumentException("controller port outside 0-65535");
    }
    if (idleTimeoutS < 1 || idleTimeoutS > 65535) {
      throw new IllegalArgumentException("idle_timeout_s " + idleTimeoutS + " is outside 1-65535");
    }
  }

  public ControllerSettings withOpenflowPort(int port) {
    return new ControllerSettings(openflowHost, port, apiHost, apiPort, mode, idleTimeoutS, stateDir, gatewayMac,
        learnState, missBudget, tls, apiLimits, openflowOutbound, flowLimits);
  }

  public ControllerSettings withMode(OffloadMode newMode) {
    return new ControllerSettings(openflowHost, openflowPort, apiHost, apiPort, newMode, idleTimeoutS, stateDir,
        gatewayMac, learnState, missBudget, tls, apiLimits, openflowOutbound, flowLimits);
  }

  public ControllerSettings withLearnState(boolean learn) {
    return new ControllerSettings(openflowHost, openflowPort, apiHost, apiPort, mode, idleTimeoutS, stateDir,
        gatewayMac, learn, missBudget, tls, apiLimits, openflowOutbound, flowLimits);
  }

  public ControllerSettings withMissBudget(MissBudget budget) {
    return new ControllerSettings(openflowHost, openflowPort, apiHost, apiPort, mode, idleTimeoutS, stateDir,
        gatewayMac, learnState, budget, tls, apiLimits, openflowOutbound, flowLimits);
  }

  public ControllerSettings withTls(Optional<ControllerTls> newTls) {
    return new ControllerSettings(openflowHost, openflowPort, apiHost, apiPort, mode, idleTimeoutS, stateDir,
        gatewayMac, learnState, missBudget, newTls, apiLimits, openflowOutbound, flowLimits);
  }

  public ControllerSettings withApiLimits(ApiLimits limits) {
    return new ControllerSettings(openflowHost, openflowPort, apiHost, apiPort, mode, idleTimeoutS, stateDir,
        gatewayMac, learnState, missBudget, tls, limits, openflowOutbound, flowLimits);
  }

  public ControllerSettings withOpenflowOutbound(OpenflowOutbound outbound) {
    return new ControllerSettings(openflowHost, openflowPort, apiHost, apiPort, mode, idleTimeoutS, stateDir,
        gatewayMac, learnState, missBudget, tls, apiLimits, outbound, flowLimits);
  }

  public ControllerSettings withFlowLimits(FlowLimits limits) {
    return new ControllerSettings(openflowHost, openflowPort, apiHost, apiPort, mode, idleTimeoutS, stateDir,
        gatewayMac, learnState, missBudget, tls, apiLimits, openflowOutbound, limits);
  }

  /** Whether switches connect over TLS ({@code controller.openflow: ssl:HOST:PORT}). */
  public boolean openflowTls() {
    return tls.map(ControllerTls::openflow).orElse(false);
  }

  /** Whether the proactive tables learn stateful connections in the switch. */
  public boolean learnsInSwitch() {
    return mode == OffloadMode.PROACTIVE && learnState;
  }
}
