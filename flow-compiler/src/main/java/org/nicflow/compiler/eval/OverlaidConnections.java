package org.nicflow.compiler.eval;

import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import java.util.stream.Stream;

/**
 * Live connections of {@code base} and, after them, {@code extra} (connections known only for one
 * decision: those a switch learned, or a decision's new ones as the controller's table will hold
 * them; see {@link ConnectionLookup#with}). A connection in both is listed once.
 */
record OverlaidConnections(ConnectionLookup base, List<Connection> extra) implements ConnectionLookup {

  OverlaidConnections {
    Objects.requireNonNull(base, "base");
    extra = List.copyOf(extra);
  }

  @Override
  public boolean translatedInUse(FlowTuple translated) {
    return base.translatedInUse(translated) || extra.stream().anyMatch(c -> c.translated().equals(translated));
  }

  @Override
  public OptionalInt freeSourcePort(FlowTuple translated, int lo, int hi) {
    return freeAvoidingExtra(translated.srcPort(), lo, hi, n -> base.freeSourcePort(translated.withSrcPort(n), lo, hi),
        n -> extra.stream().anyMatch(c -> c.translated().equals(translated.withSrcPort(n))));
  }

  @Override
  public OptionalInt freeQueryId(FlowTuple translated, int lo, int hi) {
    return freeAvoidingExtra(translated.queryId(), lo, hi, n -> base.freeQueryId(translated.withQueryId(n), lo, hi),
        n -> extra.stream().anyMatch(c -> c.translated().equals(translated.withQueryId(n))));
  }

  /**
   * The first number of {@code lo..hi} from {@code start} (wrapping round) free in the base ({@code
   * baseFree} searches it from a number) and not taken by an extra connection: each extra one in
   * the way costs one more search of the base, so this stays as cheap as the base's search.
   */
  private static OptionalInt freeAvoidingExtra(int start, int lo, int hi, IntFunction<OptionalInt> baseFree,
      IntPredicate takenByExtra) {
    int size = TakenNumbers.rangeSize(start, lo, hi);
    int travelled = 0;
    while (travelled < size) {
      OptionalInt n = baseFree.apply(lo + (start - lo + travelled) % size);
      if (n.isEmpty()) {
        return n;
      }
      int distance = Math.floorMod(n.getAsInt() - start, size);
      if (distance < travelled) {
        return OptionalInt.empty(); // wrapped round past start: what the base has free, the extra ones took
      }
      if (!takenByExtra.test(n.getAsInt())) {
        return n;
      }
      travelled = distance + 1;
    }
    return OptionalInt.empty();
  }

  @Override
  public List<Connection> allByReplyKey(FlowTuple replyKey) {
    return Stream.concat(base.allByReplyKey(replyKey).stream(),
        extra.stream().filter(c -> c.replyKey().equals(replyKey))).distinct().toList();
  }

  @Override
  public List<Connection> allByReplyPair(FlowTuple replyPair) {
    return Stream.concat(base.allByReplyPair(replyPair).stream(),
        extra.stream().filter(c -> c.replyKey().isIcmpEcho() && c.replyKey().pair().equals(replyPair)))
        .distinct().toList();
  }

  @Override
  public List<Connection> allByOriginalPair(FlowTuple originalPair) {
    return Stream.concat(base.allByOriginalPair(originalPair).stream(),
        extra.stream().filter(c -> c.original().isIcmpEcho() && c.original().pair().equals(originalPair)))
        .distinct().toList();
  }

  @Override
  public List<Connection> allByOriginal(FlowTuple original) {
    return Stream.concat(base.allByOriginal(original).stream(),
        extra.stream().filter(c -> c.original().equals(original))).distinct().toList();
  }
}
