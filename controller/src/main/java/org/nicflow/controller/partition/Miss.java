package org.nicflow.controller.partition;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.nicflow.compiler.eval.Connection;
import org.nicflow.compiler.eval.Decision;
import org.nicflow.compiler.eval.Ingress;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.MatchField;
import org.nicflow.compiler.packet.PacketHeaders;

/** What the host partition makes of one table miss. */
public sealed interface Miss {

  /**
   * The packet was evaluated: install {@code flows}, then forward the packet as decided.
   *
   * @param inPort the bridge port the packet arrived on
   * @param packet the packet as it arrived
   * @param adopted connections the switch learned that the packet is a reply of (named by its
   *     metadata, see {@link org.nicflow.compiler.proactive.LearnedReply}): the decision was taken
   *     with them, and they live in the controller's table while the flows of this miss do
   */
  record Offload(Ingress ingress, String inPort, PacketHeaders packet, Decision decision, List<FlowEntry> flows,
      List<Connection> adopted) implements Miss {
    public Offload {
      Objects.requireNonNull(ingress, "ingress");
      Objects.requireNonNull(inPort, "inPort");
      Objects.requireNonNull(packet, "packet");
      Objects.requireNonNull(decision, "decision");
      flows = List.copyOf(flows);
      adopted = List.copyOf(adopted);
    }

    /** A miss decided with the controller's connections only. */
    public Offload(Ingress ingress, String inPort, PacketHeaders packet, Decision decision, List<FlowEntry> flows) {
      this(ingress, inPort, packet, decision, flows, List.of());
    }

    /**
     * The connections the flows of this miss carry: those it adopted from the switch and the
     * decision's new ones.
     */
    public List<Connection> carried() {
      List<Connection> all = new java.util.ArrayList<>(adopted);
      decision.newConnections().stream().filter(c -> !adopted.contains(c)).forEach(all::add);
      return List.copyOf(all);
    }

    /**
     * The flow that carries the triggering packet itself: the one matching its ingress port and
     * its exact source and destination. Its actions are what the re-injected packet gets.
     */
    public Optional<FlowEntry> forwardFlow() {
      return flows.stream()
          .filter(f -> f.match().get(MatchField.IN_PORT).map(m -> inPort.equals(m.portName())).orElse(false))
          .filter(f -> matchesValue(f, MatchField.IPV4_SRC, packet.nwSrc().unsigned()))
          .filter(f -> matchesValue(f, MatchField.IPV4_DST, packet.nwDst().unsigned()))
          .findFirst();
    }

    private static boolean matchesValue(FlowEntry flow, MatchField field, long value) {
      return flow.match().get(field).map(m -> (value & m.mask()) == (m.value() & m.mask())).orElse(true);
    }
  }

  /** The packet cannot be evaluated (unknown port, no tunnel id, ...): counted and dropped. */
  record Ignored(String reason) implements Miss {
    public Ignored {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
