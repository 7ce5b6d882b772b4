package org.nicflow.controller.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.MeterSpec;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Host;
import org.nicflow.compiler.model.PolicyIds;
import org.nicflow.compiler.proactive.HostPipelineCompiler;
import org.nicflow.compiler.proactive.OvsFlowRenderer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nicflow compile -c FILE --host NAME}: a host's flows in {@code ovs-ofctl add-flows} syntax
 * (docs/cli.md, "compile"). The output is a pure function of the config: the same file gives the same
 * bytes. Flows name no meter unless {@code --meters-file} is given, so
 * {@code ovs-ofctl -O OpenFlow13 add-flows BR -} accepts them on a bridge without meters.
 */
@Command(name = "compile",
    description = "Print host NAME's flows in ovs-ofctl add-flows syntax (default: the proactive pipeline).")
final class CompileCommand implements Callable<Integer> {

  /** Which set of flows to print. */
  enum Mode {
    proactive,
    reactive
  }

  @Mixin
  private ConfigOption config;

  @Option(names = "--host", required = true, paramLabel = "NAME", description = "The host, as named in the config.")
  private String hostName;

  @Option(names = "--mode", paramLabel = "MODE", defaultValue = "proactive",
      description = "proactive: every rule set compiled into tables; reactive: only the base flows "
          + "(classify, and a unified-table miss to the controller). Default: ${DEFAULT-VALUE}.")
  private Mode mode;

  @Option(names = "--meters-file", paramLabel = "FILE",
      description = "Write the host's meters (ovs-ofctl add-meter lines) to FILE and make the flows "
          + "reference them; without it the flows name no meter.")
  private Path metersFile;

  @Option(names = "--generation", paramLabel = "N", defaultValue = "1",
      description = "Rule-set generation written into the cookies of every VM's flows (1-4095, default: "
          + "${DEFAULT-VALUE}, what a controller started from this file writes).")
  private int generation;

  @Spec
  private CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Config c = config.load();
    Host host = c.host(hostName).orElseThrow(() -> new BadInputException("no host named '" + hostName + "' in "
        + config.file() + " (hosts: " + String.join(", ", c.hosts().stream().map(Host::name).toList()) + ")"));
    if (generation < 1 || generation > PolicyIds.MAX_GENERATION) {
      throw new BadInputException("--generation must be 1-" + PolicyIds.MAX_GENERATION + ", got " + generation);
    }
    HostPipelineCompiler compiler = new HostPipelineCompiler(c.withIds(c.ids().withGeneration(generation)));
    List<FlowEntry> flows = mode == Mode.proactive ? compiler.proactiveFlows(host.name())
        : compiler.baseFlows(host.name());
    OvsFlowRenderer renderer = new OvsFlowRenderer(metersFile != null);
    if (metersFile != null) {
      StringBuilder meters = new StringBuilder();
      for (MeterSpec m : compiler.meters(host.name())) {
        meters.append(renderer.renderMeter(m)).append('\n');
      }
      Files.writeString(metersFile, meters.toString(), StandardCharsets.UTF_8);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(header(host, flows.size()));
    out.print(renderer.renderAll(flows));
    out.flush();
    return NicflowCli.EXIT_OK;
  }

  private String header(Host host, int count) {
    return String.format(Locale.ROOT, "# nicflow %s flows for host %s (dpid %s): %d flows, generation %d%n"
        + "# load with: ovs-ofctl -O OpenFlow13 add-flows %s FILE%n",
        mode.name(), host.name(), host.dpidHex(), count, generation, host.name());
  }
}
