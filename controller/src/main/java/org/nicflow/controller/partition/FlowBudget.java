package org.nicflow.controller.partition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.nicflow.compiler.flow.FlowEntry.FlowKey;

/**
 * Whether new connection flows fit one bridge's flow budget (docs/controller.md, "Flow budget";
 * docs/config.md, {@code max_flows}) and what to evict to make them fit. Pure: reads what it is
 * given and returns a {@link Verdict}; the partition does the deleting.
 *
 * <ul>
 *   <li>Over the VM's {@code max_flows}: the VM's own least recently seen connections are evicted,
 *       as many as needed.
 *   <li>Over the bridge's {@code host_max_flows}: the least recently seen connections of the VM
 *       that holds the most flows then (the VM itself on a tie) are evicted, one at a time, so a VM
 *       that fills the bridge evicts its own and a small VM takes room from the biggest.
 *   <li>When that cannot make room (the new flows alone are over a limit, or nothing left to
 *       evict), nothing is evicted and the flows are refused with the limit's {@link Reason}.
 * </ul>
 *
 * A connection is evicted whole: every flow of the miss that installed it on this bridge, both
 * directions ({@link Holdings#connectionOf}).
 */
final class FlowBudget {

  /** Why flows were refused; {@link #label} names it in metrics and the API. */
  enum Reason {
    VM_LIMIT("vm_limit"),
    HOST_LIMIT("host_limit"),
    TABLE_FULL("table_full");

    private final String label;

    Reason(String label) {
      this.label = label;
    }

    String label() {
      return label;
    }
  }

  /** What one bridge holds, as the budget needs to see it. */
  interface Holdings {
    /** Flows charged to each VM ({@link HeldFlows#NO_VM} for none). */
    Map<String, Integer> counts();

    /** Flows charged to {@code vm}. */
    int count(String vm);

    /** Flows held in all. */
    int total();

    /** The flows charged to {@code vm}, least recently seen first. */
    Iterator<FlowKey> leastRecentlySeen(String vm);

    /** Every held flow of the connection the flow {@code key} belongs to, {@code key} included. */
    List<FlowKey> connectionOf(FlowKey key);

    /** Whom the flow {@code key} is charged to. */
    String chargeOf(FlowKey key);
  }

  /** The answer: admit after evicting, or refuse. */
  sealed interface Verdict {
    /** The new flows fit once {@code evict} (whole connections, least recently seen first) are gone. */
    record Admit(List<List<FlowKey>> evict) implements Verdict {
      public Admit {
        evict = evict.stream().map(List::copyOf).toList();
      }

      int evictedFlows() {
        return evict.stream().mapToInt(List::size).sum();
      }
    }

    /** The new flows do not fit and nothing is evicted. */
    record Refuse(Reason reason) implements Verdict {
      public Refuse {
        Objects.requireNonNull(reason, "reason");
      }
    }
  }

  private final long vmLimit;
  private final long hostLimit;

  /**
   * @param vmLimit the charged VM's {@code max_flows} ({@link Long#MAX_VALUE} for flows charged to no VM)
   * @param hostLimit the bridge's {@code host_max_flows}
   */
  FlowBudget(long vmLimit, long hostLimit) {
    this.vmLimit = vmLimit;
    this.hostLimit = hostLimit;
  }

  /**
   * Whether {@code adding} new flows charged to {@code vm} fit {@code held}, and what to evict so
   * that they do. A connection holding any of {@code wanted} (the keys of the flows being installed,
   * held ones included) is never evicted for them.
   */
  Verdict admit(String vm, int adding, java.util.Collection<FlowKey> wanted, Holdings held) {
    if (adding <= 0) {
      return new Verdict.Admit(List.of());
    }
    if (adding > vmLimit) {
      return new Verdict.Refuse(Reason.VM_LIMIT);
    }
    if (adding > hostLimit) {
      return new Verdict.Refuse(Reason.HOST_LIMIT);
    }
    if (held.count(vm) + adding <= vmLimit && held.total() + adding <= hostLimit) {
      return new Verdict.Admit(List.of());
    }
    Plan plan = new Plan(held, Set.copyOf(wanted));
    while (plan.left(vm) + adding > vmLimit) {
      if (!plan.evictOneOf(vm)) {
        return new Verdict.Refuse(Reason.VM_LIMIT);
      }
    }
    Set<String> exhausted = new HashSet<>();
    while (plan.total + adding > hostLimit) {
      String biggest = plan.biggest(vm, exhausted);
      if (biggest == null) {
        return new Verdict.Refuse(Reason.HOST_LIMIT);
      }
      if (!plan.evictOneOf(biggest)) {
        exhausted.add(biggest);
      }
    }
    return new Verdict.Admit(plan.evict);
  }

  /** Evictions chosen so far and what they leave. */
  private static final class Plan {
    final Holdings held;
    final Map<String, Integer> left;
    int total;
    final Set<FlowKey> chosen = new HashSet<>();
    final List<List<FlowKey>> evict = new ArrayList<>();
    final Map<String, Iterator<FlowKey>> cursors = new HashMap<>();
    final Set<FlowKey> wanted;

    Plan(Holdings held, Set<FlowKey> wanted) {
      this.held = held;
      this.wanted = wanted;
      this.left = new HashMap<>(held.counts());
      this.total = held.total();
    }

    int left(String vm) {
      return left.getOrDefault(vm, 0);
    }

    /** Chooses {@code vm}'s least recently seen connection not chosen yet; false when there is none. */
    boolean evictOneOf(String vm) {
      Iterator<FlowKey> cursor = cursors.computeIfAbsent(vm, held::leastRecentlySeen);
      while (cursor.hasNext()) {
        FlowKey key = cursor.next();
        if (chosen.contains(key) || wanted.contains(key)) {
          continue;
        }
        List<FlowKey> whole = held.connectionOf(key);
        if (whole.stream().anyMatch(wanted::contains)) {
          continue;
        }
        List<FlowKey> connection = whole.stream().filter(chosen::add).toList();
        for (FlowKey k : connection) {
          left.computeIfPresent(held.chargeOf(k), (v, n) -> n - 1);
          total--;
        }
        evict.add(connection);
        return true;
      }
      return false;
    }

    /** The VM holding the most flows now ({@code self} on a tie), leaving out {@code exhausted}; null when none holds any. */
    String biggest(String self, Set<String> exhausted) {
      String best = null;
      int most = 0;
      for (Map.Entry<String, Integer> e : new java.util.TreeMap<>(left).entrySet()) {
        if (exhausted.contains(e.getKey())) {
          continue;
        }
        int n = e.getValue();
        if (n > most || (n == most && n > 0 && e.getKey().equals(self))) {
          best = e.getKey();
          most = n;
        }
      }
      return best;
    }
  }

  /** Holdings as {@link HeldFlows} and the connections the partition knows describe them. */
  static Holdings of(HeldFlows flows, Function<FlowKey, List<FlowKey>> connectionOf) {
    return new Holdings() {
      @Override
      public Map<String, Integer> counts() {
        return flows.counts();
      }

      @Override
      public int count(String vm) {
        return flows.count(vm);
      }

      @Override
      public int total() {
        return flows.size();
      }

      @Override
      public Iterator<FlowKey> leastRecentlySeen(String vm) {
        return flows.leastRecentlySeen(vm);
      }

      @Override
      public List<FlowKey> connectionOf(FlowKey key) {
        return connectionOf.apply(key);
      }

      @Override
      public String chargeOf(FlowKey key) {
        return flows.chargeOf(key);
      }
    };
  }
}
