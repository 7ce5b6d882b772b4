package org.nicflow.controller.policy;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * Durable, versioned desired state: a sequence of revisions 1, 2, 3, … each holding one whole
 * policy document ({@link PolicyDocuments}). A revision is durable before {@link #commit} returns,
 * and a revision once committed never changes. The interface is what a distributed store (etcd)
 * can implement too: numbered revisions, compare-and-set on the revision, watch from a revision.
 */
public interface PolicyStore extends AutoCloseable {

  /** The newest revision, or empty when nothing was ever committed. */
  Optional<StoredRevision> latest();

  /** Revision {@code revision}, if the store still holds it. */
  Optional<StoredRevision> get(long revision);

  /**
   * Commits {@code document} as revision {@code expected + 1}, provided the newest revision is
   * {@code expected} (0: the store is empty). Returns once the revision is durable.
   *
   * @throws StaleRevisionException when another revision was committed since {@code expected}
   * @throws PolicyStoreException when the revision could not be made durable (nothing committed)
   */
  StoredRevision commit(long expected, byte[] document);

  /**
   * Calls {@code listener} with every revision after {@code fromRevision}, in order, once each:
   * those already committed at once, later ones as they are committed. Listeners must not block.
   *
   * @return closing it stops the calls
   */
  Watch watch(long fromRevision, Consumer<StoredRevision> listener);

  /** A running {@link #watch}. */
  interface Watch extends AutoCloseable {
    @Override
    void close();
  }

  @Override
  void close();
}
