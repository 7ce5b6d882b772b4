package org.nicflow.controller.api;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** A complete HTTP answer: status, content type and body bytes. */
public record ApiResponse(int status, String contentType, byte[] body) {

  public static final String JSON = "application/json; charset=utf-8";
  /** Prometheus text exposition format 0.0.4. */
  public static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

  public ApiResponse {
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(body, "body");
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("bad status " + status);
    }
  }

  public static ApiResponse json(int status, String json) {
    return new ApiResponse(status, JSON, json.getBytes(StandardCharsets.UTF_8));
  }

  public static ApiResponse text(String contentType, String text) {
    return new ApiResponse(200, contentType, text.getBytes(StandardCharsets.UTF_8));
  }
}
