package org.nicflow.controller.openflow;

import io.netty.handler.ssl.NotSslRecordException;
import java.nio.channels.ClosedChannelException;

/**
 * Why a TLS handshake failed, for one log line: {@code reason} is what the TLS layer objected to
 * (its innermost message, one line, at most {@link #MAX_REASON} characters); {@code cause} is the
 * same without what varies from one connection to the next (the bytes of a record that is not
 * TLS), so that repeats of one failure are counted as one cause. Used by both TLS edges, the
 * switches' and the API's.
 */
public record TlsRefusal(String cause, String reason) {

  /** The longest reason logged: a record that is not TLS is otherwise logged as a hex dump. */
  static final int MAX_REASON = 160;

  public static TlsRefusal of(Throwable failure) {
    if (failure instanceof ClosedChannelException) {
      String closed = "closed by the peer during the TLS handshake";
      return new TlsRefusal(closed, closed);
    }
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String name = root.getClass().getSimpleName();
    String message = root.getMessage() == null ? "" : root.getMessage().lines().findFirst().orElse("");
    String reason = message.isEmpty() ? name : name + ": " + message;
    if (reason.length() > MAX_REASON) {
      reason = reason.substring(0, MAX_REASON) + "…";
    }
    String cause = root instanceof NotSslRecordException ? name : reason;
    return new TlsRefusal(cause, reason);
  }
}
