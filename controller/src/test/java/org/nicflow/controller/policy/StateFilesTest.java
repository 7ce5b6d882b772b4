package org.nicflow.controller.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateFilesTest {

  @TempDir
  Path dir;

  private long fileCount() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.count();
    }
  }

  @Test
  void aDurableWriteLeavesOnlyTheFinalFile() throws IOException {
    assertThat(StateFiles.writeDurably(dir, "x.json", "{}".getBytes(StandardCharsets.UTF_8), Optional.empty()))
        .as("ext4, xfs and tmpfs sync directories").isTrue();

    assertThat(Files.readString(dir.resolve("x.json"))).isEqualTo("{}");
    assertThat(fileCount()).isEqualTo(1);
  }

  @Test
  void aWriteThatCannotRenameDeletesItsTemporaryFile() throws IOException {
    Path inTheWay = Files.createDirectory(dir.resolve("x.json"));
    Files.writeString(inTheWay.resolve("inside"), "keeps the directory non-empty");

    assertThatThrownBy(() -> StateFiles.writeDurably(dir, "x.json", new byte[] {1}, Optional.empty()))
        .isInstanceOf(IOException.class);

    assertThat(fileCount()).as("no temporary file left").isEqualTo(1);
    assertThat(inTheWay.resolve("inside")).exists();
  }

  @Test
  void temporaryNamesAreTold() {
    assertThat(StateFiles.isTemporary(".00000000000000000001.json.0123456789abcdef.tmp")).isTrue();
    assertThat(StateFiles.isTemporary(".api-token.0123456789abcdef.tmp")).isTrue();
    assertThat(StateFiles.isTemporary("00000000000000000001.json")).isFalse();
    assertThat(StateFiles.isTemporary("notes.tmp")).isFalse();
  }
}
