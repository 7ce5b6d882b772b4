package org.nicflow.controller.api;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.nicflow.compiler.model.Config;
import org.nicflow.controller.openflow.OpenFlowStats;
import org.nicflow.controller.partition.HostPartition;
import org.nicflow.controller.policy.LivePolicy;
import org.nicflow.controller.policy.PolicyWriter;

/**
 * What the API reads and writes: the live policy (read per request, never captured), the writer
 * that turns an accepted change into the next revision, the host partition (switches, counters,
 * statistics, connections), the OpenFlow channel counters and the bearer token.
 *
 * @param switchTimeout how long a request waits for a switch to answer (flow statistics)
 * @param token the bearer token every request must carry when the API listens on an address
 *     other than loopback; the API refuses to start there without one
 */
public record ApiSources(
    LivePolicy policy,
    PolicyWriter writer,
    HostPartition partition,
    Supplier<OpenFlowStats.Snapshot> openflow,
    Duration switchTimeout,
    Optional<String> token) {

  public static final Duration DEFAULT_SWITCH_TIMEOUT = Duration.ofSeconds(5);

  public ApiSources {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(writer, "writer");
    Objects.requireNonNull(partition, "partition");
    Objects.requireNonNull(openflow, "openflow");
    Objects.requireNonNull(switchTimeout, "switchTimeout");
    Objects.requireNonNull(token, "token");
    if (switchTimeout.isNegative() || switchTimeout.isZero()) {
      throw new IllegalArgumentException("switchTimeout must be positive: " + switchTimeout);
    }
    if (token.isPresent() && token.get().isBlank()) {
      throw new IllegalArgumentException("the API token is empty");
    }
  }

  /** Default switch timeout, no token (loopback only). */
  public ApiSources(LivePolicy policy, PolicyWriter writer, HostPartition partition,
      Supplier<OpenFlowStats.Snapshot> openflow) {
    this(policy, writer, partition, openflow, DEFAULT_SWITCH_TIMEOUT, Optional.empty());
  }

  /** The config in force now ({@code policy().current()}); read it again for every request. */
  public Config config() {
    return policy.current().config();
  }
}
