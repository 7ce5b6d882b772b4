package org.nicflow.controller.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The API's access rule (docs/api.md): on loopback anyone local may ask; on any other address
 * every request carries {@code Authorization: Bearer <token>}, compared in constant time.
 */
final class BearerToken {

  static final String CHALLENGE = "Bearer realm=\"nicflow\"";
  private static final String SCHEME = "bearer ";

  private final Optional<byte[]> expected;

  private BearerToken(Optional<byte[]> expected) {
    this.expected = expected;
  }

  /**
   * The rule for an API bound to {@code loopback} or not.
   *
   * @throws IllegalArgumentException for a non-loopback address and no token
   */
  static BearerToken forAddress(String host, boolean loopback, Optional<String> token) {
    Objects.requireNonNull(token, "token");
    if (loopback) {
      return new BearerToken(Optional.empty());
    }
    if (token.isEmpty()) {
      throw new IllegalArgumentException("the API listens on " + host + ", which is not loopback: every request "
          + "needs a bearer token, and none was given");
    }
    return new BearerToken(Optional.of(token.get().getBytes(StandardCharsets.UTF_8)));
  }

  boolean required() {
    return expected.isPresent();
  }

  /** Whether a request with this {@code Authorization} header (if any) may proceed. */
  boolean admits(Optional<String> authorization) {
    if (expected.isEmpty()) {
      return true;
    }
    if (authorization.isEmpty()) {
      return false;
    }
    String value = authorization.get().trim();
    if (value.length() < SCHEME.length() || !value.substring(0, SCHEME.length()).toLowerCase(Locale.ROOT).equals(SCHEME)) {
      return false;
    }
    byte[] presented = value.substring(SCHEME.length()).trim().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(presented, expected.get());
  }
}
