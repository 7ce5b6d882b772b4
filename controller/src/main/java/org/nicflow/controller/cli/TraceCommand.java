package org.nicflow.controller.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.nicflow.compiler.eval.Decision;
import org.nicflow.compiler.eval.Ingress;
import org.nicflow.compiler.eval.LayerDecision;
import org.nicflow.compiler.eval.Output;
import org.nicflow.compiler.model.Direction;
import org.nicflow.compiler.packet.PacketHeaders;
import org.nicflow.controller.policy.PolicySnapshot;
import org.nicflow.controller.trace.PacketTrace;
import org.nicflow.controller.trace.TraceInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code nicflow trace -c FILE --vm NAME --direction in|out 'PACKET' [--json]}: the reference
 * evaluator's decision for one packet (docs/cli.md, "trace"), with no live connections, and the unified
 * flows the reactive controller would install for it: on the bridge the packet enters and, when it
 * is tunnelled, on the receiving host's bridge (where it arrives from the tunnel). Text mode names
 * the VM and direction of every layer step and gives the drop reason; {@code --json} prints
 * {@link PacketTrace#toJson()}, the same object {@code POST /api/v1/trace} answers.
 */
@Command(name = "trace",
    description = "Show how VM NAME's rule set treats one packet: each layer's decision, the verdict, "
        + "the output and the unified flows that would be installed.")
final class TraceCommand implements Callable<Integer> {

  /** The direction of the packet relative to the VM. */
  enum TraceDirection {
    in(Direction.IN),
    out(Direction.OUT);

    private final Direction direction;

    TraceDirection(Direction direction) {
      this.direction = direction;
    }
  }

  @Mixin
  private ConfigOption config;

  @Option(names = "--vm", required = true, paramLabel = "NAME", description = "The VM, as named in the config.")
  private String vmName;

  @Option(names = "--direction", required = true, paramLabel = "in|out",
      description = "out: sent by the VM; in: addressed to it.")
  private TraceDirection direction;

  @Option(names = "--json", description = "Print one JSON object (verdict, layers, packet, output, flows).")
  private boolean json;

  @Parameters(index = "0", paramLabel = "PACKET",
      description = "The packet in ovs-ofctl flow syntax, e.g. 'tcp,nw_dst=10.1.0.12,tp_dst=8080'. "
          + "The VM's own address fills the side left out (nw_src for out, nw_dst for in).")
  private String packetSpec;

  @Spec
  private CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PolicySnapshot snapshot = PolicySnapshot.of(0, config.load());
    PacketTrace trace;
    try {
      trace = PacketTrace.of(snapshot, vmName, direction.direction, packetSpec);
    } catch (TraceInputException e) {
      throw new BadInputException(e.messageFor(config.file().toString()));
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(json ? trace.toJson() + "\n" : text(trace.ingress(), trace.decision(), trace.bridges()));
    out.flush();
    return NicflowCli.EXIT_OK;
  }

  private static String text(Ingress ingress, Decision decision, List<PacketTrace.BridgeFlows> bridges) {
    StringBuilder sb = new StringBuilder();
    sb.append("enters: ").append(describe(ingress)).append('\n');
    sb.append("verdict: ").append(decision.verdict().key());
    decision.dropReason().ifPresent(r -> sb.append(" (").append(r).append(')'));
    sb.append('\n');
    if (!decision.layers().isEmpty()) {
      sb.append("layers:\n");
    }
    for (LayerDecision l : decision.layers()) {
      sb.append(String.format(Locale.ROOT, "  %s %s %s: %s -> %s%n", l.vm(), l.direction().key(), l.layer(),
          l.rule(), l.action()));
    }
    sb.append("packet: ").append(packetText(decision.packet())).append('\n');
    decision.output().ifPresent(o -> {
      sb.append("output: ").append(o.kind().key()).append(" port ").append(o.port()).append(" host ").append(o.host());
      if (o.kind() == Output.Kind.TUNNEL) {
        sb.append(" vni ").append(o.vni());
      }
      sb.append('\n');
    });
    for (PacketTrace.BridgeFlows b : bridges) {
      sb.append(String.format(Locale.ROOT, "flows on %s:%n", b.host()));
      if (b.flows().isEmpty()) {
        sb.append("  (none)\n");
      }
      b.flows().forEach(f -> sb.append("  ").append(f).append('\n'));
    }
    return sb.toString();
  }

  private static String packetText(PacketHeaders p) {
    StringBuilder sb = new StringBuilder(p.protoKeyword());
    sb.append(",dl_src=").append(p.ethSrc()).append(",dl_dst=").append(p.ethDst());
    sb.append(",nw_src=").append(p.nwSrc()).append(",nw_dst=").append(p.nwDst());
    if (p.hasPorts()) {
      sb.append(",tp_src=").append(p.tpSrc()).append(",tp_dst=").append(p.tpDst());
    } else if (p.isIcmp()) {
      sb.append(",icmp_type=").append(p.tpSrc()).append(",icmp_code=").append(p.tpDst());
    }
    if (p.dscp() != 0) {
      sb.append(",ip_dscp=").append(p.dscp());
    }
    return sb.toString();
  }

  private static String describe(Ingress ingress) {
    if (ingress instanceof Ingress.VmPort p) {
      return "host " + p.host() + ", port of VM " + p.vm();
    } else if (ingress instanceof Ingress.Tunnel t) {
      return "host " + t.host() + ", tunnel from " + t.fromHost() + " (vni " + t.vni() + ")";
    }
    return "host " + ingress.host() + ", uplink";
  }
}
