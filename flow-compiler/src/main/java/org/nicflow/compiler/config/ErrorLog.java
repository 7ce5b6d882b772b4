package org.nicflow.compiler.config;

import java.util.ArrayList;
import java.util.List;

/** The errors found in one config source, in the order they were found. */
final class ErrorLog {
  private final String source;
  private final List<ConfigError> errors = new ArrayList<>();

  ErrorLog(String source) {
    this.source = source;
  }

  void add(String path, String message) {
    errors.add(new ConfigError(source, path, message));
  }

  int size() {
    return errors.size();
  }

  boolean isEmpty() {
    return errors.isEmpty();
  }

  List<ConfigError> errors() {
    return List.copyOf(errors);
  }

  /** The path of {@code key} inside the object at {@code parent}. */
  static String at(String parent, String key) {
    return parent.isEmpty() ? key : parent + "." + key;
  }

  /** The path of element {@code index} of the list at {@code parent}. */
  static String at(String parent, int index) {
    return parent + "[" + index + "]";
  }
}
