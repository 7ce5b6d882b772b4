package org.nicflow.controller.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two stores on one directory (as two processes would be) with several writer threads each. */
class FilePolicyStoreConcurrencyTest {

  private static final int THREADS_PER_STORE = 3;
  private static final int COMMITS_PER_THREAD = 15;

  @TempDir
  Path stateDir;

  @Test
  void compareAndSetWritersOnTwoStoresCommitEveryRevisionOnceAndLoseNoWrite() throws Exception {
    int total = 2 * THREADS_PER_STORE * COMMITS_PER_THREAD;
    Set<Long> committedRevisions = ConcurrentHashMap.newKeySet();
    Set<String> committedDocuments = ConcurrentHashMap.newKeySet();
    AtomicInteger staleRetries = new AtomicInteger();
    ExecutorService threads = Executors.newFixedThreadPool(2 * THREADS_PER_STORE);
    try (FilePolicyStore a = FilePolicyStore.open(stateDir); FilePolicyStore b = FilePolicyStore.open(stateDir)) {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> writers = new ArrayList<>();
      for (int t = 0; t < 2 * THREADS_PER_STORE; t++) {
        FilePolicyStore store = t % 2 == 0 ? a : b;
        String writer = "writer " + t;
        writers.add(threads.submit(() -> {
          start.await();
          for (int i = 0; i < COMMITS_PER_THREAD; i++) {
            String document = writer + " document " + i;
            while (true) {
              long expected = store.latest().map(StoredRevision::revision).orElse(0L);
              try {
                StoredRevision stored = store.commit(expected, document.getBytes(StandardCharsets.UTF_8));
                assertThat(committedRevisions.add(stored.revision())).as("revision %d committed twice", stored.revision())
                    .isTrue();
                committedDocuments.add(document);
                break;
              } catch (StaleRevisionException e) {
                staleRetries.incrementAndGet();
              }
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> writer : writers) {
        writer.get(120, TimeUnit.SECONDS);
      }

      assertThat(committedRevisions).containsExactlyInAnyOrderElementsOf(
          LongStream.rangeClosed(1, total).boxed().toList());
      try (FilePolicyStore fresh = FilePolicyStore.open(stateDir)) {
        assertThat(fresh.latest().map(StoredRevision::revision)).contains((long) total);
        Set<String> stored = LongStream.rangeClosed(1, total)
            .mapToObj(n -> PolicyDocuments.text(fresh.get(n).orElseThrow().document()))
            .collect(Collectors.toSet());
        assertThat(stored).hasSize(total).isEqualTo(committedDocuments);
      }
    } finally {
      threads.shutdownNow();
    }
    System.out.println("FilePolicyStoreConcurrencyTest: " + total + " commits, " + staleRetries + " stale retries");
  }
}
