package org.nicflow.controller.partition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.nicflow.compiler.diff.FlowDiff;
import org.nicflow.compiler.diff.FlowDiffer;
import org.nicflow.compiler.flow.Cookie;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.FlowEntry.FlowKey;
import org.nicflow.compiler.flow.FlowKind;
import org.nicflow.compiler.model.Config;
import org.nicflow.controller.openflow.SwitchConnection;
import org.nicflow.controller.openflow.SwitchDisconnectedException;
import org.nicflow.controller.openflow.translate.FlowModTranslator;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a switch's flows to the desired state (docs/controller.md, "Programming a bridge"): reads
 * what the switch has, diffs it against what the rule sets want, and sends only the difference,
 * fenced by a barrier. Flows that are not nicflow's are never touched; connection flows (unified,
 * reverse, denied) are kept while the VM their cookie names still exists with the rule-set
 * generation the cookie carries.
 */
public final class FlowReconciler {

  /** What one reconciliation did. */
  public record Report(int desired, int unresolved, int added, int modified, int deleted) {
    public int changes() {
      return added + modified + deleted;
    }
  }

  private static final Logger log = LoggerFactory.getLogger(FlowReconciler.class);

  private final FlowDiffer differ;
  private final ReconcileTiming timing;

  /** With the default timing and {@code timeout} as the base timeout (see {@link ReconcileTiming}). */
  public FlowReconciler(FlowDiffer differ, Duration timeout) {
    this(differ, ReconcileTiming.withBase(timeout));
  }

  public FlowReconciler(FlowDiffer differ, ReconcileTiming timing) {
    this.differ = Objects.requireNonNull(differ, "differ");
    this.timing = Objects.requireNonNull(timing, "timing");
  }

  /** The change that makes {@code actual} desired, leaving the live connection flows of {@code config}. */
  public FlowDiff plan(List<FlowEntry> desired, List<FlowEntry> actual, Config config) {
    List<FlowEntry> managed = new ArrayList<>();
    for (FlowEntry f : actual) {
      if (!isLiveConnectionFlow(f, config)) {
        managed.add(f);
      }
    }
    return differ.diff(desired, managed);
  }

  /**
   * Reads, diffs and repairs. Composes on the switch's futures, which complete on the switch's own
   * thread: nothing here blocks, so it may run inside a {@code SwitchListener} callback. An attempt
   * that times out or fails is tried again after a backoff, on the switch's executor, as {@link
   * ReconcileTiming} says; the future fails with the last attempt's failure, or at once when the
   * switch has disconnected.
   */
  public CompletableFuture<Report> reconcile(SwitchConnection sw, List<FlowEntry> desired, Config config) {
    return reconcile(sw, desired, config, List.of(), List.of());
  }

  /**
   * As {@link #reconcile(SwitchConnection, List, Config)}, and applies with the difference, in one
   * atomic change ({@link SwitchConnection#commit}), connection flows decided elsewhere: {@code
   * rewrite} (an ADD each: put right in place) and {@code delete} (a strict delete each). The flows
   * they name are left out of the diff.
   */
  public CompletableFuture<Report> reconcile(SwitchConnection sw, List<FlowEntry> desired, Config config,
      List<FlowEntry> rewrite, List<FlowEntry> delete) {
    return SwitchRetries.retrying(() -> attempt(sw, desired, config, rewrite, delete), timing, sw.executor(),
        failure -> !(failure instanceof SwitchDisconnectedException),
        (retry, failure) -> log.warn("host {}: reconciliation failed ({}); retry {} of {} in {}", sw.host(),
            failure.toString(), retry, timing.retries(), timing.backoffBefore(retry)));
  }

  /** One read-diff-repair, failing with a {@link java.util.concurrent.TimeoutException} after {@link ReconcileTiming#timeoutFor}. */
  private CompletableFuture<Report> attempt(SwitchConnection sw, List<FlowEntry> desired, Config config,
      List<FlowEntry> rewrite, List<FlowEntry> delete) {
    Set<FlowKey> decidedElsewhere = new HashSet<>();
    rewrite.forEach(f -> decidedElsewhere.add(f.key()));
    delete.forEach(f -> decidedElsewhere.add(f.key()));
    FlowModTranslator translator = new FlowModTranslator(sw.factory(), sw.ports());
    List<FlowEntry> resolvable = desired.stream().filter(f -> FlowPorts.resolvable(f, sw.ports())).toList();
    CompletableFuture<List<OFFlowStatsEntry>> read = sw.flowStats();
    CompletableFuture<Report> work = read
        .thenCompose(stats -> {
          List<FlowEntry> actual = new ArrayList<>();
          for (OFFlowStatsEntry e : stats) {
            translator.fromStats(e).filter(f -> !decidedElsewhere.contains(f.key())).ifPresent(actual::add);
          }
          FlowDiff diff = plan(resolvable, actual, config);
          Report report = new Report(desired.size(), desired.size() - resolvable.size(), diff.add().size(),
              diff.modify().size(), diff.delete().size());
          if (diff.isEmpty() && rewrite.isEmpty() && delete.isEmpty()) {
            return CompletableFuture.completedFuture(report);
          }
          // Connection flows first, then the differ's order — adds downstream-first, modifies,
          // deletes — so that no packet meets an empty table on the way; the whole change is one
          // bundle where the switch takes bundles, else fenced by one barrier.
          List<OFMessage> change = new ArrayList<>();
          rewrite.forEach(f -> change.add(translator.add(f)));
          delete.forEach(f -> change.add(translator.deleteStrict(f)));
          diff.add().forEach(f -> change.add(translator.add(f)));
          // A modify that changes the cookie, a timeout or the flags goes as an ADD (see
          // FlowModTranslator#update): OVS leaves those untouched on MODIFY_STRICT.
          Map<FlowKey, FlowEntry> installed = byKey(actual);
          diff.modify().forEach(f -> change.add(translator.update(f, installed.get(f.key()))));
          diff.delete().forEach(f -> change.add(translator.deleteStrict(f)));
          return sw.commit(change).thenApply(done -> report);
        });
    // On timeout the read is cancelled, so a late reply cannot start a stale repair.
    return SwitchRetries.within(work, timing.timeoutFor(desired.size()), sw.executor(), () -> read.cancel(false));
  }

  private static Map<FlowKey, FlowEntry> byKey(List<FlowEntry> flows) {
    Map<FlowKey, FlowEntry> map = new HashMap<>();
    flows.forEach(f -> map.putIfAbsent(f.key(), f));
    return map;
  }

  /**
   * Whether {@code flow} is a connection flow that {@code config} still stands behind: its kind is
   * unified, reverse or denied, and the VM its cookie names (if any) exists with the generation the
   * cookie carries. A flow of a rule set that changed since it was made is not.
   */
  static boolean isLiveConnectionFlow(FlowEntry flow, Config config) {
    if (!Cookie.kindOf(flow.cookie()).map(FlowKind::isConnection).orElse(false)) {
      return false;
    }
    Cookie c = Cookie.decode(flow.cookie());
    if (!c.hasVm()) {
      return true;
    }
    return config.ids().vmName(c.vmIndex()).flatMap(config::vm)
        .map(vm -> config.generationOf(vm) == c.generation()).orElse(false);
  }
}
