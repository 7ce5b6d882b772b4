package org.nicflow.controller.api;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** A complete HTTP answer: status, content type, extra headers and body bytes. */
public record ApiResponse(int status, String contentType, Map<String, String> headers, byte[] body) {

  public static final String JSON = "application/json; charset=utf-8";
  /** Prometheus text exposition format 0.0.4. */
  public static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

  public ApiResponse {
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(body, "body");
    headers = Map.copyOf(headers);
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("bad status " + status);
    }
  }

  public ApiResponse(int status, String contentType, byte[] body) {
    this(status, contentType, Map.of(), body);
  }

  public static ApiResponse json(int status, String json) {
    return new ApiResponse(status, JSON, json.getBytes(StandardCharsets.UTF_8));
  }

  public static ApiResponse text(String contentType, String text) {
    return new ApiResponse(200, contentType, text.getBytes(StandardCharsets.UTF_8));
  }

  /** This answer with header {@code name} set to {@code value}. */
  public ApiResponse withHeader(String name, String value) {
    Map<String, String> more = new LinkedHashMap<>(headers);
    more.put(name, value);
    return new ApiResponse(status, contentType, more, body);
  }

  /** This answer with {@code ETag: "<revision>"}: the policy revision it was read from or written as. */
  public ApiResponse withRevision(long revision) {
    return withHeader("ETag", Revisions.etag(revision));
  }
}
