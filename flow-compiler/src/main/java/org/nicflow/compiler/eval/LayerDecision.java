package org.nicflow.compiler.eval;

import java.util.Objects;
import org.nicflow.compiler.model.Direction;

/**
 * What one layer of one VM decided for a packet.
 *
 * @param rule the deciding rule's id, {@link #DEFAULT} when no rule matched, {@link #CONNECTION}
 *     when connection state admitted the packet without consulting the rules
 * @param action allow, deny, snat, set_dscp (or dnat for a load balancer step)
 * @param layerIndex index of the layer in its rule set, -1 for a step outside any layer
 * @param ruleIndex index of the rule in its layer, -1 for a default or connection decision
 */
public record LayerDecision(String vm, Direction direction, String layer, int layerIndex, String rule, int ruleIndex,
    String action) {

  public static final String DEFAULT = "default";
  public static final String CONNECTION = "connection";

  public LayerDecision {
    Objects.requireNonNull(vm, "vm");
    Objects.requireNonNull(direction, "direction");
    Objects.requireNonNull(layer, "layer");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(action, "action");
  }
}
