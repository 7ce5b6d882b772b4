package org.nicflow.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.nicflow.compiler.config.LargeConfigGenerator;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.proactive.HostPipelineCompiler;
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
 * Proactive compile of an OVN-shaped port group ({@link LargeConfigGenerator#ovnAcls}: {@code acls}
 * ACLs, seed 1): {@link HostPipelineCompiler#proactiveFlows} of host {@code h0}, which runs the
 * {@code out} layer of one VM and the {@code in} layer of two (about 40,000 flows for 5,000
 * ACLs). This is what {@code nicflow compile} does after loading the file and before rendering.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class OvnAclCompileBenchmark {

  static final long SEED = 1;
  static final String HOST = "h0";

  @Param("5000")
  int acls;

  private Config config;

  @Setup(Level.Trial)
  public void setUp() {
    config = LargeConfigGenerator.ovnAcls(acls, SEED);
    System.out.println(acls + " ACLs: " + ConfigShape.of(config) + ", "
        + new HostPipelineCompiler(config).proactiveFlows(HOST).size() + " flows on " + HOST);
  }

  /** Host h0's proactive flows, compiled from scratch (a new compiler each time, as for a new config). */
  @Benchmark
  public List<FlowEntry> compileHost() {
    return new HostPipelineCompiler(config).proactiveFlows(HOST);
  }
}
