package org.nicflow.controller.api;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One request as the router sees it.
 *
 * @param headers header names in lower case, each with its first value
 * @param rawQuery the query string, undecoded ({@code null} or empty: none)
 */
public record ApiRequest(String method, String path, Map<String, String> headers, String rawQuery, byte[] body) {

  public ApiRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    Map<String, String> lower = new LinkedHashMap<>();
    headers.forEach((k, v) -> lower.putIfAbsent(k.toLowerCase(Locale.ROOT), v));
    headers = Map.copyOf(lower);
    rawQuery = rawQuery == null ? "" : rawQuery;
    Objects.requireNonNull(body, "body");
  }

  /** A request with no headers and no query (tests, internal calls). */
  public static ApiRequest of(String method, String path, byte[] body) {
    return new ApiRequest(method, path, Map.of(), "", body);
  }

  public Optional<String> header(String name) {
    return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
  }

  /**
   * The decoded query parameters.
   *
   * @throws ApiException 400 for a parameter not in {@code allowed}, one given twice, or bad escapes
   */
  public Map<String, String> query(Set<String> allowed) {
    Map<String, String> params = new LinkedHashMap<>();
    if (rawQuery.isEmpty()) {
      return Map.of();
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key;
      String value;
      try {
        key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("malformed query '" + rawQuery + "': " + e.getMessage());
      }
      if (!allowed.contains(key)) {
        throw ApiException.badRequest("unknown query parameter '" + key + "'"
            + (allowed.isEmpty() ? " (" + method + " " + path + " takes none)"
                : " (known: " + String.join(", ", allowed.stream().sorted().toList()) + ")"));
      }
      if (params.put(key, value) != null) {
        throw ApiException.badRequest("query parameter '" + key + "' given twice");
      }
    }
    return Map.copyOf(params);
  }
}
