package org.nicflow.bench;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * CPU time of the benchmark's JVM per operation, beside JMH's wall-clock score. On a machine
 * shared with other work, wall-clock time per operation includes the time the benchmark thread
 * waited for a core; CPU time does not (GC and compiler threads are included, which is real cost
 * of the code under test once warm). Also reports {@code cpu.share}: CPU seconds per wall-clock
 * second, about 1 when the benchmark thread had a core to itself. Use with
 * {@code -prof org.nicflow.bench.CpuTimeProfiler}.
 */
public final class CpuTimeProfiler implements InternalProfiler {

  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private long cpuStart;
  private long wallStart;

  @Override
  public String getDescription() {
    return "JVM process CPU time per operation, and CPU share of wall-clock time";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
    wallStart = System.nanoTime();
    cpuStart = os.getProcessCpuTime();
  }

  @Override
  public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams,
      IterationParams iterationParams, IterationResult result) {
    long cpu = os.getProcessCpuTime() - cpuStart;
    long wall = System.nanoTime() - wallStart;
    long ops = result.getMetadata().getAllOps();
    double share = wall > 0 ? (double) cpu / wall : Double.NaN;
    double perOp = ops > 0 ? (double) cpu / ops : Double.NaN;
    return List.of(
        new ScalarResult("cpu.ns/op", perOp, "ns/op", AggregationPolicy.AVG),
        new ScalarResult("cpu.share", share, "cores", AggregationPolicy.AVG));
  }
}
