package org.nicflow.controller.policy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bearer token of the REST API, kept in {@code <stateDir>/api-token}: created on first use
 * from 32 {@link SecureRandom} bytes as URL-safe base64 (no padding), readable by the owner only
 * (0600 where the file system is POSIX), written durably like a policy revision (temporary file,
 * fsync, atomic rename, directory fsync). An operator may replace the file with a token of their
 * own (RFC 6750 token characters, at least 32 of them).
 */
public final class ApiToken {

  /** The token file's name in the state directory. */
  public static final String FILE_NAME = "api-token";

  private static final Logger log = LoggerFactory.getLogger(ApiToken.class);
  private static final String LOCK_FILE_NAME = "api-token.lock";
  private static final int RANDOM_BYTES = 32;
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._~+/-]{32,}=*");
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  private ApiToken() {}

  /**
   * The token in {@code stateDir/api-token}, created first (with the directory) when missing.
   * Processes calling this at the same time get the same token.
   *
   * @throws UncheckedIOException when the file cannot be read or written
   * @throws IllegalStateException when the file does not hold a token
   */
  public static String loadOrCreate(Path stateDir) {
    Path file = stateDir.resolve(FILE_NAME);
    try {
      Optional<String> existing = read(file);
      if (existing.isPresent()) {
        return existing.get();
      }
      Files.createDirectories(stateDir);
      Path lockFile = stateDir.resolve(LOCK_FILE_NAME);
      try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = StateFiles.lock(channel, lockFile)) {
        existing = read(file); // another process may have created it meanwhile
        if (existing.isPresent()) {
          return existing.get();
        }
        deleteLeftovers(stateDir);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes());
        StateFiles.writeDurably(stateDir, FILE_NAME, (token + "\n").getBytes(StandardCharsets.US_ASCII),
            Optional.of(OWNER_ONLY));
        log.info("created the REST API token in {}", file);
        return token;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load or create the REST API token " + file + ": "
          + FilePolicyStore.describe(e), e);
    }
  }

  private static byte[] randomBytes() {
    byte[] bytes = new byte[RANDOM_BYTES];
    new SecureRandom().nextBytes(bytes);
    return bytes;
  }

  private static Optional<String> read(Path file) throws IOException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII).strip();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    if (!TOKEN.matcher(text).matches()) {
      throw new IllegalStateException(file + " does not hold an API token (at least 32 of the characters"
          + " A-Z a-z 0-9 - . _ ~ + / and then = only); delete it to have a new token created");
    }
    warnIfOthersCanRead(file);
    return Optional.of(text);
  }

  private static void warnIfOthersCanRead(Path file) throws IOException {
    if (!file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return;
    }
    Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
    if (!OWNER_ONLY.containsAll(permissions)) {
      log.warn("{} is readable by others ({}): restrict it with chmod 600", file,
          PosixFilePermissions.toString(permissions));
    }
  }

  /** Deletes the temporary token files of a crashed creation; to be called under the lock. */
  private static void deleteLeftovers(Path stateDir) throws IOException {
    try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(stateDir, "." + FILE_NAME + ".*")) {
      for (Path leftover : leftovers) {
        if (StateFiles.isTemporary(leftover.getFileName().toString())) {
          Files.deleteIfExists(leftover);
        }
      }
    }
  }
}
