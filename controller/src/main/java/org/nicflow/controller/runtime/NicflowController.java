package org.nicflow.controller.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.nicflow.compiler.diff.FlowDiffer;
import org.nicflow.compiler.eval.ConnectionTable;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Host;
import org.nicflow.compiler.model.PolicyIds;
import org.nicflow.controller.api.ApiServer;
import org.nicflow.controller.api.ApiSources;
import org.nicflow.controller.openflow.OpenFlowServer;
import org.nicflow.controller.openflow.OpenFlowSettings;
import org.nicflow.controller.openflow.packet.FrameParser;
import org.nicflow.controller.partition.FlowReconciler;
import org.nicflow.controller.partition.HostPartition;
import org.nicflow.controller.partition.RuleStatistics;
import org.nicflow.controller.policy.LivePolicy;
import org.nicflow.controller.policy.MemoryPolicyStore;
import org.nicflow.controller.policy.PolicyDocuments;
import org.nicflow.controller.policy.PolicySnapshot;
import org.nicflow.controller.policy.PolicyStore;
import org.nicflow.controller.policy.PolicyWriter;
import org.nicflow.controller.policy.StoredRevision;
import org.nicflow.controller.policy.UpdatePlan;
import org.projectfloodlight.openflow.types.DatapathId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running nicflow controller: the policy store, the OpenFlow server and the host partition
 * behind it, and the REST API. The store is the source of truth: the first start seeds it from the
 * config file; later starts load its newest revision; every revision committed while it runs (REST
 * write, {@code nicflow apply}, SIGHUP) is built into a new {@link PolicySnapshot} and applied to
 * every switch ({@link HostPartition#apply}). {@code nicflow run} and the integration tests start
 * it the same way.
 */
public final class NicflowController implements AutoCloseable, LivePolicy {

  private static final Logger log = LoggerFactory.getLogger(NicflowController.class);

  private final PolicyStore store;
  private final PolicyWriter writer;
  private final HostPartition partition;
  private final AtomicLong enforcedRevision;
  private final ConcurrentSkipListMap<Long, CompletableFuture<Void>> waiting = new ConcurrentSkipListMap<>();
  private final AtomicLong applyFailures = new AtomicLong();
  private volatile OpenFlowServer server;
  private volatile Optional<ApiServer> api = Optional.empty();
  private volatile PolicyStore.Watch watch;
  private volatile java.util.concurrent.ScheduledExecutorService audits;
  /** Runs the partition's idle clock ({@link HostPartition#expireIdle}) every second. */
  private final java.util.concurrent.ScheduledExecutorService idleClock =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "nicflow-idle-clock");
        t.setDaemon(true);
        return t;
      });

  private NicflowController(PolicyStore store, PolicyWriter writer, HostPartition partition,
      long revision) {
    this.store = store;
    this.writer = writer;
    this.partition = partition;
    this.enforcedRevision = new AtomicLong(revision);
    idleClock.scheduleWithFixedDelay(() -> {
      try {
        partition.expireIdle();
      } catch (RuntimeException e) {
        log.error("the idle clock failed (it runs again in a second)", e);
      }
    }, 1, 1, TimeUnit.SECONDS);
  }

  /**
   * Starts on {@code config} with an in-memory policy store and no REST API (tests and the demo
   * start the controller this way).
   */
  public static NicflowController start(Config config, OpenFlowSettings settings) throws InterruptedException {
    return start(config, settings, Optional.empty());
  }

  /** As {@link #start(Config, OpenFlowSettings)}, serving the REST API on {@code api} (port 0: any). */
  public static NicflowController start(Config config, OpenFlowSettings settings, Optional<InetSocketAddress> api)
      throws InterruptedException {
    return start(config, settings, api, new MemoryPolicyStore(), Optional.empty());
  }

  /**
   * Starts on the newest revision of {@code store}; an empty store is seeded with {@code config}
   * as revision 1. When the store already holds a policy that differs from {@code config}, the
   * stored one is in force and a warning says how to apply the file.
   *
   * @param apiToken the bearer token every API request must carry; required when {@code api} is
   *     not a loopback address
   */
  public static NicflowController start(Config config, OpenFlowSettings settings, Optional<InetSocketAddress> api,
      PolicyStore store, Optional<String> apiToken) throws InterruptedException {
    return start(config, settings, api, store, apiToken, TransportSecurity.NONE);
  }

  /**
   * As {@link #start(Config, OpenFlowSettings, Optional, PolicyStore, Optional)}, with TLS on the
   * listeners {@code security} names.
   */
  public static NicflowController start(Config config, OpenFlowSettings settings, Optional<InetSocketAddress> api,
      PolicyStore store, Optional<String> apiToken, TransportSecurity security) throws InterruptedException {
    Objects.requireNonNull(api, "api");
    Objects.requireNonNull(security, "security");
    Objects.requireNonNull(config, "config");
    PolicyWriter writer = new PolicyWriter(store);
    PolicyWriter.Revision latest = writer.latest().orElse(null);
    if (latest == null) {
      writer.write(config, OptionalLong.of(0));
      latest = writer.latest().orElseThrow();
      log.info("policy store seeded from the config file: revision {}", latest.revision());
    } else if (!latest.config().samePolicy(config)) {
      log.warn("the config file differs from the stored policy; revision {} of the store is in force "
          + "(nicflow apply -c FILE makes the file the next revision)", latest.revision());
    } else {
      log.info("policy store at revision {}", latest.revision());
    }
    PolicySnapshot snapshot = PolicySnapshot.of(latest.revision(), latest.config());
    HostPartition partition = new HostPartition(snapshot,
        new FlowReconciler(new FlowDiffer(), Duration.ofSeconds(10)), new FrameParser(), new ConnectionTable(),
        new RuleStatistics());
    Map<DatapathId, String> hosts = new LinkedHashMap<>();
    for (Host h : latest.config().hosts()) {
      hosts.put(DatapathId.of(h.dpid()), h.name());
    }
    NicflowController controller = new NicflowController(store, writer, partition, latest.revision());
    OpenFlowServer server = new OpenFlowServer(hosts, partition, settings, security.openflow());
    server.start();
    controller.server = server;
    try {
      controller.api = api.isEmpty() ? Optional.empty() : Optional.of(ApiServer.start(api.get().getHostString(),
          api.get().getPort(), new ApiSources(controller, writer, partition, server::stats,
              ApiSources.DEFAULT_SWITCH_TIMEOUT, apiToken),
          config.controller().apiLimits(), security.api()));
    } catch (IOException e) {
      server.close();
      throw new UncheckedIOException("cannot serve the API on " + api.get().getHostString() + ":"
          + api.get().getPort() + ": " + e.getMessage(), e);
    }
    controller.watch = store.watch(latest.revision(), controller::revisionCommitted);
    Config c = latest.config();
    log.info("nicflow listening for OpenFlow on {}:{} ({} mode, {} hosts, {} VMs, revision {})", settings.host(),
        server.boundPort(), c.controller().mode().name().toLowerCase(java.util.Locale.ROOT),
        c.hosts().size(), c.vms().size(), latest.revision());
    return controller;
  }

  /** A new revision in the store: build its snapshot and bring every switch to it. */
  private void revisionCommitted(StoredRevision revision) {
    PolicySnapshot next;
    try {
      next = PolicySnapshot.of(revision.revision(),
          PolicyDocuments.read(revision.document(), "revision " + revision.revision()));
    } catch (RuntimeException e) {
      applyFailures.incrementAndGet();
      log.error("revision {} cannot be applied, revision {} stays in force: {}", revision.revision(),
          partition.policy().revision(), e.getMessage());
      return;
    }
    Map<DatapathId, String> hosts = new LinkedHashMap<>();
    next.config().hosts().forEach(h -> hosts.put(DatapathId.of(h.dpid()), h.name()));
    server.reconfigure(hosts);
    long started = System.nanoTime();
    partition.apply(next).whenComplete((v, failure) -> {
      if (failure != null) {
        applyFailures.incrementAndGet();
        log.error("revision {}: a switch did not confirm the update: {}", revision.revision(), failure.toString());
      } else {
        log.info("revision {} enforced on every connected switch in {} ms", revision.revision(),
            (System.nanoTime() - started) / 1_000_000);
      }
      markEnforced(revision.revision());
    });
  }

  private void markEnforced(long revision) {
    enforcedRevision.accumulateAndGet(revision, Math::max);
    var done = waiting.headMap(revision, true);
    done.values().forEach(f -> f.complete(null));
    done.clear();
  }

  @Override
  public PolicySnapshot current() {
    return partition.policy();
  }

  @Override
  public CompletableFuture<Void> enforced(long revision) {
    if (revision <= enforcedRevision.get()) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> f = waiting.computeIfAbsent(revision, r -> new CompletableFuture<>());
    if (revision <= enforcedRevision.get()) {
      f.complete(null); // enforced while we registered
      waiting.remove(revision);
    }
    return f;
  }

  @Override
  public UpdatePlan plan(Config next) {
    PolicySnapshot now = partition.policy();
    Config numbered = next.withIds(PolicyIds.next(now.config().ids(), now.config().rulesets(), next));
    try {
      return new UpdatePlan(now.revision(), partition.plan(PolicySnapshot.of(now.revision() + 1, numbered))
          .get(10, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while planning", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the switches did not answer the plan in 10 s: " + e, e);
    }
  }

  /**
   * Audits every switch every {@code interval} ({@link HostPartition#audit}): drift — flows of ours
   * deleted or changed by hand, strays — is repaired with the same diff as a reconnect.
   */
  public synchronized void auditEvery(Duration interval) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("audit interval must be positive: " + interval);
    }
    if (audits != null) {
      audits.shutdownNow();
    }
    audits = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "nicflow-audit");
      t.setDaemon(true);
      return t;
    });
    audits.scheduleWithFixedDelay(() -> partition.audit().whenComplete((repairs, failure) -> {
      if (failure != null) {
        log.warn("audit failed: {}", failure.toString());
      } else if (repairs > 0) {
        log.warn("audit repaired drift with {} flow-mods", repairs);
      }
    }), interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** How every write (REST, apply, SIGHUP) becomes a revision. */
  public PolicyWriter writer() {
    return writer;
  }

  /** Revisions that could not be applied or whose update a switch did not confirm. */
  public long applyFailures() {
    return applyFailures.get();
  }

  public Config config() {
    return partition.policy().config();
  }

  public HostPartition partition() {
    return partition;
  }

  public OpenFlowServer server() {
    return server;
  }

  public int openflowPort() {
    return server.boundPort();
  }

  /** The port the REST API listens on, if it was started. */
  public OptionalInt apiPort() {
    return api.map(a -> OptionalInt.of(a.port())).orElse(OptionalInt.empty());
  }

  @Override
  public void close() throws InterruptedException {
    if (watch != null) {
      watch.close();
    }
    if (audits != null) {
      audits.shutdownNow();
    }
    idleClock.shutdownNow();
    api.ifPresent(ApiServer::close);
    server.close();
    store.close();
    waiting.values().forEach(f -> f.completeExceptionally(new IllegalStateException("the controller stopped")));
    log.info("nicflow stopped");
  }
}
