package org.nicflow.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.nicflow.compiler.config.LargeConfigGenerator;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Host;
import org.nicflow.compiler.proactive.HostPipelineCompiler;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Proactive compilation of a whole config (every host's pipeline) of the size of
 * {@code examples/large.yaml}; the flow count is what {@code nicflow compile} prints.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class CompileBenchmark {

  @Param({"10000"})
  public int rules;

  private Config config;

  @Setup
  public void setUp() {
    config = LargeConfigGenerator.generate(rules, 42L);
  }

  @Benchmark
  public int compileAllHosts() {
    HostPipelineCompiler compiler = new HostPipelineCompiler(config, 1);
    int total = 0;
    for (Host host : config.hosts()) {
      List<FlowEntry> flows = compiler.proactiveFlows(host.name());
      total += flows.size();
    }
    return total;
  }
}
