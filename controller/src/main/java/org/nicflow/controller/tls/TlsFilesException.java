package org.nicflow.controller.tls;

/** A key or certificate file that cannot be used; the message names the file and the reason. */
public final class TlsFilesException extends Exception {

  TlsFilesException(String message) {
    super(message);
  }

  TlsFilesException(String message, Throwable cause) {
    super(message, cause);
  }
}
