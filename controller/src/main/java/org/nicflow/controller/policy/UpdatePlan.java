package org.nicflow.controller.policy;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a policy change would do, per host: flows (in {@code ovs-ofctl} syntax) added, changed and
 * removed, and the live connections it would end. {@code nicflow apply --dry-run} prints it.
 */
public record UpdatePlan(long fromRevision, Map<String, HostPlan> hosts) {

  public UpdatePlan {
    hosts = Map.copyOf(hosts);
  }

  /** One host's part of a plan; {@code connected} is false when its switch is not connected now. */
  public record HostPlan(boolean connected, List<String> added, List<String> changed, List<String> removed,
      List<String> connectionsEnded) {
    public HostPlan {
      added = List.copyOf(added);
      changed = List.copyOf(changed);
      removed = List.copyOf(removed);
      connectionsEnded = List.copyOf(connectionsEnded);
    }

    public boolean isEmpty() {
      return added.isEmpty() && changed.isEmpty() && removed.isEmpty() && connectionsEnded.isEmpty();
    }
  }

  public boolean isEmpty() {
    return hosts.values().stream().allMatch(HostPlan::isEmpty);
  }

  public HostPlan host(String name) {
    return Objects.requireNonNull(hosts.get(name), () -> "no host " + name + " in the plan");
  }
}
