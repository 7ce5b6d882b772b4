package org.nicflow.controller.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiTokenTest {

  @TempDir
  Path stateDir;

  @Test
  void theFirstCallCreatesA256BitUrlSafeTokenAndLaterCallsReturnIt() throws IOException {
    Path dir = stateDir.resolve("new/state");

    String token = ApiToken.loadOrCreate(dir);

    assertThat(token).matches("[A-Za-z0-9_-]{43}");
    assertThat(Base64.getUrlDecoder().decode(token)).hasSize(32);
    assertThat(Files.readString(dir.resolve("api-token")).strip()).isEqualTo(token);
    assertThat(ApiToken.loadOrCreate(dir)).isEqualTo(token);
  }

  @Test
  void theTokenFileIsReadableByItsOwnerOnly() throws IOException {
    assumeTrue(stateDir.getFileSystem().supportedFileAttributeViews().contains("posix"), "a POSIX file system");

    ApiToken.loadOrCreate(stateDir);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stateDir.resolve("api-token"))))
        .isEqualTo("rw-------");
  }

  @Test
  void twoStateDirectoriesGetDifferentTokens() {
    assertThat(ApiToken.loadOrCreate(stateDir.resolve("a"))).isNotEqualTo(ApiToken.loadOrCreate(stateDir.resolve("b")));
  }

  @Test
  void aTokenTheOperatorWroteIsUsedAsItIs() throws IOException {
    String own = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    Files.writeString(stateDir.resolve("api-token"), own + "\n");

    assertThat(ApiToken.loadOrCreate(stateDir)).isEqualTo(own);
  }

  @Test
  void aFileThatHoldsNoTokenIsReportedNotReplaced() throws IOException {
    Path file = stateDir.resolve("api-token");
    Files.writeString(file, "short token\n");

    assertThatThrownBy(() -> ApiToken.loadOrCreate(stateDir))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("delete it");
    assertThat(Files.readString(file)).isEqualTo("short token\n");
  }

  @Test
  void leftoversOfAnInterruptedCreationAreDeleted() throws IOException {
    Path leftover = stateDir.resolve(".api-token.0123456789abcdef.tmp");
    Files.writeString(leftover, "half");

    ApiToken.loadOrCreate(stateDir);

    assertThat(leftover).doesNotExist();
    try (Stream<Path> files = Files.list(stateDir)) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("api-token", "api-token.lock");
    }
  }

  @Test
  void callersRacingOnAFreshDirectoryAllGetTheSameToken() throws Exception {
    int callers = 6;
    ExecutorService threads = Executors.newFixedThreadPool(callers);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<String>> tokens = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        tokens.add(threads.submit(() -> {
          start.await();
          return ApiToken.loadOrCreate(stateDir);
        }));
      }
      start.countDown();
      List<String> got = new ArrayList<>();
      for (Future<String> token : tokens) {
        got.add(token.get(60, TimeUnit.SECONDS));
      }

      assertThat(got).hasSize(callers).containsOnly(Files.readString(stateDir.resolve("api-token")).strip());
    } finally {
      threads.shutdownNow();
    }
  }
}
