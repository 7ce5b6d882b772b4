package org.nicflow.controller.runtime;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.nicflow.compiler.diff.FlowDiffer;
import org.nicflow.compiler.eval.ConnectionTable;
import org.nicflow.compiler.eval.ReferenceEvaluator;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Host;
import org.nicflow.compiler.proactive.HostPipelineCompiler;
import org.nicflow.compiler.unified.UnifiedFlowBuilder;
import org.nicflow.controller.openflow.OpenFlowServer;
import org.nicflow.controller.openflow.OpenFlowSettings;
import org.nicflow.controller.openflow.packet.FrameParser;
import org.nicflow.controller.partition.FlowReconciler;
import org.nicflow.controller.partition.HostPartition;
import org.nicflow.controller.partition.MissHandler;
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

  private NicflowController(Config config, HostPartition partition, OpenFlowServer server) {
    this.config = config;
    this.partition = partition;
    this.server = server;
  }

  /** Builds the partition for {@code config} and listens for switches as {@code settings} say. */
  public static NicflowController start(Config config, OpenFlowSettings settings) throws InterruptedException {
    Objects.requireNonNull(config, "config");
    Map<DatapathId, String> hosts = new LinkedHashMap<>();
    for (Host h : config.hosts()) {
      hosts.put(DatapathId.of(h.dpid()), h.name());
    }
    ReferenceEvaluator evaluator = new ReferenceEvaluator(config);
    HostPartition partition = new HostPartition(
        config,
        GENERATION,
        new HostPipelineCompiler(config, GENERATION),
        new MissHandler(config, evaluator, new UnifiedFlowBuilder(config, GENERATION)),
        new FlowReconciler(new FlowDiffer(), Duration.ofSeconds(10)),
        new FrameParser(),
        new ConnectionTable(),
        new org.nicflow.controller.partition.RuleStatistics());
    OpenFlowServer server = new OpenFlowServer(hosts, partition, settings);
    server.start();
    log.info("nicflow listening for OpenFlow on {}:{} ({} mode, {} hosts, {} VMs)", settings.host(),
        server.boundPort(), config.controller().mode().name().toLowerCase(java.util.Locale.ROOT),
        config.hosts().size(), config.vms().size());
    return new NicflowController(config, partition, server);
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

  @Override
  public void close() throws InterruptedException {
    server.close();
    log.info("nicflow stopped");
  }
}
