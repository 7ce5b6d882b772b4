package org.nicflow.controller.cli;

/** The controller could not be reached or failed to answer (5xx): exit code 1, message on stderr. */
public final class ApiFailureException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ApiFailureException(String message) {
    super(message);
  }
}
