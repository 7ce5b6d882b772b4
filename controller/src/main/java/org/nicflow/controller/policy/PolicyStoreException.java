package org.nicflow.controller.policy;

/** The store could not read or make durable a revision; the operation changed nothing. */
public final class PolicyStoreException extends RuntimeException {

  public PolicyStoreException(String message, Throwable cause) {
    super(message, cause);
  }

  public PolicyStoreException(String message) {
    super(message);
  }
}
