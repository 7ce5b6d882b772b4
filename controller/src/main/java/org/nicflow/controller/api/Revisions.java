package org.nicflow.controller.api;

import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Policy revisions in HTTP headers: {@code ETag: "5"} out, {@code If-Match: 5} or {@code "5"} in. */
final class Revisions {

  private static final Pattern IF_MATCH = Pattern.compile("\\s*(\"?)(\\d{1,18})\\1\\s*");

  private Revisions() {}

  static String etag(long revision) {
    return "\"" + revision + "\"";
  }

  /**
   * The revision an {@code If-Match} header names; empty when there is none.
   *
   * @throws ApiException 400 when the header is not one revision number, bare or quoted
   */
  static OptionalLong ifMatch(ApiRequest request) {
    return request.header("If-Match").map(Revisions::parse).orElse(OptionalLong.empty());
  }

  private static OptionalLong parse(String value) {
    Matcher m = IF_MATCH.matcher(value);
    if (!m.matches()) {
      throw ApiException.badRequest("malformed If-Match '" + value + "': expected one revision number, "
          + "e.g. If-Match: 5 or If-Match: \"5\"");
    }
    return OptionalLong.of(Long.parseLong(m.group(2)));
  }
}
