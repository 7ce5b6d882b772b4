package org.nicflow.bench;

import java.util.List;
import java.util.Objects;
import org.nicflow.compiler.model.Direction;
import org.nicflow.compiler.model.Layer;
import org.nicflow.compiler.model.Rule;
import org.nicflow.compiler.packet.PacketHeaders;

/**
 * The naive baseline for rule lookup: every rule of a layer is tested against the packet and the
 * matching rule with the highest priority wins, the first listed on a tie (docs/semantics.md,
 * "Layers"). No index, no early exit: the cost grows with the layer's size. Benchmarks compare it
 * with the indexed classifier the reference evaluator uses.
 */
public final class LinearRuleScan {

  private LinearRuleScan() {}

  /** The index (in its layer) of the rule deciding {@code packet} travelling {@code direction}, or -1. */
  public static int winner(Layer layer, Direction direction, PacketHeaders packet) {
    Objects.requireNonNull(layer, "layer");
    Objects.requireNonNull(packet, "packet");
    List<Rule> rules = layer.rules();
    int best = -1;
    int bestPriority = Integer.MIN_VALUE;
    for (int i = 0, n = rules.size(); i < n; i++) {
      Rule rule = rules.get(i);
      if (rule.priority() > bestPriority && rule.direction().appliesTo(direction) && matches(rule, packet)) {
        best = i;
        bestPriority = rule.priority();
      }
    }
    return best;
  }

  /** Whether {@code rule} matches {@code packet} on protocol, addresses, ports and ICMP type. */
  static boolean matches(Rule rule, PacketHeaders packet) {
    if (!rule.proto().matches(packet.ipProto())) {
      return false;
    }
    if (!rule.src().contains(packet.nwSrc()) || !rule.dst().contains(packet.nwDst())) {
      return false;
    }
    if (rule.proto().hasPorts()
        && (!rule.srcPort().contains(packet.tpSrc()) || !rule.dstPort().contains(packet.tpDst()))) {
      return false;
    }
    return rule.icmpType().isEmpty() || rule.icmpType().getAsInt() == packet.tpSrc();
  }
}
