package org.nicflow.compiler.eval;

import java.util.List;
import java.util.Objects;
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
