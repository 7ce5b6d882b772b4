package org.nicflow.bench;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.nicflow.compiler.config.ConfigException;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.config.LargeConfigGenerator;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Host;
import org.nicflow.compiler.proactive.HostPipelineCompiler;

/**
 * Prints, for a config file (default {@code examples/large.yaml}), each host's VM count and
 * proactive flow count by table, and the shape of the generated configs the evaluator benchmark
 * uses. Run: {@code java -cp benchmarks/target/benchmarks.jar org.nicflow.bench.FlowCountReport [FILE]}.
 */
public final class FlowCountReport {

  private FlowCountReport() {}

  public static void main(String[] args) throws ConfigException {
    Path file = Path.of(args.length > 0 ? args[0] : "examples/large.yaml");
    Config config = new ConfigLoader().load(file);
    System.out.println(file + ": " + ConfigShape.of(config));
    System.out.println("equals LargeConfigGenerator.generate(10000, 1): "
        + config.equals(LargeConfigGenerator.generate(10_000, 1)));
    HostPipelineCompiler compiler = new HostPipelineCompiler(config);
    int total = 0;
    System.out.println("| host | VMs | proactive flows | by table |");
    System.out.println("|---|---:|---:|---|");
    for (Host host : config.hosts()) {
      List<FlowEntry> flows = compiler.proactiveFlows(host.name());
      Map<String, Integer> byTable = new TreeMap<>(Comparator.comparingInt(Pipeline::number));
      flows.forEach(f -> byTable.merge(f.table(), 1, Integer::sum));
      total += flows.size();
      System.out.println("| " + host.name() + " | " + config.vmsOnHost(host.name()).size() + " | " + flows.size()
          + " | " + byTable + " |");
    }
    System.out.println("| all | " + config.vms().size() + " | " + total + " | |");
    System.out.println();
    System.out.println("Generated configs (seed 1) used by EvaluatorBenchmark:");
    for (int rules : new int[] {100, 1_000, 10_000, 100_000}) {
      System.out.println("  " + ConfigShape.of(LargeConfigGenerator.generate(rules, 1)));
    }
  }
}
