package org.nicflow.controller.partition;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.MissBudget;
import org.nicflow.compiler.model.Vm;

/**
 * The miss budgets of the VMs of one host's bridge, by VM port (docs/config.md,
 * {@code miss_rate_pps}): a miss from a VM port spends that VM's budget, so a VM that floods new
 * connections is cut off before any evaluation while its neighbours keep theirs. Misses from the
 * uplink and tunnel ports spend none. Owned by the switch's thread, like the buckets it holds.
 *
 * <p>The switch's meter enforces the budget first; the packets it lets through wait in the switch's
 * queue and the channel, and may arrive here bunched up. So that they are not dropped a second time,
 * each bucket here holds {@value #BURST_SLACK} times the VM's burst; it refills at the VM's rate.
 */
final class MissBudgets {

  /** How many of a VM's bursts its bucket in the controller holds. */
  static final int BURST_SLACK = 2;

  private record PortBudget(String vm, MissBucket bucket) {}

  private final Map<String, PortBudget> byPort;

  private MissBudgets(Map<String, PortBudget> byPort) {
    this.byPort = byPort;
  }

  /** Full buckets for the VMs of {@code host} in {@code config}. */
  static MissBudgets of(Config config, String host, long nowNanos) {
    return new MissBudgets(Map.of()).next(config, host, nowNanos);
  }

  /**
   * The budgets of {@code host} under {@code config}: a VM that stays on its port keeps what its
   * bucket holds (at most its new burst), a new one starts full.
   */
  MissBudgets next(Config config, String host, long nowNanos) {
    Objects.requireNonNull(config, "config");
    Map<String, PortBudget> next = new HashMap<>();
    for (Vm vm : config.vmsOnHost(host)) {
      PortBudget held = byPort.get(vm.port());
      MissBudget budget = withSlack(config.missBudgetOf(vm));
      MissBucket bucket = held != null && held.vm().equals(vm.name())
          ? held.bucket().withBudget(budget, nowNanos)
          : new MissBucket(budget, nowNanos);
      next.putIfAbsent(vm.port(), new PortBudget(vm.name(), bucket));
    }
    return new MissBudgets(next);
  }

  /** {@code budget} with {@link #BURST_SLACK} times its burst (at most {@link MissBudget#MAX}). */
  static MissBudget withSlack(MissBudget budget) {
    return new MissBudget(budget.ratePps(), Math.min(MissBudget.MAX, budget.burst() * BURST_SLACK));
  }

  /**
   * Spends one miss arriving on {@code port} at {@code nowNanos}: the VM whose budget it exceeds,
   * or empty when it is within budget or the port is no VM's.
   */
  Optional<String> overBudget(String port, long nowNanos) {
    PortBudget b = byPort.get(port);
    return b == null || b.bucket().take(nowNanos) ? Optional.empty() : Optional.of(b.vm());
  }
}
