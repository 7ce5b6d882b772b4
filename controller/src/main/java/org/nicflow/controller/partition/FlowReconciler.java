package org.nicflow.controller.partition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.nicflow.compiler.diff.FlowDiff;
import org.nicflow.compiler.diff.FlowDiffer;
import org.nicflow.compiler.flow.Cookie;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.FlowEntry.FlowKey;
import org.nicflow.compiler.flow.FlowKind;
import org.nicflow.controller.openflow.SwitchConnection;
import org.nicflow.controller.openflow.translate.FlowModTranslator;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;

/**
 * Brings a switch's flows to the desired state (SPEC section 4): reads what the switch has, diffs it
 * against what the rule sets want, and sends only the difference, fenced by a barrier. Flows that are not nicflow's are never touched; unified
 * flows of live connections made from the current generation are kept.
 */
public final class FlowReconciler {

  /** What one reconciliation did. */
  public record Report(int desired, int unresolved, int added, int modified, int deleted) {
    public int changes() {
      return added + modified + deleted;
    }
  }

  private static final Set<FlowKind> CONNECTION_KINDS =
      EnumSet.of(FlowKind.UNIFIED, FlowKind.REVERSE, FlowKind.DENIED);

  private final FlowDiffer differ;
  private final Duration timeout;

  public FlowReconciler(FlowDiffer differ, Duration timeout) {
    this.differ = Objects.requireNonNull(differ, "differ");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  /** The change that makes {@code actual} desired, leaving live connection flows of {@code generation}. */
  public FlowDiff plan(List<FlowEntry> desired, List<FlowEntry> actual, int generation) {
    List<FlowEntry> managed = new ArrayList<>();
    for (FlowEntry f : actual) {
      if (!isLiveConnectionFlow(f, generation)) {
        managed.add(f);
      }
    }
    return differ.diff(desired, managed);
  }

  /**
   * Reads, diffs and repairs. Composes on the switch's futures, which complete on the switch's own
   * thread: nothing here blocks, so it may run inside a {@code SwitchListener} callback.
   */
  public CompletableFuture<Report> reconcile(SwitchConnection sw, List<FlowEntry> desired, int generation) {
    FlowModTranslator translator = new FlowModTranslator(sw.factory(), sw.ports());
    List<FlowEntry> resolvable = desired.stream().filter(f -> FlowPorts.resolvable(f, sw.ports())).toList();
    return sw.flowStats()
        .thenCompose(stats -> {
          List<FlowEntry> actual = new ArrayList<>();
          for (OFFlowStatsEntry e : stats) {
            translator.fromStats(e).ifPresent(actual::add);
          }
          FlowDiff diff = plan(resolvable, actual, generation);
          Report report = new Report(desired.size(), desired.size() - resolvable.size(), diff.add().size(),
              diff.modify().size(), diff.delete().size());
          if (diff.isEmpty()) {
            return CompletableFuture.completedFuture(report);
          }
          // The differ orders adds downstream-first, then modifies, then deletes: no packet meets
          // an empty table on the way. One barrier fences the whole change.
          diff.add().forEach(f -> sw.send(translator.add(f)));
          // A modify that changes the cookie, a timeout or the flags goes as an ADD (see
          // FlowModTranslator#update): OVS leaves those untouched on MODIFY_STRICT.
          Map<FlowKey, FlowEntry> installed = byKey(actual);
          diff.modify().forEach(f -> sw.send(translator.update(f, installed.get(f.key()))));
          diff.delete().forEach(f -> sw.send(translator.deleteStrict(f)));
          return sw.barrier().thenApply(done -> report);
        })
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static Map<FlowKey, FlowEntry> byKey(List<FlowEntry> flows) {
    Map<FlowKey, FlowEntry> map = new HashMap<>();
    flows.forEach(f -> map.putIfAbsent(f.key(), f));
    return map;
  }

  static boolean isLiveConnectionFlow(FlowEntry flow, int generation) {
    if (!Cookie.isOurs(flow.cookie())) {
      return false;
    }
    Cookie c;
    try {
      c = Cookie.decode(flow.cookie());
    } catch (IllegalArgumentException e) {
      return false;
    }
    return CONNECTION_KINDS.contains(c.kind()) && c.generation() == generation;
  }
}
