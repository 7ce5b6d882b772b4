package org.nicflow.compiler.eval;

import java.util.Optional;

/**
 * Read-only view of live connections that the evaluator consults. The controller owns the table and
 * adds the {@link Decision#newConnections()} it is given; the evaluator never mutates state.
 */
public interface ConnectionLookup {

  ConnectionLookup NONE = new ConnectionLookup() {
    @Override
    public Optional<Connection> byReplyKey(FlowTuple replyKey) {
      return Optional.empty();
    }

    @Override
    public Optional<Connection> byOriginal(FlowTuple original) {
      return Optional.empty();
    }

    @Override
    public boolean translatedInUse(FlowTuple translated) {
      return false;
    }
  };

  /** A connection whose reply tuple is {@code replyKey}. */
  Optional<Connection> byReplyKey(FlowTuple replyKey);

  /** A connection whose first packet had tuple {@code original} (a retransmission or later packet). */
  Optional<Connection> byOriginal(FlowTuple original);

  /** Whether a translated tuple is taken; SNAT port allocation avoids these. */
  boolean translatedInUse(FlowTuple translated);
}
