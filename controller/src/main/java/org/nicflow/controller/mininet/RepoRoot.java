package org.nicflow.controller.mininet;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository checkout the integration tests run against. */
public final class RepoRoot {

  static final String PROPERTY = "nicflow.repo";
  private static final String MARKER = "mininet-topologies/harness.py";

  private RepoRoot() {}

  /**
   * The directory named by the {@code nicflow.repo} system property (set by the failsafe
   * configuration), else the nearest ancestor of the working directory holding the harness.
   */
  public static Path find() {
    String configured = System.getProperty(PROPERTY);
    if (configured != null && Files.isRegularFile(Path.of(configured).resolve(MARKER))) {
      return Path.of(configured).toAbsolutePath();
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve(MARKER))) {
        return dir;
      }
    }
    throw new IllegalStateException("cannot find the repository root: set -D" + PROPERTY
        + " to the directory holding " + MARKER + " (was " + configured + ")");
  }
}
