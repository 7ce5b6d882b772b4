package org.nicflow.compiler.eval;

import java.util.List;
import java.util.Optional;

/**
 * ICMP echo sessions as the switch sees them (docs/semantics.md, "ICMP echo sessions"). A session
 * is keyed by its query identifier, but OpenFlow can neither match nor rewrite the identifier: an
 * exact flow matches a <em>pair</em> (addresses, type and code) and carries every identifier of it
 * alike. The sessions of one pair are <em>alike</em> when none has a translated identifier and they
 * all came from the same original pair: then every identifier of the pair gets the same treatment,
 * and one exact flow can carry them all. Otherwise the pair's packets take the controller's path,
 * where the identifier is read and rewritten per session.
 */
public final class EchoPairs {

  private EchoPairs() {}

  /** Whether {@code sessions} (the sessions of one pair) may share one exact flow. */
  public static boolean alike(List<Connection> sessions) {
    if (sessions.isEmpty()) {
      return true;
    }
    FlowTuple from = sessions.get(0).original().pair();
    for (Connection c : sessions) {
      if (c.translatesQueryId() || !c.original().pair().equals(from)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The session a packet with query identifier {@code id} belongs to when no session has that
   * identifier but its pair's {@code sessions} are alike: the first of them owned by {@code owner}
   * (any owner when null), taken with identifier {@code id}. The switch's exact flow of the pair
   * already treats the packet so; this makes the evaluator say the same. Empty when the sessions
   * are not alike or none is {@code owner}'s.
   */
  static Optional<Connection> asAlike(List<Connection> sessions, String owner, int id) {
    if (sessions.isEmpty() || !alike(sessions)) {
      return Optional.empty();
    }
    for (Connection c : sessions) {
      if (owner == null || c.ownerVm().equals(owner)) {
        return Optional.of(c.withQueryId(id));
      }
    }
    return Optional.empty();
  }
}
