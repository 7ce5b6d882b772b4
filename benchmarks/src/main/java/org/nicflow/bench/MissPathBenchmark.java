package org.nicflow.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.nicflow.compiler.config.ConfigException;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.eval.ConnectionLookup;
import org.nicflow.compiler.eval.Decision;
import org.nicflow.compiler.eval.Ingress;
import org.nicflow.compiler.eval.ReferenceEvaluator;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.packet.PacketHeaders;
import org.nicflow.compiler.unified.UnifiedFlowBuilder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The reactive slow path per packet-in, without I/O: the {@link ReferenceEvaluator} decision and
 * the unified flows {@link UnifiedFlowBuilder#flowsFor} derives from it (forward flow, reverse
 * flows of new connections, or a denied flow), for packet-ins of {@code examples/demo.yaml}
 * ({@link TrafficGenerator#packetIns}: VM-to-VM, VM-to-outside with SNAT, uplink to the VIP;
 * 4096 of them, visited in turn). Each packet-in is treated as a new connection (no live
 * connections), as a miss is. Throughput, so the score reads as packet-ins one core can decide per
 * second; decoding, the switch channel and flow-mod encoding are not included.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class MissPathBenchmark {

  static final int PACKETS = 4096;
  static final long PACKET_SEED = 7;
  static final int GENERATION = 1;

  @Param("examples/demo.yaml")
  String configFile;

  private ReferenceEvaluator evaluator;
  private UnifiedFlowBuilder builder;
  private Ingress[] ingresses;
  private PacketHeaders[] packets;
  private int next;

  @Setup(Level.Trial)
  public void setUp() throws ConfigException {
    Config config = new ConfigLoader().load(Path.of(configFile));
    evaluator = new ReferenceEvaluator(config);
    builder = new UnifiedFlowBuilder(config);
    List<Probe> probes = TrafficGenerator.packetIns(config, PACKETS, PACKET_SEED);
    ingresses = new Ingress[PACKETS];
    packets = new PacketHeaders[PACKETS];
    int allowed = 0;
    int flows = 0;
    for (int i = 0; i < PACKETS; i++) {
      ingresses[i] = probes.get(i).ingress();
      packets[i] = probes.get(i).packet();
      Decision d = evaluator.evaluate(ingresses[i], packets[i], ConnectionLookup.NONE);
      allowed += d.allowed() ? 1 : 0;
      flows += builder.flowsFor(ingresses[i], packets[i], d).size();
    }
    System.out.println(configFile + ": " + PACKETS + " packet-ins, " + allowed + " allowed, "
        + String.format("%.2f", (double) flows / PACKETS) + " flows per packet-in");
  }

  private int advance() {
    next = (next + 1) & (PACKETS - 1);
    return next;
  }

  /** Decision only. */
  @Benchmark
  public Decision evaluate() {
    int i = advance();
    return evaluator.evaluate(ingresses[i], packets[i], ConnectionLookup.NONE);
  }

  /** Decision and the flows to install: the controller's work per packet-in. */
  @Benchmark
  public List<FlowEntry> evaluateAndBuildFlows() {
    int i = advance();
    Decision decision = evaluator.evaluate(ingresses[i], packets[i], ConnectionLookup.NONE);
    return builder.flowsFor(ingresses[i], packets[i], decision);
  }
}
