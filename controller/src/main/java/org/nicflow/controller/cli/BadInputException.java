package org.nicflow.controller.cli;

/** Input the user can correct (an unknown name, a bad argument): exit code 2, message on stderr. */
public final class BadInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BadInputException(String message) {
    super(message);
  }
}
