package org.nicflow.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.nicflow.compiler.config.LargeConfigGenerator;
import org.nicflow.compiler.eval.ConnectionLookup;
import org.nicflow.compiler.eval.Decision;
import org.nicflow.compiler.eval.Ingress;
import org.nicflow.compiler.eval.LayerClassifier;
import org.nicflow.compiler.eval.ReferenceEvaluator;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Direction;
import org.nicflow.compiler.model.Layer;
import org.nicflow.compiler.model.RuleSet;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.packet.PacketHeaders;
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
 * Rule lookup cost by config size. Configs come from {@link LargeConfigGenerator} ({@code rules}
 * rules in total, seed 1); packets leave random VMs ({@link TrafficGenerator#leavingVms}, 4096 of
 * them, drawn before measuring and visited in turn, one per operation).
 *
 * <ul>
 *   <li>{@link #evaluate}: the whole {@link ReferenceEvaluator} decision for the packet (sender's
 *       {@code out} layers, forwarding, receiver's {@code in} layers, rewrites), no live
 *       connections.
 *   <li>{@link #indexedLayers}: the rule lookup alone, with the evaluator's {@link LayerClassifier}
 *       on every layer of the sender's rule set ({@code out} direction).
 *   <li>{@link #linearLayers}: the same lookups by {@link LinearRuleScan}, the naive baseline.
 * </ul>
 *
 * The last two do the same work on the same packets and give the same answers (checked in setup),
 * so their ratio is the index's gain at each size.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class EvaluatorBenchmark {

  static final int PACKETS = 4096;
  static final long CONFIG_SEED = 1;
  static final long PACKET_SEED = 42;

  @Param({"100", "1000", "10000", "100000"})
  int rules;

  private ReferenceEvaluator evaluator;
  private Ingress[] ingresses;
  private PacketHeaders[] packets;
  private Layer[][] layers;
  private LayerClassifier[][] classifiers;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    Config config = LargeConfigGenerator.generate(rules, CONFIG_SEED);
    evaluator = new ReferenceEvaluator(config);
    Map<String, LayerClassifier[]> byRuleSet = new HashMap<>();
    for (RuleSet rs : config.rulesets()) {
      byRuleSet.put(rs.name(), rs.layers().stream().map(l -> LayerClassifier.of(l, Direction.OUT))
          .toArray(LayerClassifier[]::new));
    }
    List<Probe> probes = TrafficGenerator.leavingVms(config, PACKETS, PACKET_SEED);
    ingresses = new Ingress[PACKETS];
    packets = new PacketHeaders[PACKETS];
    layers = new Layer[PACKETS][];
    classifiers = new LayerClassifier[PACKETS][];
    int allowed = 0;
    int lookups = 0;
    for (int i = 0; i < PACKETS; i++) {
      Probe probe = probes.get(i);
      Vm sender = config.vm(((Ingress.VmPort) probe.ingress()).vm()).orElseThrow();
      RuleSet rs = config.rulesetOf(sender);
      ingresses[i] = probe.ingress();
      packets[i] = probe.packet();
      layers[i] = rs.layers().toArray(Layer[]::new);
      classifiers[i] = byRuleSet.get(rs.name());
      for (int l = 0; l < layers[i].length; l++) {
        int linear = LinearRuleScan.winner(layers[i][l], Direction.OUT, packets[i]);
        int indexed = classifiers[i][l].classify(packets[i]).orElse(-1);
        if (linear != indexed) {
          throw new IllegalStateException("packet " + i + " layer " + l + ": linear scan picks rule " + linear
              + ", classifier " + indexed);
        }
        lookups++;
      }
      if (evaluator.evaluate(ingresses[i], packets[i], ConnectionLookup.NONE).allowed()) {
        allowed++;
      }
    }
    System.out.println(ConfigShape.of(config) + "; " + PACKETS + " packets, " + allowed + " allowed, "
        + String.format("%.2f", (double) lookups / PACKETS) + " layers per packet");
  }

  private int advance() {
    next = (next + 1) & (PACKETS - 1);
    return next;
  }

  @Benchmark
  public Decision evaluate() {
    int i = advance();
    return evaluator.evaluate(ingresses[i], packets[i], ConnectionLookup.NONE);
  }

  @Benchmark
  public int indexedLayers() {
    int i = advance();
    PacketHeaders packet = packets[i];
    int sum = 0;
    for (LayerClassifier classifier : classifiers[i]) {
      OptionalInt hit = classifier.classify(packet);
      sum += hit.isPresent() ? hit.getAsInt() : -1;
    }
    return sum;
  }

  @Benchmark
  public int linearLayers() {
    int i = advance();
    PacketHeaders packet = packets[i];
    int sum = 0;
    for (Layer layer : layers[i]) {
      sum += LinearRuleScan.winner(layer, Direction.OUT, packet);
    }
    return sum;
  }
}
