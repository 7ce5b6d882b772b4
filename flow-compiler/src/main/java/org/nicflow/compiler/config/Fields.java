package org.nicflow.compiler.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Typed access to the keys of one mapping of the config tree. Every problem (unknown key, missing
 * key, wrong type, unparseable value) is written to the error log with the key's path; the accessor
 * then answers empty so that reading goes on and all errors of a file are reported at once.
 */
final class Fields {

  /** Names of hosts, VNETs, VMs, rule sets, layers, load balancers and rule ids. */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
  /** Linux interface names as OVS port names: at most 15 characters. */
  static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,14}");

  private final JsonNode node;
  private final String path;
  private final ErrorLog log;

  private Fields(JsonNode node, String path, ErrorLog log) {
    this.node = node;
    this.path = path;
    this.log = log;
  }

  /**
   * The mapping at {@code path}, or empty (with an error) when the node is not a mapping. Keys not
   * in {@code allowed} are reported as unknown.
   */
  static Optional<Fields> of(JsonNode node, String path, ErrorLog log, Set<String> allowed) {
    if (node == null || !node.isObject()) {
      log.add(path, "wrong type: expected a mapping of keys, got " + describe(node));
      return Optional.empty();
    }
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String key = names.next();
      if (!allowed.contains(key)) {
        log.add(ErrorLog.at(path, key), "unknown key '" + key + "' (" + suggestion(key, allowed) + ")");
      }
    }
    return Optional.of(new Fields(node, path, log));
  }

  /** "did you mean 'x'?" for a near miss, else the list of keys allowed here. */
  static String suggestion(String key, Set<String> allowed) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : new TreeSet<>(allowed)) {
      int d = distance(key, candidate);
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    if (best != null && bestDistance <= 2 && bestDistance < best.length()) {
      return "did you mean '" + best + "'?";
    }
    return "expected one of: " + String.join(", ", new TreeSet<>(allowed));
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  String path() {
    return path;
  }

  String at(String key) {
    return ErrorLog.at(path, key);
  }

  ErrorLog log() {
    return log;
  }

  /** Whether the key is present with a non-null value. */
  boolean has(String key) {
    JsonNode value = node.get(key);
    return value != null && !value.isNull();
  }

  /** The value of a key; a missing required key is an error. */
  Optional<JsonNode> value(String key, boolean required) {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      if (required) {
        log.add(at(key), value == null ? "missing required key '" + key + "'" : "key '" + key + "' has no value");
      }
      return Optional.empty();
    }
    return Optional.of(value);
  }

  Optional<String> string(String key, boolean required) {
    return value(key, required).flatMap(v -> {
      if (!v.isTextual()) {
        log.add(at(key), "wrong type: expected a string, got " + describe(v)
            + (v.isNumber() || v.isBoolean() ? " (quote it: \"" + v.asText() + "\")" : ""));
        return Optional.empty();
      }
      return Optional.of(v.textValue());
    });
  }

  /** A string matching {@code pattern}; {@code what} names the value in the error. */
  Optional<String> matching(String key, boolean required, Pattern pattern, String what) {
    return string(key, required).flatMap(s -> {
      if (!pattern.matcher(s).matches()) {
        log.add(at(key), "bad " + what + " '" + s + "'");
        return Optional.empty();
      }
      return Optional.of(s);
    });
  }

  /** A string parsed by a model parser; its {@link IllegalArgumentException} message is the error. */
  <T> Optional<T> parsed(String key, boolean required, Function<String, T> parser) {
    return string(key, required).flatMap(s -> {
      try {
        return Optional.of(parser.apply(s));
      } catch (IllegalArgumentException e) {
        log.add(at(key), e.getMessage());
        return Optional.empty();
      }
    });
  }

  Optional<Long> integer(String key, boolean required, long lo, long hi) {
    return value(key, required).flatMap(v -> integerValue(v, at(key), lo, hi, log));
  }

  static Optional<Long> integerValue(JsonNode v, String path, long lo, long hi, ErrorLog log) {
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      log.add(path, "wrong type: expected a whole number, got " + describe(v));
      return Optional.empty();
    }
    long n = v.longValue();
    if (n < lo || n > hi) {
      log.add(path, n + " is outside " + lo + "-" + hi);
      return Optional.empty();
    }
    return Optional.of(n);
  }

  Optional<Boolean> bool(String key) {
    return value(key, false).flatMap(v -> {
      if (!v.isBoolean()) {
        log.add(at(key), "wrong type: expected true or false, got " + describe(v));
        return Optional.empty();
      }
      return Optional.of(v.booleanValue());
    });
  }

  /** One of the given lower-case words. */
  Optional<String> word(String key, boolean required, List<String> words) {
    return string(key, required).flatMap(s -> {
      if (!words.contains(s)) {
        log.add(at(key), "bad value '" + s + "' (expected one of: " + String.join(", ", words) + ")");
        return Optional.empty();
      }
      return Optional.of(s);
    });
  }

  /** The elements of a list. */
  Optional<List<JsonNode>> list(String key, boolean required) {
    return value(key, required).flatMap(v -> {
      if (!v.isArray()) {
        log.add(at(key), "wrong type: expected a list, got " + describe(v));
        return Optional.empty();
      }
      List<JsonNode> items = new ArrayList<>();
      v.forEach(items::add);
      return Optional.of(items);
    });
  }

  static String describe(JsonNode v) {
    if (v == null || v.isMissingNode()) {
      return "nothing";
    }
    if (v.isNull()) {
      return "null";
    }
    if (v.isObject()) {
      return "a mapping";
    }
    if (v.isArray()) {
      return "a list";
    }
    if (v.isBoolean()) {
      return "boolean " + v.asText();
    }
    if (v.isNumber()) {
      return "number " + v.asText();
    }
    return "string '" + v.asText() + "'";
  }
}
