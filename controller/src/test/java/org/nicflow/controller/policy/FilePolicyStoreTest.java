package org.nicflow.controller.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilePolicyStoreTest {

  @TempDir
  Path stateDir;

  private final List<FilePolicyStore> opened = new ArrayList<>();

  @AfterEach
  void closeStores() {
    opened.forEach(FilePolicyStore::close);
  }

  private FilePolicyStore open() {
    FilePolicyStore store = FilePolicyStore.open(stateDir, Duration.ofMillis(20));
    opened.add(store);
    return store;
  }

  private static byte[] doc(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private List<String> revisionFileNames() throws IOException {
    try (Stream<Path> files = Files.list(stateDir.resolve("revisions"))) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void anEmptyStoreHasNoRevisionAndCreatesItsDirectories() throws IOException {
    Path nested = stateDir.resolve("a/b");
    try (FilePolicyStore store = FilePolicyStore.open(nested)) {
      assertThat(store.latest()).isEmpty();
      assertThat(store.get(1)).isEmpty();
      assertThat(nested.resolve("revisions")).isDirectory();
      assertThat(nested.resolve("store.lock")).isRegularFile();
    }
  }

  @Test
  void aCommittedDocumentComesBackFromGetAndLatest() {
    FilePolicyStore store = open();
    StoredRevision committed = store.commit(0, doc("one"));

    assertThat(committed).isEqualTo(new StoredRevision(1, doc("one")));
    assertThat(store.get(1)).contains(committed);
    assertThat(store.latest()).contains(committed);
    assertThat(store.get(0)).isEmpty();
    assertThat(store.get(2)).isEmpty();
  }

  @Test
  void revisionsAreNumberedFromOneWithoutGapsOneFileEach() throws IOException {
    FilePolicyStore store = open();
    for (int i = 1; i <= 5; i++) {
      assertThat(store.commit(i - 1, doc("doc " + i)).revision()).isEqualTo(i);
    }

    assertThat(revisionFileNames()).containsExactly("00000000000000000001.json", "00000000000000000002.json",
        "00000000000000000003.json", "00000000000000000004.json", "00000000000000000005.json");
    assertThat(Files.readString(store.revisionFile(3))).isEqualTo("doc 3");
    assertThat(store.latest().map(StoredRevision::revision)).contains(5L);
  }

  @Test
  void aStaleExpectedRevisionIsRejectedAndWritesNothing() throws IOException {
    FilePolicyStore store = open();
    store.commit(0, doc("one"));
    store.commit(1, doc("two"));
    List<String> before = revisionFileNames();

    assertThatThrownBy(() -> store.commit(1, doc("late")))
        .isInstanceOfSatisfying(StaleRevisionException.class, e -> {
          assertThat(e.expected()).isEqualTo(1);
          assertThat(e.actual()).isEqualTo(2);
        });
    assertThatThrownBy(() -> store.commit(7, doc("ahead")))
        .isInstanceOfSatisfying(StaleRevisionException.class, e -> assertThat(e.actual()).isEqualTo(2));

    assertThat(revisionFileNames()).isEqualTo(before);
    assertThat(store.latest().map(r -> PolicyDocuments.text(r.document()))).contains("two");
  }

  @Test
  void aReopenedStoreSeesEveryRevisionAndContinuesAfterThem() {
    try (FilePolicyStore first = FilePolicyStore.open(stateDir)) {
      first.commit(0, doc("one"));
      first.commit(1, doc("two"));
    }
    FilePolicyStore reopened = open();

    assertThat(reopened.get(1).map(r -> PolicyDocuments.text(r.document()))).contains("one");
    assertThat(reopened.latest()).contains(new StoredRevision(2, doc("two")));
    assertThat(reopened.commit(2, doc("three")).revision()).isEqualTo(3);
  }

  @Test
  void temporaryFilesOfAnInterruptedCommitAreIgnoredAndDeletedAtOpen() throws IOException {
    FilePolicyStore store = open();
    store.commit(0, doc("one"));
    Path leftover = stateDir.resolve("revisions/.00000000000000000002.json.0123456789abcdef.tmp");
    Files.writeString(leftover, "{\"half");

    assertThat(store.latest().map(StoredRevision::revision)).contains(1L);
    store.close();
    FilePolicyStore reopened = open();

    assertThat(leftover).doesNotExist();
    assertThat(reopened.latest().map(StoredRevision::revision)).contains(1L);
    assertThat(reopened.commit(1, doc("two")).revision()).isEqualTo(2);
  }

  @Test
  void filesWhoseNameIsNotARevisionAreLeftAloneAndIgnored() throws IOException {
    Path revisions = Files.createDirectories(stateDir.resolve("revisions"));
    Files.writeString(revisions.resolve("notes.txt"), "x");
    Files.writeString(revisions.resolve("99999999999999999999.json"), "beyond a long");
    Files.writeString(revisions.resolve("00000000000000000000.json"), "revision zero");

    FilePolicyStore store = open();

    assertThat(store.latest()).isEmpty();
    assertThat(revisions.resolve("notes.txt")).exists();
    assertThat(store.commit(0, doc("one")).revision()).isEqualTo(1);
  }

  @Test
  void anUnreadableNewestRevisionFailsNamingTheFileInsteadOfFallingBack() throws IOException {
    FilePolicyStore store = open();
    store.commit(0, doc("one"));
    store.commit(1, doc("two"));
    Path third = store.revisionFile(3);
    Files.createDirectory(third); // unreadable even for root

    assertThatThrownBy(store::latest).isInstanceOf(PolicyStoreException.class).hasMessageContaining(third.toString());
    store.close();
    FilePolicyStore reopened = open();
    assertThatThrownBy(reopened::latest).isInstanceOf(PolicyStoreException.class).hasMessageContaining(third.toString());
    assertThat(reopened.get(2)).isPresent();
  }

  @Test
  void anEmptyNewestRevisionFileFailsNamingTheFile() throws IOException {
    try (FilePolicyStore store = FilePolicyStore.open(stateDir)) {
      store.commit(0, doc("one"));
    }
    Path second = stateDir.resolve("revisions/00000000000000000002.json");
    Files.createFile(second);

    assertThatThrownBy(open()::latest).isInstanceOf(PolicyStoreException.class)
        .hasMessageContaining(second.toString()).hasMessageContaining("empty");
  }

  @Test
  void anEmptyDocumentOrANegativeRevisionIsRefused() {
    FilePolicyStore store = open();

    assertThatThrownBy(() -> store.commit(0, new byte[0])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.commit(-1, doc("x"))).isInstanceOf(IllegalArgumentException.class);
    assertThat(store.latest()).isEmpty();
  }

  @Test
  void aCommitThatCannotWriteFailsClearlyAndCommitsNothing() throws IOException {
    FilePolicyStore store = open();
    store.commit(0, doc("one"));
    Path revisions = stateDir.resolve("revisions");
    Path moved = stateDir.resolve("revisions-moved");
    Files.move(revisions, moved);
    Files.writeString(revisions, "a file where the directory was");

    assertThatThrownBy(() -> store.commit(1, doc("two")))
        .isInstanceOf(PolicyStoreException.class)
        .hasMessageContaining("cannot commit revision 2")
        .hasMessageContaining("nothing committed");

    Files.delete(revisions);
    Files.move(moved, revisions);
    try (Stream<Path> files = Files.list(revisions)) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactly("00000000000000000001.json");
    }
    assertThat(store.commit(1, doc("two")).revision()).isEqualTo(2);
  }

  @Test
  void aClosedStoreRefusesCommits() {
    FilePolicyStore store = open();
    store.close();

    assertThatThrownBy(() -> store.commit(0, doc("one"))).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aWatchFromZeroGetsEveryRevisionThenNewOnesInOrder() {
    FilePolicyStore store = open();
    store.commit(0, doc("one"));
    store.commit(1, doc("two"));
    List<Long> seen = new ArrayList<>();

    try (PolicyStore.Watch watch = store.watch(0, r -> seen.add(r.revision()))) {
      assertThat(seen).containsExactly(1L, 2L);
      store.commit(2, doc("three"));
      store.commit(3, doc("four"));
      assertThat(seen).containsExactly(1L, 2L, 3L, 4L); // delivered before commit returned
    }
  }

  @Test
  void aWatchFromKStartsAfterK() {
    FilePolicyStore store = open();
    for (int i = 0; i < 4; i++) {
      store.commit(i, doc("doc " + i));
    }
    List<StoredRevision> seen = new ArrayList<>();

    store.watch(2, seen::add);

    assertThat(seen).extracting(StoredRevision::revision).containsExactly(3L, 4L);
    assertThat(PolicyDocuments.text(seen.get(0).document())).isEqualTo("doc 2");
  }

  @Test
  void aWatchSeesRevisionsCommittedByAnotherStoreOnTheSameDirectory() {
    FilePolicyStore watched = open();
    FilePolicyStore other = open(); // as another process would
    List<Long> seen = new CopyOnWriteArrayList<>();
    watched.watch(0, r -> seen.add(r.revision()));

    other.commit(0, doc("one"));
    other.commit(1, doc("two"));

    await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 2);
    assertThat(seen).containsExactly(1L, 2L);
    assertThat(watched.commit(2, doc("three")).revision()).isEqualTo(3);
    assertThat(seen).containsExactly(1L, 2L, 3L);
  }

  @Test
  void aFailingListenerIsCountedAndStillGetsLaterRevisions() {
    FilePolicyStore store = open();
    List<Long> seen = new ArrayList<>();
    store.watch(0, r -> {
      seen.add(r.revision());
      if (r.revision() == 1) {
        throw new IllegalStateException("listener failure (expected by the test)");
      }
    });

    store.commit(0, doc("one"));
    store.commit(1, doc("two"));

    assertThat(seen).containsExactly(1L, 2L);
    assertThat(store.watchFailures()).isEqualTo(1);
  }

  @Test
  void aClosedWatchGetsNothingMore() {
    FilePolicyStore store = open();
    List<Long> seen = new ArrayList<>();
    PolicyStore.Watch watch = store.watch(0, r -> seen.add(r.revision()));
    store.commit(0, doc("one"));

    watch.close();
    store.commit(1, doc("two"));

    assertThat(seen).containsExactly(1L);
  }

  @Test
  void aWatchOverAnUnreadableRevisionFailsAtOnce() throws IOException {
    FilePolicyStore store = open();
    store.commit(0, doc("one"));
    Files.createDirectory(store.revisionFile(2));

    assertThatThrownBy(() -> store.watch(0, r -> { }))
        .isInstanceOf(PolicyStoreException.class)
        .hasMessageContaining(store.revisionFile(2).toString());
  }

  @Test
  void aPollingWatchRetriesARevisionThatCannotBeReadYet() throws IOException {
    FilePolicyStore watched = open();
    List<Long> seen = new CopyOnWriteArrayList<>();
    watched.watch(0, r -> seen.add(r.revision()));
    Path first = watched.revisionFile(1);
    Files.createDirectory(first);

    await().atMost(Duration.ofSeconds(10)).until(() -> watched.watchFailures() > 0);
    Files.delete(first);
    open().commit(0, doc("one"));

    await().atMost(Duration.ofSeconds(10)).until(() -> !seen.isEmpty());
    assertThat(seen).containsExactly(1L);
  }
}
