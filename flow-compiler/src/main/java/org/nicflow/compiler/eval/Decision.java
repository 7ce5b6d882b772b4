package org.nicflow.compiler.eval;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.nicflow.compiler.packet.PacketHeaders;

/**
 * The reference evaluator's answer for one packet: the verdict, every layer's decision in the order
 * they ran, the packet as it leaves (all rewrites applied, Ethernet addresses set for delivery), the
 * forwarding target, the meter it passes, and the connections the packet creates.
 *
 * @param dropReason why a dropped packet was dropped (deny rule, default deny, no such VM, spoofed
 *     source, ...); empty when allowed
 * @param meterId the sender VM's meter, when it has {@code meter_kbps}
 * @param controllerPath whether the switch cannot carry this decision in an exact flow: a request of a
 *     SNAT echo session, an ICMP echo whose query identifier is rewritten, or one whose pair is
 *     shared by sessions that are not alike ({@link EchoPairs}); such packets go through the
 *     controller, which rewrites them one by one
 * @param snatExhaustion for a packet dropped because its VM's share of a SNAT address's ports (or
 *     ICMP query identifiers) towards its destination is used up: which VM and address
 */
public record Decision(
    Verdict verdict,
    List<LayerDecision> layers,
    PacketHeaders packet,
    Optional<Output> output,
    Optional<String> dropReason,
    OptionalLong meterId,
    List<Connection> newConnections,
    boolean controllerPath,
    Optional<SnatExhaustion> snatExhaustion) {

  /** A decision the switch can carry in an exact flow. */
  public Decision(Verdict verdict, List<LayerDecision> layers, PacketHeaders packet, Optional<Output> output,
      Optional<String> dropReason, OptionalLong meterId, List<Connection> newConnections) {
    this(verdict, layers, packet, output, dropReason, meterId, newConnections, false);
  }

  /** A decision that is not a SNAT's exhaustion. */
  public Decision(Verdict verdict, List<LayerDecision> layers, PacketHeaders packet, Optional<Output> output,
      Optional<String> dropReason, OptionalLong meterId, List<Connection> newConnections, boolean controllerPath) {
    this(verdict, layers, packet, output, dropReason, meterId, newConnections, controllerPath, Optional.empty());
  }

  public Decision {
    Objects.requireNonNull(verdict, "verdict");
    layers = List.copyOf(layers);
    Objects.requireNonNull(packet, "packet");
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(dropReason, "dropReason");
    Objects.requireNonNull(meterId, "meterId");
    newConnections = List.copyOf(newConnections);
    if ((verdict == Verdict.ALLOW) != output.isPresent()) {
      throw new IllegalArgumentException("an allowed packet has an output, a dropped one none");
    }
    if ((verdict == Verdict.DROP) != dropReason.isPresent()) {
      throw new IllegalArgumentException("a dropped packet has a reason, an allowed one none");
    }
    Objects.requireNonNull(snatExhaustion, "snatExhaustion");
    if (snatExhaustion.isPresent() && verdict != Verdict.DROP) {
      throw new IllegalArgumentException("only a dropped packet can have found a SNAT share used up");
    }
    if (controllerPath && verdict == Verdict.DROP) {
      throw new IllegalArgumentException("a dropped packet needs no controller path");
    }
  }

  public boolean allowed() {
    return verdict == Verdict.ALLOW;
  }
}
