package org.nicflow.compiler.eval;

import java.util.Objects;

/**
 * State of one admitted connection (docs/semantics.md, "Connections"): the tuple as its first
 * packet left the sender ({@code original}), the tuple after rewrites as it reached the receiver
 * ({@code translated}), the VM whose stateful rule, SNAT or load balancer created it, and why.
 * Replies are recognised by {@code translated.reversed()} and restored to
 * {@code original.reversed()}.
 */
public record Connection(FlowTuple original, FlowTuple translated, String ownerVm, Kind kind) {

  /** What gives a connection state. */
  public enum Kind {
    STATEFUL,
    SNAT,
    LOAD_BALANCER
  }

  public Connection {
    Objects.requireNonNull(original, "original");
    Objects.requireNonNull(translated, "translated");
    Objects.requireNonNull(ownerVm, "ownerVm");
    Objects.requireNonNull(kind, "kind");
  }

  /** The key a reply packet has. */
  public FlowTuple replyKey() {
    return translated.reversed();
  }

  /** Whether this is an ICMP echo session whose query identifier a translation changed (RFC 5508). */
  public boolean translatesQueryId() {
    return original.queryId() != translated.queryId();
  }

  /**
   * This echo session as it would be with query identifier {@code id} on both sides: the session
   * another identifier of an alike pair is admitted as (see {@link EchoPairs}).
   */
  public Connection withQueryId(int id) {
    return new Connection(original.withQueryId(id), translated.withQueryId(id), ownerVm, kind);
  }
}
