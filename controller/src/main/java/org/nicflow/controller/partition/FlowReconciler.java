package org.nicflow.controller.partition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.nicflow.compiler.diff.FlowDiff;
import org.nicflow.compiler.diff.FlowDiffer;
import org.nicflow.compiler.flow.Cookie;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.FlowKind;
import org.nicflow.controller.openflow.SwitchConnection;
import org.nicflow.controller.openflow.translate.FlowModTranslator;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;

/**
 * Brings a switch's flows to the desired state (SPEC section 4): reads what the switch has, diffs it
 * against what the rule sets want, and sends only the difference — deletes, then modifies, then
 * adds, each class fenced by a barrier. Flows that are not nicflow's are never touched; unified
 * flows of live connections made from the current generation are kept.
 */
public final class FlowReconciler {

  /** What one reconciliation did. */
  public record Report(int desired, int unresolved, int added, int modified, int deleted) {
    public int changes() {
      return added + modified + deleted;
    }
  }

  /** The switch did not answer in time, or failed a request. */
  public static final class ReconcileException extends Exception {
    private static final long serialVersionUID = 1L;

    ReconcileException(String message, Throwable cause) {
      super(message, cause);
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

  /** Reads, diffs and repairs; blocks the calling (per-switch) thread, never an event loop. */
  public Report reconcile(SwitchConnection sw, List<FlowEntry> desired, int generation) throws ReconcileException {
    FlowModTranslator translator = new FlowModTranslator(sw.factory(), sw.ports());
    List<FlowEntry> resolvable = desired.stream().filter(f -> FlowPorts.resolvable(f, sw.ports())).toList();
    List<FlowEntry> actual = new ArrayList<>();
    for (OFFlowStatsEntry e : await(sw.flowStats().thenApply(List::copyOf), "flow stats", sw)) {
      Optional<FlowEntry> f = translator.fromStats(e);
      f.ifPresent(actual::add);
    }
    FlowDiff diff = plan(resolvable, actual, generation);
    if (!diff.delete().isEmpty()) {
      diff.delete().forEach(f -> sw.send(translator.deleteStrict(f)));
      await(sw.barrier(), "barrier after deletes", sw);
    }
    if (!diff.modify().isEmpty()) {
      diff.modify().forEach(f -> sw.send(translator.modifyStrict(f)));
      await(sw.barrier(), "barrier after modifies", sw);
    }
    if (!diff.add().isEmpty()) {
      diff.add().forEach(f -> sw.send(translator.add(f)));
      await(sw.barrier(), "barrier after adds", sw);
    }
    return new Report(desired.size(), desired.size() - resolvable.size(), diff.add().size(),
        diff.modify().size(), diff.delete().size());
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

  private <T> T await(java.util.concurrent.CompletableFuture<T> future, String what, SwitchConnection sw)
      throws ReconcileException {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ReconcileException("interrupted waiting for " + what + " from " + sw.host(), e);
    } catch (ExecutionException | TimeoutException e) {
      throw new ReconcileException(what + " from " + sw.host() + " failed: " + e, e);
    }
  }
}
