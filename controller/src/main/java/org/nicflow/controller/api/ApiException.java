package org.nicflow.controller.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request the API answers with an error status and {@code {"error": message, ...details}}: bad
 * input (400), an unknown resource (404), a wrong method (405), a stale revision (409), a switch
 * that cannot answer (503), a revision not enforced in time (504).
 */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final transient Map<String, Object> details;
  private final transient Map<String, String> headers;

  public ApiException(int status, String message) {
    this(status, message, Map.of(), Map.of());
  }

  /**
   * @param details more keys of the JSON answer, after {@code error}, in order
   * @param headers headers of the answer
   */
  public ApiException(int status, String message, Map<String, ?> details, Map<String, String> headers) {
    super(message);
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("not an error status: " + status);
    }
    this.status = status;
    this.details = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(details));
    this.headers = Map.copyOf(headers);
  }

  public int status() {
    return status;
  }

  /** More keys of the JSON answer, in order. */
  public Map<String, Object> details() {
    return details;
  }

  public Map<String, String> headers() {
    return headers;
  }

  public static ApiException badRequest(String message) {
    return new ApiException(400, message);
  }

  public static ApiException notFound(String message) {
    return new ApiException(404, message);
  }

  public static ApiException unavailable(String message) {
    return new ApiException(503, message);
  }

  /** 503 with {@code Retry-After: 1}: the API is too busy now, a later try may do. */
  public static ApiException busy(String message) {
    return new ApiException(503, message, Map.of(), Map.of("Retry-After", "1"));
  }
}
