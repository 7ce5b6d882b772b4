package org.nicflow.controller.policy;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.PolicyIds;

/**
 * Turns a validated config into the next revision of the store: numbers it from the newest stored
 * revision ({@link PolicyIds#next}) and commits it with compare-and-set. Every write path — REST,
 * {@code nicflow apply}, SIGHUP, the first start — goes through here. The newest revision is
 * decoded once: while the store's newest document stays the same, {@link #latest} answers the
 * config it was decoded to (every API write reads it twice, a dry run included).
 */
public final class PolicyWriter {

  /** An accepted write: the revision it became, and whether the policy changed at all. */
  public record Accepted(long revision, boolean changed) {}

  private final PolicyStore store;
  /** The stored revision last decoded, and what it decoded to. */
  private final AtomicReference<Decoded> lastDecoded = new AtomicReference<>();

  public PolicyWriter(PolicyStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  private record Decoded(StoredRevision stored, Revision revision) {}

  /** The newest stored revision and its config, if any. */
  public Optional<Revision> latest() {
    return store.latest().map(this::decoded);
  }

  private Revision decoded(StoredRevision stored) {
    Decoded seen = lastDecoded.get();
    if (seen != null && seen.stored().equals(stored)) {
      return seen.revision();
    }
    Revision revision = new Revision(stored.revision(),
        PolicyDocuments.read(stored.document(), "revision " + stored.revision()));
    lastDecoded.set(new Decoded(stored, revision));
    return revision;
  }

  /** A decoded revision. */
  public record Revision(long revision, Config config) {}

  /**
   * {@code next} with the stable numbers it would be committed with now: those of the newest
   * revision for what it keeps, new ones for what it adds. What a dry run plans with.
   */
  public Config numbered(Config next) {
    return numbered(latest(), Objects.requireNonNull(next, "next"));
  }

  private static Config numbered(Optional<Revision> latest, Config next) {
    return latest.isEmpty() ? next
        : next.withIds(PolicyIds.next(latest.get().config().ids(), latest.get().config().rulesets(), next));
  }

  /**
   * Commits {@code next} (already validated) as the next revision. A config equal to the newest
   * one commits nothing and answers that revision.
   *
   * @param ifMatch the revision the writer read; empty: whatever is newest
   * @throws StaleRevisionException when {@code ifMatch} is not the newest revision, or another
   *     write came in between
   */
  public Accepted write(Config next, OptionalLong ifMatch) {
    Objects.requireNonNull(next, "next");
    Optional<Revision> latest = latest();
    long current = latest.map(Revision::revision).orElse(0L);
    if (ifMatch.isPresent() && ifMatch.getAsLong() != current) {
      throw new StaleRevisionException(ifMatch.getAsLong(), current);
    }
    Config numbered = numbered(latest, next);
    if (latest.isPresent() && latest.get().config().samePolicy(numbered)) {
      return new Accepted(current, false);
    }
    StoredRevision stored = store.commit(current, PolicyDocuments.write(numbered));
    return new Accepted(stored.revision(), true);
  }
}
