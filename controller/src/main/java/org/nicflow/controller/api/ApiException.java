package org.nicflow.controller.api;

/**
 * A request the API answers with an error status and {@code {"error": message}}: bad input (400),
 * an unknown resource (404), a wrong method (405), a switch that cannot answer (503).
 */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;

  public ApiException(int status, String message) {
    super(message);
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("not an error status: " + status);
    }
    this.status = status;
  }

  public int status() {
    return status;
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
}
