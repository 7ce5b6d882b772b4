package org.nicflow.compiler.testing;

import java.util.ArrayList;
import java.util.List;
import org.nicflow.compiler.eval.Decision;
import org.nicflow.compiler.eval.Ingress;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.packet.PacketHeaders;
import org.nicflow.compiler.unified.UnifiedFlowBuilder;

/**
 * For tests that run unified flows on a simulated switch: what the packet of a
 * {@link Decision#controllerPath()} decision gets. The flow of its match sends it to the controller,
 * which sends it on with {@link UnifiedFlowBuilder#sendOnActions}; these are the flows with that
 * flow's actions replaced by those, so a simulation can follow the packet on.
 */
public final class UnifiedFlowsAsSentOn {

  private UnifiedFlowsAsSentOn() {}

  public static List<FlowEntry> of(UnifiedFlowBuilder builder, Ingress ingress, PacketHeaders packet,
      Decision decision, List<FlowEntry> flows) {
    if (!decision.controllerPath()) {
      return flows;
    }
    int at = -1;
    for (int i = 0; i < flows.size() && at < 0; i++) {
      if (flows.get(i).match().equals(builder.match(ingress, packet))) {
        at = i;
      }
    }
    if (at < 0) {
      throw new AssertionError("no flow matches " + packet + " at " + ingress + " in " + flows);
    }
    FlowEntry forward = flows.get(at);
    FlowEntry sentOn = FlowEntry.builder(forward.table(), forward.priority()).match(forward.match())
        .actions(builder.sendOnActions(ingress, packet, decision)).cookie(forward.cookie())
        .idleTimeout(forward.idleTimeout()).sendFlowRemoved(forward.sendFlowRemoved()).build();
    List<FlowEntry> all = new ArrayList<>(flows);
    all.set(at, sentOn);
    return List.copyOf(all);
  }
}
