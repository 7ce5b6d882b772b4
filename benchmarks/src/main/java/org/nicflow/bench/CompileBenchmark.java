package org.nicflow.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.nicflow.compiler.config.ConfigException;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.config.LargeConfigGenerator;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Host;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Proactive compile time of a large config: {@link HostPipelineCompiler#proactiveFlows} for every
 * host of {@code examples/large.yaml} (10,000 rules; setup checks that the file equals
 * {@code LargeConfigGenerator.generate(10000, 1)}), and, for scale, loading that file. Run from the
 * repository root, or point {@code -p configFile=...} at the file. {@link FlowCountReport} prints
 * the flow count per host.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class CompileBenchmark {

  static final int RULES = 10_000;
  static final long SEED = 1;
  static final int GENERATION = 1;

  @Param("examples/large.yaml")
  String configFile;

  private Path file;
  private Config config;
  private List<String> hosts;

  @Setup(Level.Trial)
  public void setUp() throws ConfigException {
    file = Path.of(configFile);
    config = new ConfigLoader().load(file);
    if (!config.equals(LargeConfigGenerator.generate(RULES, SEED))) {
      throw new IllegalStateException(file + " is not LargeConfigGenerator.generate(" + RULES + ", " + SEED + ")");
    }
    hosts = config.hosts().stream().map(Host::name).toList();
    System.out.println(file + ": " + ConfigShape.of(config) + ", " + config.vms().size() + " VMs on "
        + hosts.size() + " hosts");
  }

  /** Every host's proactive flows; returns the total flow count. */
  @Benchmark
  public int compileAllHosts(Blackhole blackhole) {
    HostPipelineCompiler compiler = new HostPipelineCompiler(config);
    int total = 0;
    for (String host : hosts) {
      List<FlowEntry> flows = compiler.proactiveFlows(host);
      blackhole.consume(flows);
      total += flows.size();
    }
    return total;
  }

  /** Reading and validating the same file: the other half of applying a new config. */
  @Benchmark
  public Config loadConfig() throws ConfigException {
    return new ConfigLoader().load(file);
  }
}
