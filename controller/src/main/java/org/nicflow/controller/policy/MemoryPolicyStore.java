package org.nicflow.controller.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A {@link PolicyStore} that keeps revisions in memory only: for a controller whose policy need
 * not outlive it (the demo, tests). Same contract as the durable store, minus durability.
 */
public final class MemoryPolicyStore implements PolicyStore {

  private final List<StoredRevision> revisions = new ArrayList<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();

  private record Listener(long[] seen, Consumer<StoredRevision> consumer) {}

  @Override
  public synchronized Optional<StoredRevision> latest() {
    return revisions.isEmpty() ? Optional.empty() : Optional.of(revisions.get(revisions.size() - 1));
  }

  @Override
  public synchronized Optional<StoredRevision> get(long revision) {
    return revision < 1 || revision > revisions.size() ? Optional.empty()
        : Optional.of(revisions.get((int) revision - 1));
  }

  @Override
  public StoredRevision commit(long expected, byte[] document) {
    StoredRevision stored;
    synchronized (this) {
      if (expected != revisions.size()) {
        throw new StaleRevisionException(expected, revisions.size());
      }
      stored = new StoredRevision(expected + 1, document);
      revisions.add(stored);
    }
    listeners.forEach(l -> deliver(l));
    return stored;
  }

  @Override
  public Watch watch(long fromRevision, Consumer<StoredRevision> listener) {
    Listener l = new Listener(new long[] {fromRevision}, listener);
    listeners.add(l);
    deliver(l);
    return () -> listeners.remove(l);
  }

  /** Hands {@code l} every revision it has not seen, in order, once each. */
  private void deliver(Listener l) {
    synchronized (l) {
      while (true) {
        Optional<StoredRevision> next = get(l.seen()[0] + 1);
        if (next.isEmpty()) {
          return;
        }
        l.seen()[0]++;
        l.consumer().accept(next.get());
      }
    }
  }

  @Override
  public void close() {
    listeners.clear();
  }
}
