package org.nicflow.controller.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.nicflow.compiler.diff.FlowDiff;
import org.nicflow.compiler.diff.FlowDiffer;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Host;
import org.nicflow.compiler.proactive.HostPipelineCompiler;
import org.nicflow.compiler.proactive.OvsFlowRenderer;

/**
 * A {@link LivePolicy} for tests: follows a {@link MemoryPolicyStore} (each committed revision
 * becomes the current snapshot at once), confirms enforcement at once unless told to hold it, and
 * plans by diffing the compiled flows of each host (no switch is connected, no connection ends).
 */
public final class FakeLivePolicy implements LivePolicy {

  private final MemoryPolicyStore store = new MemoryPolicyStore();
  private final PolicyWriter writer = new PolicyWriter(store);
  private final AtomicReference<PolicySnapshot> current = new AtomicReference<>();
  private final Map<Long, CompletableFuture<Void>> waits = new ConcurrentHashMap<>();
  private final AtomicBoolean hold = new AtomicBoolean();
  private final List<Config> planned = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Commits {@code initial} as revision 1 and enforces it. */
  public FakeLivePolicy(Config initial) {
    writer.write(initial, OptionalLong.of(0));
    store.watch(0, r -> {
      current.set(PolicySnapshot.of(r.revision(), PolicyDocuments.read(r.document(), "revision " + r.revision())));
      if (!hold.get()) {
        release(r.revision());
      }
    });
  }

  public MemoryPolicyStore store() {
    return store;
  }

  public PolicyWriter writer() {
    return writer;
  }

  /** The newest stored revision (0: none). */
  public long latestRevision() {
    return store.latest().map(StoredRevision::revision).orElse(0L);
  }

  /** From now on revisions are not confirmed until {@link #release} (a switch that does not answer). */
  public void holdEnforcement() {
    hold.set(true);
  }

  /** Confirms every revision up to {@code revision}. */
  public void release(long revision) {
    waits.forEach((r, f) -> {
      if (r <= revision) {
        f.complete(null);
      }
    });
  }

  /** The configs {@link #plan} was asked about. */
  public List<Config> planned() {
    return List.copyOf(planned);
  }

  @Override
  public PolicySnapshot current() {
    return current.get();
  }

  @Override
  public CompletableFuture<Void> enforced(long revision) {
    CompletableFuture<Void> f = waits.computeIfAbsent(revision, r -> new CompletableFuture<>());
    if (!hold.get() && current.get().revision() >= revision) {
      f.complete(null);
    }
    return f;
  }

  @Override
  public UpdatePlan plan(Config next) {
    planned.add(next);
    Config now = current.get().config();
    HostPipelineCompiler before = new HostPipelineCompiler(now);
    HostPipelineCompiler after = new HostPipelineCompiler(next);
    OvsFlowRenderer renderer = new OvsFlowRenderer(false);
    Map<String, UpdatePlan.HostPlan> hosts = new LinkedHashMap<>();
    for (Host h : next.hosts()) {
      List<FlowEntry> old = now.host(h.name()).isPresent() ? before.flows(h.name()) : List.of();
      FlowDiff diff = new FlowDiffer().diff(after.flows(h.name()), old);
      hosts.put(h.name(), new UpdatePlan.HostPlan(false, render(renderer, diff.add()), render(renderer, diff.modify()),
          render(renderer, diff.delete()), List.of()));
    }
    return new UpdatePlan(current.get().revision(), hosts);
  }

  private static List<String> render(OvsFlowRenderer renderer, List<FlowEntry> flows) {
    List<String> out = new ArrayList<>();
    flows.forEach(f -> out.add(renderer.render(f)));
    return out;
  }
}
