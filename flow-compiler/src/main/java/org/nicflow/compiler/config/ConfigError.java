package org.nicflow.compiler.config;

import java.util.Objects;

/**
 * One reason a config is rejected.
 *
 * @param source the file name (or {@code <input>})
 * @param path the path to the bad field, e.g. {@code rulesets[0].layers[1].rules[3].dst_port}
 * @param message why, in words an operator understands
 */
public record ConfigError(String source, String path, String message) {
  public ConfigError {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(message, "message");
  }

  /** {@code file: path: message}, one line. */
  @Override
  public String toString() {
    return source + ": " + (path.isEmpty() ? "" : path + ": ") + message;
  }
}
