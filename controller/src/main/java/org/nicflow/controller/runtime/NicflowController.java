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
import java.util.concurrent.CompletableFuture;
import org.nicflow.compiler.diff.FlowDiffer;
import org.nicflow.compiler.eval.ConnectionTable;
import org.nicflow.compiler.eval.ReferenceEvaluator;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Host;
import org.nicflow.compiler.proactive.HostPipelineCompiler;
import org.nicflow.compiler.unified.UnifiedFlowBuilder;
import org.nicflow.controller.api.ApiServer;
import org.nicflow.controller.api.ApiSources;
import org.nicflow.controller.openflow.OpenFlowServer;
import org.nicflow.controller.openflow.OpenFlowSettings;
import org.nicflow.controller.openflow.packet.FrameParser;
import org.nicflow.controller.partition.FlowReconciler;
import org.nicflow.controller.partition.HostPartition;
import org.nicflow.controller.partition.MissHandler;
import org.nicflow.controller.policy.LivePolicy; // API wiring: lead merges
import org.nicflow.controller.policy.MemoryPolicyStore;
import org.nicflow.controller.policy.PolicySnapshot;
import org.nicflow.controller.policy.PolicyWriter;
import org.nicflow.controller.policy.UpdatePlan;
import org.projectfloodlight.openflow.types.DatapathId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running nicflow controller: the OpenFlow server and the host partition behind it, wired from
 * one validated config. {@code nicflow run} and the integration tests start it the same way.
 */
public final class NicflowController implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(NicflowController.class);

  /** The rule-set generation cookies carry; a config loaded at start is generation 1. */
  public static final int GENERATION = 1;

  private final Config config;
  private final HostPartition partition;
  private final OpenFlowServer server;
  private final Optional<ApiServer> api;

  private NicflowController(Config config, HostPartition partition, OpenFlowServer server, Optional<ApiServer> api) {
    this.config = config;
    this.partition = partition;
    this.server = server;
    this.api = api;
  }

  /**
   * Builds the partition for {@code config} and listens for switches as {@code settings} say, with
   * no REST API (tests and the demo start the controller this way).
   */
  public static NicflowController start(Config config, OpenFlowSettings settings) throws InterruptedException {
    return start(config, settings, Optional.empty());
  }

  /**
   * As {@link #start(Config, OpenFlowSettings)}, and serves the REST API and {@code /metrics} on
   * {@code api} (host and port; port 0: any free port) once the OpenFlow server listens.
   */
  public static NicflowController start(Config config, OpenFlowSettings settings, Optional<InetSocketAddress> api)
      throws InterruptedException {
    Objects.requireNonNull(api, "api");
    Objects.requireNonNull(config, "config");
    Map<DatapathId, String> hosts = new LinkedHashMap<>();
    for (Host h : config.hosts()) {
      hosts.put(DatapathId.of(h.dpid()), h.name());
    }
    ReferenceEvaluator evaluator = new ReferenceEvaluator(config);
    HostPartition partition = new HostPartition(
        config,
        GENERATION,
        new HostPipelineCompiler(config),
        new MissHandler(config, evaluator, new UnifiedFlowBuilder(config)),
        new FlowReconciler(new FlowDiffer(), Duration.ofSeconds(10)),
        new FrameParser(),
        new ConnectionTable(),
        new org.nicflow.controller.partition.RuleStatistics());
    OpenFlowServer server = new OpenFlowServer(hosts, partition, settings);
    server.start();
    Optional<ApiServer> apiServer;
    try {
      apiServer = api.isEmpty() ? Optional.empty() : Optional.of(ApiServer.start(api.get().getHostString(),
          api.get().getPort(), new ApiSources(startPolicy(config), startWriter(config),
              partition, server::stats))); // API wiring: lead merges
    } catch (IOException e) {
      server.close();
      throw new UncheckedIOException("cannot serve the API on " + api.get().getHostString() + ":"
          + api.get().getPort() + ": " + e.getMessage(), e);
    }
    log.info("nicflow listening for OpenFlow on {}:{} ({} mode, {} hosts, {} VMs)", settings.host(),
        server.boundPort(), config.controller().mode().name().toLowerCase(java.util.Locale.ROOT),
        config.hosts().size(), config.vms().size());
    return new NicflowController(config, partition, server, apiServer);
  }

  // API wiring: lead merges. Stand-ins until the real store and LivePolicy are wired: the start
  // config as revision 1 of an in-memory store, never replaced (writes are committed, not enforced).
  private static PolicyWriter startWriter(Config config) {
    PolicyWriter writer = new PolicyWriter(new MemoryPolicyStore());
    writer.write(config, java.util.OptionalLong.of(0));
    return writer;
  }

  // API wiring: lead merges.
  private static LivePolicy startPolicy(Config config) {
    PolicySnapshot snapshot = PolicySnapshot.of(GENERATION, config);
    return new LivePolicy() {
      @Override
      public PolicySnapshot current() {
        return snapshot;
      }

      @Override
      public CompletableFuture<Void> enforced(long revision) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("revisions are not enforced yet"));
      }

      @Override
      public UpdatePlan plan(Config next) {
        throw new UnsupportedOperationException("update plans are not wired yet");
      }
    };
  }

  public Config config() {
    return config;
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
    api.ifPresent(ApiServer::close);
    server.close();
    log.info("nicflow stopped");
  }
}
