package org.nicflow.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository's {@code nicflow} script runs Java with a bounded heap and ends on out-of-memory.
 * It runs here in a copy of the repository's layout whose controller jar is {@link HeapProbe}, so
 * no build is needed and what the JVM got is observed from inside it.
 */
class LauncherTest {

  static final String JAR = "controller/target/controller-0.1.0-SNAPSHOT-all.jar";

  @TempDir Path repo;

  /** The jar's main class: prints the heap limit, or fills the heap. */
  public static final class HeapProbe {
    public static void main(String[] args) {
      if (args.length > 0 && args[0].equals("fill")) {
        List<byte[]> hoard = new ArrayList<>();
        while (true) {
          hoard.add(new byte[1 << 20]);
        }
      }
      System.out.println(Runtime.getRuntime().maxMemory());
    }
  }

  record Run(int exit, String out, String err) {}

  @Test
  void theDefaultHeapIsOneGibibyte() throws Exception {
    Run run = launch(Map.of(), "max-heap");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(Long.parseLong(run.out().trim())).isBetween(900L << 20, 1L << 30);
  }

  @Test
  void javaOptionsOverrideTheHeap() throws Exception {
    Run run = launch(Map.of("NICFLOW_JAVA_OPTS", "-Xmx64m -Dunused=1"), "max-heap");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(Long.parseLong(run.out().trim())).isLessThanOrEqualTo(64L << 20);
  }

  @Test
  void runningOutOfMemoryEndsTheProcess() throws Exception {
    Run run = launch(Map.of("NICFLOW_HEAP", "32m"), "fill");
    assertThat(run.exit()).as(run.err()).isEqualTo(3); // the JVM's exit on out-of-memory
    assertThat(run.out()).as("the JVM says why, on its standard output")
        .contains("Terminating due to java.lang.OutOfMemoryError");
  }

  private Run launch(Map<String, String> env, String... args) throws Exception {
    layOutRepository();
    List<String> command = new ArrayList<>(List.of("bash", repo.resolve("nicflow").toString()));
    command.addAll(List.of(args));
    var builder = new ProcessBuilder(command);
    Map<String, String> environment = builder.environment();
    environment.remove("NICFLOW_JAVA_OPTS");
    environment.remove("NICFLOW_HEAP");
    environment.remove("JAVA_TOOL_OPTIONS");
    environment.put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":"
        + environment.getOrDefault("PATH", "/usr/bin:/bin"));
    environment.putAll(env);
    Process process = builder.start();
    process.getOutputStream().close();
    var out = new java.io.ByteArrayOutputStream();
    var err = new java.io.ByteArrayOutputStream();
    Thread outReader = copier(process.getInputStream(), out);
    Thread errReader = copier(process.getErrorStream(), err);
    boolean ended = process.waitFor(60, TimeUnit.SECONDS);
    if (!ended) {
      process.destroyForcibly();
    }
    assertThat(ended).as("the launched JVM ended").isTrue();
    outReader.join();
    errReader.join();
    return new Run(process.exitValue(), out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  private static Thread copier(InputStream in, OutputStream out) {
    Thread t = new Thread(() -> {
      try (in) {
        in.transferTo(out);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    t.start();
    return t;
  }

  /** The script, the sources it checks for staleness (older), and a jar newer than them. */
  private void layOutRepository() throws IOException {
    Path script = repositoryRoot().resolve("nicflow");
    Files.copy(script, repo.resolve("nicflow"), StandardCopyOption.REPLACE_EXISTING);
    FileTime past = FileTime.from(Instant.now().minusSeconds(3600));
    for (String dir : List.of("flow-compiler", "controller/target")) {
      Files.createDirectories(repo.resolve(dir));
    }
    Files.writeString(repo.resolve("pom.xml"), "<project/>");
    for (String path : List.of("pom.xml", "flow-compiler", "controller")) {
      Files.setLastModifiedTime(repo.resolve(path), past);
    }
    var manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, HeapProbe.class.getName());
    String entry = HeapProbe.class.getName().replace('.', '/') + ".class";
    try (var jar = new JarOutputStream(Files.newOutputStream(repo.resolve(JAR)), manifest);
        InputStream probe = HeapProbe.class.getClassLoader().getResourceAsStream(entry)) {
      jar.putNextEntry(new JarEntry(entry));
      probe.transferTo(jar);
      jar.closeEntry();
    }
  }

  private static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("nicflow")) && Files.isDirectory(dir.resolve("controller"))) {
        return dir;
      }
    }
    throw new IllegalStateException("the nicflow script not found above " + Path.of("").toAbsolutePath());
  }
}
