package org.nicflow.controller.trace;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.nicflow.compiler.eval.ConnectionLookup;
import org.nicflow.compiler.eval.ConnectionTable;
import org.nicflow.compiler.eval.Decision;
import org.nicflow.compiler.eval.Ingress;
import org.nicflow.compiler.eval.Output;
import org.nicflow.compiler.eval.PacketSpec;
import org.nicflow.compiler.eval.ReferenceEvaluator;
import org.nicflow.compiler.eval.TraceReport;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Direction;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.packet.PacketHeaders;
import org.nicflow.compiler.proactive.OvsFlowRenderer;
import org.nicflow.compiler.unified.UnifiedFlowBuilder;
import org.nicflow.controller.policy.PolicySnapshot;

/**
 * How one policy snapshot treats one packet (docs/cli.md, "trace"), the single code path behind
 * {@code nicflow trace} and {@code POST /api/v1/trace}: the snapshot's reference evaluator with no
 * live connections, and the unified flows its flow builder would install on the bridge the packet
 * enters and, when it is tunnelled, on the receiving host's bridge (where it arrives from the
 * tunnel), in that order.
 *
 * @param ingress where the packet enters
 * @param decision the evaluator's decision
 * @param bridges the flows per bridge, the entry bridge first
 */
public record PacketTrace(Ingress ingress, Decision decision, List<BridgeFlows> bridges) {

  /** The flows for one host's bridge, in {@code ovs-ofctl add-flows} syntax. */
  public record BridgeFlows(String host, List<String> flows) {
    public BridgeFlows {
      Objects.requireNonNull(host, "host");
      flows = List.copyOf(flows);
    }
  }

  public PacketTrace {
    Objects.requireNonNull(ingress, "ingress");
    Objects.requireNonNull(decision, "decision");
    bridges = List.copyOf(bridges);
  }

  /**
   * Traces the packet {@code spec} (ovs-ofctl flow syntax; the VM's own address fills the side
   * left out) sent by ({@code OUT}) or addressed to ({@code IN}) VM {@code vmName}.
   *
   * @throws TraceInputException for an unknown VM or a packet that does not parse
   */
  public static PacketTrace of(PolicySnapshot snapshot, String vmName, Direction direction, String spec) {
    Objects.requireNonNull(snapshot, "snapshot");
    Objects.requireNonNull(direction, "direction");
    Config config = snapshot.config();
    Vm vm = config.vm(vmName).orElseThrow(() -> TraceInputException.unknownVm(vmName, config));
    PacketHeaders packet;
    try {
      packet = PacketSpec.parse(spec, config, vm, direction);
    } catch (IllegalArgumentException e) {
      throw TraceInputException.badPacket(spec, e.getMessage());
    }
    ReferenceEvaluator evaluator = snapshot.evaluator();
    UnifiedFlowBuilder builder = snapshot.flows();
    OvsFlowRenderer renderer = new OvsFlowRenderer(false);
    Ingress ingress = PacketSpec.ingress(config, vm, direction, packet);
    Decision decision = evaluator.evaluate(ingress, packet, ConnectionLookup.NONE);
    List<BridgeFlows> bridges = new ArrayList<>();
    bridges.add(new BridgeFlows(ingress.host(), render(renderer, builder.flowsFor(ingress, packet, decision))));
    decision.output().filter(o -> o.kind() == Output.Kind.TUNNEL).ifPresent(o -> {
      Ingress.Tunnel arrival = new Ingress.Tunnel(o.host(), ingress.host(), o.vni());
      Decision there = evaluator.evaluate(arrival, decision.packet(), ConnectionTable.of(decision.newConnections()));
      bridges.add(new BridgeFlows(arrival.host(), render(renderer, builder.flowsFor(arrival, decision.packet(), there))));
    });
    return new PacketTrace(ingress, decision, bridges);
  }

  /** The trace object of docs/cli.md ("--json"): {@link TraceReport#toJson()} with the flows of every bridge in order. */
  public String toJson() {
    List<String> all = bridges.stream().flatMap(b -> b.flows().stream()).toList();
    return TraceReport.of(decision, all).toJson();
  }

  private static List<String> render(OvsFlowRenderer renderer, List<FlowEntry> flows) {
    return flows.stream().map(renderer::render).toList();
  }
}
