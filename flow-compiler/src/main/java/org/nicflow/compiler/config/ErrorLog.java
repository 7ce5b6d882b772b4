package org.nicflow.compiler.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The errors found in one config source, in the order they were found. A path or message longer
 * than {@link #MAX_TEXT} characters is cut there, so a huge value quoted in an error (a long key, a
 * long bad name) does not make a huge error.
 */
final class ErrorLog {
  static final int MAX_TEXT = 300;

  private final String source;
  private final List<ConfigError> errors = new ArrayList<>();

  ErrorLog(String source) {
    this.source = source;
  }

  void add(String path, String message) {
    errors.add(new ConfigError(source, cut(path), cut(message)));
  }

  String source() {
    return source;
  }

  private static String cut(String text) {
    if (text.length() <= MAX_TEXT) {
      return text;
    }
    int end = Character.isHighSurrogate(text.charAt(MAX_TEXT - 1)) ? MAX_TEXT - 1 : MAX_TEXT;
    return text.substring(0, end) + "... (" + (text.length() - end) + " more characters)";
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
