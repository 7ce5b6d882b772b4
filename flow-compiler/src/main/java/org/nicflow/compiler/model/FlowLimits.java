package org.nicflow.compiler.model;

/**
 * How many connection flows (unified flows the controller installs after a miss) one host's bridge
 * may hold (docs/config.md, {@code max_flows} and {@code host_max_flows}): at most {@code vmMaxFlows}
 * charged to any one VM where the VM sets no {@code max_flows} of its own, and at most
 * {@code hostMaxFlows} in all. The controller keeps to them by evicting the least recently seen
 * connection flows, and serves a connection it cannot give a flow by sending its packets on itself
 * (docs/controller.md, "Flow budget").
 *
 * @param vmMaxFlows every VM's limit where the VM sets none, 1 to {@link #MAX}
 * @param hostMaxFlows each bridge's limit, 1 to {@link #MAX}
 */
public record FlowLimits(long vmMaxFlows, long hostMaxFlows) {

  /** The largest limit: more than any NIC's table holds, and what a counter of the controller's fits. */
  public static final long MAX = Integer.MAX_VALUE;

  /**
   * The built-in defaults: 65,536 per VM and 262,144 per bridge. At the default miss budget (2,000
   * new connections a second through the controller) and idle timeout (10 s), a VM holds at most
   * about 2 × 2,000 × 10 = 40,000 connection flows (a forward and a reverse flow each), so the
   * defaults never evict in a default setup; the bridge's allows four VMs at that rate.
   */
  public static final FlowLimits DEFAULT = new FlowLimits(65_536, 262_144);

  public FlowLimits {
    check("max_flows", vmMaxFlows);
    check("host_max_flows", hostMaxFlows);
  }

  /** Checks one limit's value, naming its key. */
  public static void check(String key, long value) {
    if (value < 1 || value > MAX) {
      throw new IllegalArgumentException(key + " " + value + " is outside 1-" + MAX);
    }
  }
}
