package org.nicflow.controller.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.model.Config;

/**
 * kill -9 during state writes: a child JVM ({@link StoreWriterChild}) commits policy documents
 * (made here by {@link PolicyDocuments#write} from {@code examples/demo.yaml}, reactive for odd
 * revisions, proactive for even ones) in a tight loop into one state directory and is killed with
 * SIGKILL after a random delay of 0–30 ms from its first commit, again and again on the same
 * directory, so the store grows across kills. After every kill a freshly opened store must load a
 * valid newest revision, hold every revision from 1 up with the config written for its number,
 * have deleted the temporary file of an interrupted commit, and be at or past the last revision the
 * child reported as committed. A kill that left a temporary file counts as "mid-write".
 *
 * <p>The seed is printed; replay with {@code -Dnicflow.seed=<seed>}; {@code -Dnicflow.kills=<n>}
 * changes the number of kill points (default 100). SIGKILL keeps the page cache, so this proves the
 * process-crash half of durability (atomic, complete, never lost once reported); the fsyncs that
 * cover power loss cannot be observed from a test.
 */
class FilePolicyStoreKillTest {

  private static final Pattern COMMITTED = Pattern.compile("committed (\\d+);");
  private static final Duration FIRST_COMMIT_TIMEOUT = Duration.ofSeconds(30);
  private static final long MAX_DELAY_MICROS = 30_000;

  @TempDir
  Path stateDir;

  @Test
  void everyRestartAfterKillNineLoadsAValidRevisionAndLosesNoReportedCommit() throws Exception {
    long seed = Long.getLong("nicflow.seed", System.nanoTime());
    int kills = Integer.getInteger("nicflow.kills", 100);
    System.out.println("FilePolicyStoreKillTest seed=" + seed + " (replay with -Dnicflow.seed=" + seed + ")");
    SplittableRandom random = new SplittableRandom(seed);
    Config config = new ConfigLoader().load(demoConfig());
    List<Path> documents = new ArrayList<>();
    List<Config> expected = new ArrayList<>();
    for (int parity : new int[] {2, 1}) { // index n % 2: what revision n holds
      byte[] document = StoreWriterChild.document(config, parity);
      expected.add(PolicyDocuments.read(document, "the document of revision " + parity));
      documents.add(Files.write(stateDir.resolve("document-" + (parity == 1 ? "odd" : "even") + ".json"), document));
    }
    List<byte[]> checked = new ArrayList<>();
    Path stderr = stateDir.resolve("child-stderr.log");

    long started = System.nanoTime();
    long[] phaseNanos = new long[2];
    int midWrite = 0;
    for (int kill = 1; kill <= kills; kill++) {
      long delayMicros = random.nextLong(MAX_DELAY_MICROS + 1);
      long t0 = System.nanoTime();
      long reported = runAndKill(documents, stderr, delayMicros, "kill " + kill + " of seed " + seed);
      long t1 = System.nanoTime();
      phaseNanos[0] += t1 - t0;
      if (hasTemporaryFile()) {
        midWrite++;
      }
      verifyAfterKill(expected, checked, reported, "kill " + kill + " (seed " + seed
          + ", delay " + delayMicros + " µs)");
      phaseNanos[1] += System.nanoTime() - t1;
    }
    System.out.printf("FilePolicyStoreKillTest: %d kills in %.1f s, %d revisions; %d landed mid-write"
        + " (a temporary file was left), %d between writes; children %.1f s, checks %.1f s; seed=%d%n", kills,
        (System.nanoTime() - started) / 1e9, checked.size(), midWrite, kills - midWrite,
        phaseNanos[0] / 1e9, phaseNanos[1] / 1e9, seed);
    assertThat(checked).as("revisions committed over all kills").hasSizeGreaterThanOrEqualTo(kills);
  }

  /** Starts the child, waits for its first commit, kills it after {@code delayMicros}; returns the last revision it reported. */
  private long runAndKill(List<Path> documents, Path stderr, long delayMicros, String what) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child = new ProcessBuilder(java.toString(), "-XX:TieredStopAtLevel=1", "-Xshare:auto",
        "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Dslf4j.provider=org.slf4j.helpers.NOP_FallbackServiceProvider",
        "-cp", childClassPath(), StoreWriterChild.class.getName(),
        stateDir.toString(), documents.get(1).toString(), documents.get(0).toString())
        .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()))
        .start();
    AtomicLong reported = new AtomicLong();
    CountDownLatch firstCommit = new CountDownLatch(1);
    AtomicReference<IOException> readFailure = new AtomicReference<>();
    Thread reader = new Thread(() -> readReports(child, reported, firstCommit, readFailure), "kill-test-reader");
    reader.start();
    try {
      if (!firstCommit.await(FIRST_COMMIT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        fail(what + ": the child committed nothing within " + FIRST_COMMIT_TIMEOUT + "; its stderr:\n"
            + Files.readString(stderr));
      }
      waitMicros(delayMicros);
      if (!child.isAlive()) {
        fail(what + ": the child ended by itself with exit code " + child.exitValue() + "; its stderr:\n"
            + Files.readString(stderr));
      }
      child.toHandle().destroyForcibly(); // SIGKILL; unlike Process.destroyForcibly, leaves its stdout readable
      assertThat(child.waitFor(FIRST_COMMIT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as(what + ": child killed").isTrue();
    } finally {
      // Process.destroyForcibly closes our end of the child's stdout: only for a child still alive
      // (a failure above), never under a reader still draining what a killed child wrote.
      if (child.isAlive()) {
        child.destroyForcibly();
      }
      reader.join(TimeUnit.SECONDS.toMillis(30));
    }
    assertThat(reader.isAlive()).as(what + ": the child's stdout ended").isFalse();
    assertThat(readFailure.get()).as(what + ": reading the child's stdout").isNull();
    return reported.get();
  }

  /**
   * The class path the child needs, a few entries of ours ({@code java.class.path} under surefire
   * is a jar whose manifest lists every test dependency, slower to start with).
   */
  private static String childClassPath() {
    return Stream.of(StoreWriterChild.class, FilePolicyStore.class, Config.class, org.slf4j.Logger.class)
        .map(c -> {
          try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
          } catch (URISyntaxException e) {
            throw new IllegalStateException("where " + c + " was loaded from", e);
          }
        })
        .distinct()
        .collect(Collectors.joining(File.pathSeparator));
  }

  private static void readReports(Process child, AtomicLong reported, CountDownLatch firstCommit,
      AtomicReference<IOException> failure) {
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        Matcher m = COMMITTED.matcher(line);
        if (m.matches()) { // a line cut by the kill does not count
          reported.set(Long.parseLong(m.group(1)));
          firstCommit.countDown();
        }
      }
    } catch (IOException e) {
      failure.set(e);
    }
  }

  /** Waits {@code micros} µs: parks for most of it, then spins, for microsecond granularity. */
  private static void waitMicros(long micros) {
    long deadline = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(micros);
    long parkUntil = deadline - TimeUnit.MICROSECONDS.toNanos(200);
    while (System.nanoTime() - parkUntil < 0) {
      LockSupport.parkNanos(parkUntil - System.nanoTime());
    }
    while (System.nanoTime() - deadline < 0) {
      Thread.onSpinWait();
    }
  }

  private boolean hasTemporaryFile() throws IOException {
    try (Stream<Path> files = Files.list(stateDir.resolve("revisions"))) {
      return files.anyMatch(f -> StateFiles.isTemporary(f.getFileName().toString()));
    }
  }

  /**
   * Opens the store as a restarted controller would and checks it. Revisions already checked after
   * an earlier kill must be byte for byte as they were ({@code checked}, extended here); newer ones
   * must load and hold the config the child wrote for their number (compared as configs: the bytes
   * of a document differ between JVMs, its maps being in hash order).
   */
  private void verifyAfterKill(List<Config> expected, List<byte[]> checked, long reported, String what)
      throws IOException {
    try (FilePolicyStore store = FilePolicyStore.open(stateDir)) {
      assertThat(hasTemporaryFile()).as(what + ": temporary files are gone after open").isFalse();
      Optional<StoredRevision> latest = store.latest();
      assertThat(latest).as(what + ": a revision after restart").isPresent();
      long newest = latest.get().revision();
      assertThat(newest).as(what + ": the newest revision is at least the last one reported committed")
          .isGreaterThanOrEqualTo(reported);
      assertThat(newest).as(what + ": the newest revision is at least the one found after the last kill")
          .isGreaterThanOrEqualTo(checked.size());
      PolicyDocuments.read(latest.get().document(), what + " latest revision " + newest);
      List<Long> changed = new ArrayList<>();
      for (long n = 1; n <= newest; n++) {
        Optional<StoredRevision> revision = store.get(n);
        assertThat(revision).as(what + ": revision " + n + " of " + newest).isPresent();
        byte[] document = revision.get().document();
        if (n <= checked.size()) {
          if (!Arrays.equals(document, checked.get((int) n - 1))) {
            changed.add(n);
          }
        } else {
          assertThat(PolicyDocuments.read(document, what + " revision " + n))
              .as(what + ": the config of revision " + n).isEqualTo(expected.get((int) (n % 2)));
          checked.add(document);
        }
      }
      assertThat(changed).as(what + ": revisions that changed since the last kill").isEmpty();
    }
  }

  private static Path demoConfig() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path demo = dir.resolve("examples").resolve("demo.yaml");
      if (Files.isRegularFile(demo)) {
        return demo;
      }
    }
    throw new IllegalStateException("examples/demo.yaml not found above " + Path.of("").toAbsolutePath());
  }
}
