package org.nicflow.compiler.eval;

import org.nicflow.compiler.packet.PacketHeaders;

/**
 * The host partition's slow path (docs/semantics.md): one packet in, one decision out.
 * Implementations are pure: the same config, ingress, packet and connections give the same
 * decision.
 */
public interface PacketEvaluator {

  /**
   * Evaluates an IPv4 packet that entered {@code ingress.host()}'s bridge.
   *
   * @param packet headers as they arrived (for a tunnel: the inner headers)
   * @param connections live connections, consulted for replies and SNAT port allocation
   */
  Decision evaluate(Ingress ingress, PacketHeaders packet, ConnectionLookup connections);
}
