package org.nicflow.controller.api;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import org.nicflow.compiler.model.Config;
import org.nicflow.controller.openflow.OpenFlowStats;
import org.nicflow.controller.partition.HostPartition;

/**
 * What the API reads: the config the controller runs, its rule-set generation, the host partition
 * (switches, counters, statistics, connections) and the OpenFlow channel counters.
 *
 * @param switchTimeout how long a request waits for a switch to answer (flow statistics)
 */
public record ApiSources(
    Config config,
    int generation,
    HostPartition partition,
    Supplier<OpenFlowStats.Snapshot> openflow,
    Duration switchTimeout) {

  public static final Duration DEFAULT_SWITCH_TIMEOUT = Duration.ofSeconds(5);

  public ApiSources {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(partition, "partition");
    Objects.requireNonNull(openflow, "openflow");
    Objects.requireNonNull(switchTimeout, "switchTimeout");
    if (switchTimeout.isNegative() || switchTimeout.isZero()) {
      throw new IllegalArgumentException("switchTimeout must be positive: " + switchTimeout);
    }
  }

  public ApiSources(Config config, int generation, HostPartition partition, Supplier<OpenFlowStats.Snapshot> openflow) {
    this(config, generation, partition, openflow, DEFAULT_SWITCH_TIMEOUT);
  }
}
