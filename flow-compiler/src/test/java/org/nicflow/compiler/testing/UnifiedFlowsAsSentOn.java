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

  /**
   * The packet of a {@link Decision#controllerPath()} decision as the controller sends it on: with
   * the decision's echo identifier (a SNAT rewrites it, and no flow action can), before the actions
   * of {@link #of} apply. Any other packet as it is.
   */
  public static PacketHeaders packet(PacketHeaders packet, Decision decision) {
    return decision.controllerPath() ? packet.withIcmpId(decision.packet().icmpId()) : packet;
  }

  /**
   * {@code decision} for {@code input} as a {@link org.nicflow.compiler.proactive.TableSimulator}
   * run can show it. The simulator, like OpenFlow, has no field for the echo identifier: it reports
   * every packet with identifier 0. A switch passes the identifier through unchanged, and the
   * controller writes a controller-path packet's new identifier into its frame before the actions
   * apply; so the decision's packet is compared with identifier 0 when the decision is a controller
   * path or keeps {@code input}'s identifier. A decision that changes the identifier without the
   * controller's path keeps it, and the comparison fails as it should.
   */
  public static Decision asSimulated(Decision decision, PacketHeaders input) {
    if (!decision.controllerPath() && decision.packet().icmpId() != input.icmpId()) {
      return decision;
    }
    return new Decision(decision.verdict(), decision.layers(), decision.packet().withIcmpId(0), decision.output(),
        decision.dropReason(), decision.meterId(), decision.newConnections(), decision.controllerPath(),
        decision.snatExhaustion());
  }

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
