package org.nicflow.controller.policy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Durable file writes for the state directory: a file is written under a temporary name in its
 * final directory, fsynced, renamed atomically to its final name, and the directory is fsynced, so
 * a reader sees either no file or the whole file, before and after a crash.
 */
final class StateFiles {

  /** How long a store waits for another store of the same JVM that holds the file lock. */
  private static final Duration IN_JVM_LOCK_WAIT = Duration.ofSeconds(60);
  private static final long LOCK_RETRY_NANOS = Duration.ofMillis(1).toNanos() / 5;

  private StateFiles() {}

  /** Whether {@code fileName} is a temporary file of {@link #writeDurably} (a leftover of a crash). */
  static boolean isTemporary(String fileName) {
    return fileName.startsWith(".") && fileName.endsWith(".tmp");
  }

  /**
   * Writes {@code bytes} as the new file {@code dir/name} (the caller makes sure, under a lock,
   * that the name is free). Returns once the file and its name are on stable storage.
   *
   * @param permissions the new file's permissions where the file system is POSIX; empty: the default
   * @return false when the file system cannot sync directories (the name may be lost on power loss)
   * @throws IOException when the file could not be made durable; then {@code dir/name} does not
   *     exist (as far as a failing file system allows) and no temporary file is left
   */
  static boolean writeDurably(Path dir, String name, byte[] bytes, Optional<Set<PosixFilePermission>> permissions)
      throws IOException {
    Path target = dir.resolve(name);
    Path temp = dir.resolve("." + name + "." + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()) + ".tmp");
    boolean renamed = false;
    try {
      try (FileChannel out = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
          fileAttributes(dir, permissions))) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          out.write(buffer);
        }
        out.force(true);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      renamed = true;
      return syncDirectory(dir);
    } catch (IOException | RuntimeException e) {
      deleteAfterFailure(renamed ? target : temp, e);
      throw e;
    }
  }

  private static FileAttribute<?>[] fileAttributes(Path dir, Optional<Set<PosixFilePermission>> permissions) {
    if (permissions.isPresent() && dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions.get())};
    }
    return new FileAttribute<?>[0];
  }

  private static void deleteAfterFailure(Path file, Exception failure) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
  }

  /**
   * Fsyncs directory {@code dir}, so that names created or renamed in it survive a crash.
   *
   * @return false when the platform or file system cannot sync a directory: Windows cannot open
   *     one, and some file systems answer EINVAL ("Invalid argument"); every other failure throws
   */
  static boolean syncDirectory(Path dir) throws IOException {
    FileChannel channel;
    try {
      channel = FileChannel.open(dir, StandardOpenOption.READ);
    } catch (AccessDeniedException e) {
      if (System.getProperty("os.name", "").startsWith("Windows")) {
        return false;
      }
      throw e;
    }
    try (channel) {
      channel.force(true);
      return true;
    } catch (IOException e) {
      if ("Invalid argument".equals(e.getMessage())) {
        return false;
      }
      throw e;
    }
  }

  /**
   * Takes the exclusive OS lock on {@code channel}'s file, waiting for other processes. The JVM
   * holds file locks per process, so a second store of the same JVM on the same directory (tests)
   * gets {@link OverlappingFileLockException}: then this waits by polling, for a minute at most.
   */
  static FileLock lock(FileChannel channel, Path file) throws IOException {
    long deadline = System.nanoTime() + IN_JVM_LOCK_WAIT.toNanos();
    while (true) {
      try {
        return channel.lock();
      } catch (OverlappingFileLockException e) {
        if (System.nanoTime() - deadline > 0) {
          throw new IOException("another store of this process held the lock " + file + " for over "
              + IN_JVM_LOCK_WAIT.toSeconds() + " s", e);
        }
        LockSupport.parkNanos(LOCK_RETRY_NANOS);
      }
    }
  }
}
