package org.nicflow.controller.policy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded, durable {@link PolicyStore}: one file per revision in a state directory.
 *
 * <p>Layout: {@code <stateDir>/revisions/<revision, 20 digits zero-padded>.json} holds the document
 * bytes of each revision; {@code <stateDir>/store.lock} is the lock file that serializes commits of
 * all processes.
 *
 * <p>Durability: {@link #commit} writes the document to a temporary file in {@code revisions/},
 * fsyncs it, renames it atomically to its final name and fsyncs the directory, and returns only
 * then: a revision that {@code commit} returned survives a crash of the process or of the machine
 * (as far as the disk honours fsync; on a file system that cannot sync directories, the rename
 * alone, logged once). A reader never sees a partial revision: a revision file either does not
 * exist or is complete. Temporary files left by a crash are ignored and deleted at {@link #open}.
 *
 * <p>Revisions are contiguous (revision n+1 is only written once n exists) and never change or go
 * away. Commits are serialized within the process by a lock and across processes by an OS file
 * lock on {@code store.lock}, under which the newest revision is read again; so several processes
 * may share a directory. Within one process, open one store per directory: the JVM holds file
 * locks per process, and closing a second store's lock file would release the first one's lock.
 */
public final class FilePolicyStore implements PolicyStore {

  /** How often a watch looks for revisions committed by other processes, unless told otherwise. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(500);

  private static final Logger log = LoggerFactory.getLogger(FilePolicyStore.class);
  private static final Pattern REVISION_FILE = Pattern.compile("(\\d{20})\\.json");

  private final Path stateDir;
  private final Path revisionsDir;
  private final Path lockFile;
  private final Duration pollInterval;
  private final ReentrantLock commitLock = new ReentrantLock();
  private final AtomicLong knownNewest;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong watchFailures = new AtomicLong();
  private final AtomicBoolean directorySyncWarned = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Guarded by {@link #commitLock}; reopened when a thread interrupt closed it. */
  private FileChannel lockChannel;
  /** Created by the first watch; guarded by {@code this}. */
  private ScheduledExecutorService poller;

  private static final class Listener {
    private final Consumer<StoredRevision> consumer;
    private long seen;
    /** The revision the last delivery could not read (0: none), so that a poll retrying it logs once. */
    private long unreadable;
    private volatile boolean closed;

    private Listener(long seen, Consumer<StoredRevision> consumer) {
      this.seen = seen;
      this.consumer = consumer;
    }
  }

  private FilePolicyStore(Path stateDir, Duration pollInterval, FileChannel lockChannel, long newest) {
    this.stateDir = stateDir;
    this.revisionsDir = stateDir.resolve("revisions");
    this.lockFile = stateDir.resolve("store.lock");
    this.pollInterval = pollInterval;
    this.lockChannel = lockChannel;
    this.knownNewest = new AtomicLong(newest);
  }

  /** Opens (creating it if needed) the store in {@code stateDir}, polling for other processes' commits every 500 ms. */
  public static FilePolicyStore open(Path stateDir) {
    return open(stateDir, DEFAULT_POLL_INTERVAL);
  }

  /**
   * Opens (creating it if needed) the store in {@code stateDir}: creates the directories, deletes
   * temporary files a crash left and finds the newest revision.
   *
   * @param pollInterval how often watches look for revisions committed by other processes
   * @throws PolicyStoreException when the directory cannot be created, locked or read
   */
  public static FilePolicyStore open(Path stateDir, Duration pollInterval) {
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException("the poll interval must be positive, got " + pollInterval);
    }
    Path revisions = stateDir.resolve("revisions");
    FileChannel channel = null;
    try {
      boolean stateDirCreated = !Files.isDirectory(stateDir);
      boolean revisionsCreated = !Files.isDirectory(revisions);
      Files.createDirectories(revisions);
      if (stateDirCreated && stateDir.toAbsolutePath().getParent() != null) {
        StateFiles.syncDirectory(stateDir.toAbsolutePath().getParent());
      }
      if (revisionsCreated) {
        StateFiles.syncDirectory(stateDir);
      }
      channel = FileChannel.open(stateDir.resolve("store.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      long newest;
      try (FileLock lock = StateFiles.lock(channel, stateDir.resolve("store.lock"))) {
        newest = scanAndClean(revisions);
      }
      FilePolicyStore store = new FilePolicyStore(stateDir, pollInterval, channel, newest);
      log.info("policy store {} opened at revision {}", stateDir, newest);
      return store;
    } catch (IOException e) {
      closeQuietly(channel, e);
      throw new PolicyStoreException("cannot open the policy store in " + stateDir + ": " + describe(e), e);
    }
  }

  /** The highest revision in {@code revisions}, deleting temporary files; to be called under the file lock. */
  private static long scanAndClean(Path revisions) throws IOException {
    long newest = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(revisions)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        OptionalLong revision = parseRevision(name);
        if (revision.isPresent()) {
          newest = Math.max(newest, revision.getAsLong());
        } else if (StateFiles.isTemporary(name)) {
          Files.deleteIfExists(entry);
          log.info("deleted {}, the leftover of an interrupted commit", entry);
        } else {
          log.warn("ignoring {}: not a revision file", entry);
        }
      }
    }
    return newest;
  }

  private static OptionalLong parseRevision(String fileName) {
    Matcher m = REVISION_FILE.matcher(fileName);
    if (!m.matches()) {
      return OptionalLong.empty();
    }
    try {
      long revision = Long.parseLong(m.group(1));
      return revision >= 1 ? OptionalLong.of(revision) : OptionalLong.empty();
    } catch (NumberFormatException e) {
      return OptionalLong.empty(); // twenty digits beyond Long.MAX_VALUE: not a name this store writes
    }
  }

  /** The file of revision {@code revision}: {@code revisions/00000000000000000007.json}. */
  public Path revisionFile(long revision) {
    return revisionsDir.resolve(String.format("%020d.json", revision));
  }

  /** The state directory this store keeps its revisions in. */
  public Path stateDir() {
    return stateDir;
  }

  /**
   * The newest revision number: the highest at open, then followed upwards (revisions are
   * contiguous), so that revisions of other processes count too.
   */
  private long newestRevision() {
    long n = knownNewest.get();
    while (Files.exists(revisionFile(n + 1))) {
      n++;
    }
    return knownNewest.accumulateAndGet(n, Math::max);
  }

  /**
   * {@inheritDoc}
   *
   * @throws PolicyStoreException when the newest revision file cannot be read or is empty; the
   *     store never falls back to an older revision
   */
  @Override
  public Optional<StoredRevision> latest() {
    long newest = newestRevision();
    if (newest == 0) {
      return Optional.empty();
    }
    return Optional.of(get(newest).orElseThrow(() -> new PolicyStoreException(
        "the newest revision file " + revisionFile(newest) + " disappeared")));
  }

  /**
   * {@inheritDoc}
   *
   * @throws PolicyStoreException when the revision file exists but cannot be read or is empty
   */
  @Override
  public Optional<StoredRevision> get(long revision) {
    if (revision < 1) {
      return Optional.empty();
    }
    Path file = revisionFile(revision);
    byte[] document;
    try {
      document = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new PolicyStoreException("cannot read revision " + revision + " from " + file + ": " + describe(e), e);
    }
    if (document.length == 0) {
      throw new PolicyStoreException("revision file " + file + " is empty: a write lost by the disk, or a file this store did not write");
    }
    return Optional.of(new StoredRevision(revision, document));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Returns once the revision file and its name are fsynced (see the class comment).
   *
   * @throws IllegalArgumentException when {@code document} is empty (an empty revision file is how
   *     a lost write looks, so the store does not write one)
   */
  @Override
  public StoredRevision commit(long expected, byte[] document) {
    if (expected < 0) {
      throw new IllegalArgumentException("the expected revision cannot be negative, got " + expected);
    }
    if (document.length == 0) {
      throw new IllegalArgumentException("a policy document cannot be empty");
    }
    StoredRevision stored = new StoredRevision(expected + 1, document);
    commitLock.lock();
    try {
      if (closed.get()) {
        throw new IllegalStateException("the policy store in " + stateDir + " is closed");
      }
      try (FileLock lock = StateFiles.lock(openLockChannel(), lockFile)) {
        long actual = newestRevision();
        if (actual != expected) {
          throw new StaleRevisionException(expected, actual);
        }
        boolean directorySynced = StateFiles.writeDurably(
            revisionsDir, revisionFile(stored.revision()).getFileName().toString(), document, Optional.empty());
        if (!directorySynced && directorySyncWarned.compareAndSet(false, true)) {
          log.warn("the file system of {} cannot sync directories: a committed revision may be lost on power loss",
              revisionsDir);
        }
        knownNewest.accumulateAndGet(stored.revision(), Math::max);
      } catch (IOException e) {
        throw new PolicyStoreException("cannot commit revision " + stored.revision() + " to " + revisionsDir
            + " (nothing committed): " + describe(e), e);
      }
    } finally {
      commitLock.unlock();
    }
    for (Listener l : listeners) {
      deliverLogged(l);
    }
    return stored;
  }

  private FileChannel openLockChannel() throws IOException {
    if (!lockChannel.isOpen()) { // an interrupt during lock() closes the channel
      lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    }
    return lockChannel;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Revisions committed by this store are delivered on the committing thread right after the
   * commit; those of other processes on a daemon thread that polls the directory. A listener that
   * throws is logged and counted ({@link #watchFailures}) and still gets the next revisions.
   *
   * @throws PolicyStoreException when a revision already committed cannot be read (then there is
   *     no watch)
   */
  @Override
  public Watch watch(long fromRevision, Consumer<StoredRevision> listener) {
    if (closed.get()) {
      throw new IllegalStateException("the policy store in " + stateDir + " is closed");
    }
    Listener l = new Listener(Math.max(0, fromRevision), listener);
    Watch watch = () -> {
      l.closed = true;
      listeners.remove(l);
    };
    deliver(l); // what is committed already; throws before the watch is registered
    listeners.add(l);
    deliverLogged(l); // what was committed meanwhile
    startPolling();
    return watch;
  }

  private synchronized void startPolling() {
    if (poller != null || closed.get()) {
      return;
    }
    poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "policy-store-watch " + stateDir);
      t.setDaemon(true);
      return t;
    });
    long intervalNanos = pollInterval.toNanos();
    poller.scheduleWithFixedDelay(this::poll, intervalNanos, intervalNanos, TimeUnit.NANOSECONDS);
  }

  private void poll() {
    try {
      for (Listener l : listeners) {
        deliverLogged(l);
      }
    } catch (Error e) {
      log.error("watching {} stopped", revisionsDir, e);
      throw e;
    }
  }

  /**
   * {@link #deliver}, counting a revision that cannot be read and logging it once (the next polls
   * retry it).
   */
  private void deliverLogged(Listener l) {
    synchronized (l) {
      try {
        deliver(l);
        l.unreadable = 0;
      } catch (RuntimeException e) {
        watchFailures.incrementAndGet();
        if (l.unreadable != l.seen + 1) {
          l.unreadable = l.seen + 1;
          log.error("a watch of {} waits at revision {}, retrying every {} ms: {}", revisionsDir, l.seen + 1,
              pollInterval.toMillis(), e.getMessage(), e);
        }
      }
    }
  }

  /** Hands {@code l} every revision it has not seen, in order, once each. */
  private void deliver(Listener l) {
    synchronized (l) {
      while (!l.closed) {
        Optional<StoredRevision> next = get(l.seen + 1);
        if (next.isEmpty()) {
          return;
        }
        l.seen++;
        try {
          l.consumer.accept(next.get());
        } catch (RuntimeException e) {
          watchFailures.incrementAndGet();
          log.error("a policy store listener failed on {}", next.get(), e);
        }
      }
    }
  }

  /** How many times a listener threw or a watch could not read a revision. */
  public long watchFailures() {
    return watchFailures.get();
  }

  /** Stops the watches and their polling and releases the lock file. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    synchronized (this) {
      if (poller != null) {
        poller.shutdownNow();
      }
    }
    listeners.forEach(l -> l.closed = true);
    listeners.clear();
    commitLock.lock();
    try {
      lockChannel.close();
    } catch (IOException e) {
      log.warn("cannot close {}: {}", lockFile, describe(e), e);
    } finally {
      commitLock.unlock();
    }
  }

  private static void closeQuietly(FileChannel channel, Exception failure) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        failure.addSuppressed(e);
      }
    }
  }

  /** An IOException as a reader wants it: NIO messages are often just the path. */
  static String describe(IOException e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
