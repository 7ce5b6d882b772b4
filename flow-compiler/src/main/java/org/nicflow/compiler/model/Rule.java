package org.nicflow.compiler.model;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One prioritised rule of a layer. Absent match keys are "any": {@link Ipv4Prefix#ANY},
 * {@link PortRange#ANY}, an empty {@code icmpType}.
 *
 * @param snatTo the public address, present exactly when the action is {@link RuleAction#SNAT}
 * @param dscp the DSCP value 0-63, present exactly when the action is {@link RuleAction#SET_DSCP}
 * @param stateful only on {@link RuleAction#ALLOW}: admit the reverse direction of each connection
 */
public record Rule(
    String id,
    int priority,
    Direction direction,
    Protocol proto,
    Ipv4Prefix src,
    Ipv4Prefix dst,
    PortRange srcPort,
    PortRange dstPort,
    OptionalInt icmpType,
    RuleAction action,
    Optional<Ipv4> snatTo,
    OptionalInt dscp,
    boolean stateful) {

  public Rule {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(direction, "direction");
    Objects.requireNonNull(proto, "proto");
    Objects.requireNonNull(src, "src");
    Objects.requireNonNull(dst, "dst");
    Objects.requireNonNull(srcPort, "srcPort");
    Objects.requireNonNull(dstPort, "dstPort");
    Objects.requireNonNull(icmpType, "icmpType");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(snatTo, "snatTo");
    Objects.requireNonNull(dscp, "dscp");
    if (id.isBlank()) {
      throw new IllegalArgumentException("rule id is blank");
    }
    if (!proto.hasPorts() && (!srcPort.isAny() || !dstPort.isAny())) {
      throw new IllegalArgumentException("rule " + id + ": ports need proto tcp or udp");
    }
    if (icmpType.isPresent() && proto != Protocol.ICMP) {
      throw new IllegalArgumentException("rule " + id + ": icmp_type needs proto icmp");
    }
    if ((action == RuleAction.SNAT) != snatTo.isPresent()) {
      throw new IllegalArgumentException("rule " + id + ": 'to' goes with action snat, and only with it");
    }
    if ((action == RuleAction.SET_DSCP) != dscp.isPresent()) {
      throw new IllegalArgumentException("rule " + id + ": 'dscp' goes with action set_dscp, and only with it");
    }
    if (dscp.isPresent() && (dscp.getAsInt() < 0 || dscp.getAsInt() > 63)) {
      throw new IllegalArgumentException("rule " + id + ": dscp " + dscp.getAsInt() + " is outside 0-63");
    }
    if (stateful && action != RuleAction.ALLOW) {
      throw new IllegalArgumentException("rule " + id + ": stateful goes with action allow");
    }
  }

  /** A rule matching everything in both directions with the given action; for tests and defaults. */
  public static Rule any(String id, int priority, RuleAction action) {
    return new Rule(id, priority, Direction.BOTH, Protocol.ANY, Ipv4Prefix.ANY, Ipv4Prefix.ANY,
        PortRange.ANY, PortRange.ANY, OptionalInt.empty(), action, Optional.empty(), OptionalInt.empty(), false);
  }
}
