package org.nicflow.compiler.eval;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.IntPredicate;

/**
 * Read-only view of live connections that the evaluator consults. The controller owns the table and
 * adds the {@link Decision#newConnections()} it is given; the evaluator never mutates state.
 */
public interface ConnectionLookup {

  ConnectionLookup NONE = new ConnectionLookup() {
    @Override
    public List<Connection> allByReplyKey(FlowTuple replyKey) {
      return List.of();
    }

    @Override
    public List<Connection> allByOriginal(FlowTuple original) {
      return List.of();
    }

    @Override
    public boolean translatedInUse(FlowTuple translated) {
      return false;
    }

    @Override
    public List<Connection> allByReplyPair(FlowTuple replyPair) {
      return List.of();
    }

    @Override
    public List<Connection> allByOriginalPair(FlowTuple originalPair) {
      return List.of();
    }
  };

  /**
   * Every connection whose reply tuple is {@code replyKey}: two VMs may each own a connection for
   * the same packet (the sender's stateful rule and the receiver's).
   */
  List<Connection> allByReplyKey(FlowTuple replyKey);

  /** Every connection whose first packet had tuple {@code original} (a retransmission or later packet). */
  List<Connection> allByOriginal(FlowTuple original);

  /** Whether a translated tuple is taken; SNAT port allocation avoids these. */
  boolean translatedInUse(FlowTuple translated);

  /**
   * The first source port of {@code lo..hi}, at or after {@code translated}'s own and wrapping round
   * to {@code lo}, that gives a translated tuple not in use; empty when every port of the range
   * does. What SNAT gives a new connection within the VM's share of the public address. This
   * default asks {@link #translatedInUse} port by port; {@link ConnectionTable} answers in constant
   * time.
   */
  default OptionalInt freeSourcePort(FlowTuple translated, int lo, int hi) {
    return firstFree(translated.srcPort(), lo, hi, n -> translatedInUse(translated.withSrcPort(n)));
  }

  /**
   * As {@link #freeSourcePort}, for the query identifier of an ICMP echo tuple: the first of {@code
   * lo..hi}, at or after {@code translated}'s own and wrapping round, not in use.
   */
  default OptionalInt freeQueryId(FlowTuple translated, int lo, int hi) {
    return firstFree(translated.queryId(), lo, hi, n -> translatedInUse(translated.withQueryId(n)));
  }

  /**
   * Every ICMP echo session whose reply tuple, without its query identifier, is {@code replyPair}
   * ({@link FlowTuple#pair()}): the sessions one exact OpenFlow match of the reply would carry.
   */
  List<Connection> allByReplyPair(FlowTuple replyPair);

  /** Every ICMP echo session whose original tuple, without its query identifier, is {@code originalPair}. */
  List<Connection> allByOriginalPair(FlowTuple originalPair);

  /** The first connection whose reply tuple is {@code replyKey}. */
  default Optional<Connection> byReplyKey(FlowTuple replyKey) {
    return allByReplyKey(replyKey).stream().findFirst();
  }

  /** The first connection whose first packet had tuple {@code original}. */
  default Optional<Connection> byOriginal(FlowTuple original) {
    return allByOriginal(original).stream().findFirst();
  }

  /**
   * The connection owned by {@code ownerVm} whose reply tuple is {@code replyKey}. The scope is part
   * of the key and the owner is checked, so overlapping VNET addresses never confuse two tenants.
   */
  default Optional<Connection> byReplyKey(FlowTuple replyKey, String ownerVm) {
    return ownedBy(allByReplyKey(replyKey), ownerVm);
  }

  /**
   * These connections and {@code extra} after them: what a decision sees when it also knows
   * connections this lookup does not hold (a connection the switch learned, named by a packet-in's
   * metadata). Returns this lookup itself when {@code extra} is empty.
   */
  default ConnectionLookup with(List<Connection> extra) {
    return extra.isEmpty() ? this : new OverlaidConnections(this, extra);
  }

  /** The connection owned by {@code ownerVm} whose first packet had tuple {@code original}. */
  default Optional<Connection> byOriginal(FlowTuple original, String ownerVm) {
    return ownedBy(allByOriginal(original), ownerVm);
  }

  /**
   * The first number of {@code lo..hi}, at or after {@code start} and wrapping round to {@code lo},
   * for which {@code taken} is false: a probe, one call per taken number passed.
   */
  private static OptionalInt firstFree(int start, int lo, int hi, IntPredicate taken) {
    int size = TakenNumbers.rangeSize(start, lo, hi);
    for (int i = 0; i < size; i++) {
      int n = lo + (start - lo + i) % size;
      if (!taken.test(n)) {
        return OptionalInt.of(n);
      }
    }
    return OptionalInt.empty();
  }

  /** The first of {@code connections} that {@code ownerVm} owns (a loop: this runs per packet). */
  private static Optional<Connection> ownedBy(List<Connection> connections, String ownerVm) {
    for (Connection c : connections) {
      if (c.ownerVm().equals(ownerVm)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }
}
