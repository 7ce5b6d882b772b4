package org.nicflow.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.nicflow.compiler.config.LargeConfigGenerator;
import org.nicflow.compiler.diff.FlowDiff;
import org.nicflow.compiler.diff.FlowDiffer;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Layer;
import org.nicflow.compiler.proactive.HostPipelineCompiler;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link FlowDiffer#diff} of host {@code h0}'s proactive flows of
 * {@code LargeConfigGenerator.generate(10000, 1)} (98,230 flows) against what the switch holds:
 *
 * <ul>
 *   <li>{@link #unchanged}: the same flows, compiled a second time (equal, not the same objects): a
 *       reconnect or audit that finds nothing to do, every flow compared.
 *   <li>{@link #oneRuleRemoved}: the flows of the config before its rule set {@code rs0} lost its
 *       first rule: the rules ranked below it move up one priority, so their flows are deleted
 *       and added again.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FlowDiffBenchmark {

  static final int RULES = 10_000;
  static final long SEED = 1;
  static final String HOST = "h0";

  private final FlowDiffer differ = new FlowDiffer();
  private List<FlowEntry> installed;
  private List<FlowEntry> recompiled;
  private List<FlowEntry> withoutRule;

  @Setup(Level.Trial)
  public void setUp() {
    Config config = LargeConfigGenerator.generate(RULES, SEED);
    installed = new HostPipelineCompiler(config).proactiveFlows(HOST);
    recompiled = new HostPipelineCompiler(config).proactiveFlows(HOST);
    Layer first = config.ruleset("rs0").orElseThrow().layers().get(0);
    String removed = first.rules().get(0).id();
    withoutRule = new HostPipelineCompiler(config.withoutRule("rs0", removed)).proactiveFlows(HOST);
    if (!unchanged().isEmpty()) {
      throw new IllegalStateException("two compiles of one config differ");
    }
    FlowDiff change = oneRuleRemoved();
    System.out.println(HOST + ": " + installed.size() + " flows installed; without rule " + removed + ": "
        + withoutRule.size() + " desired, " + change.add().size() + " adds, " + change.modify().size()
        + " modifies, " + change.delete().size() + " deletes");
  }

  @Benchmark
  public FlowDiff unchanged() {
    return differ.diff(recompiled, installed);
  }

  @Benchmark
  public FlowDiff oneRuleRemoved() {
    return differ.diff(withoutRule, installed);
  }
}
