package org.nicflow.controller.api;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.nicflow.compiler.model.ApiLimits;

/**
 * Which page of a listing a request asks for ({@code ?limit=N&after=CURSOR}, docs/api.md,
 * "Pages"): at most {@code limit} entries after the one {@code after} names, from the start when
 * there is no {@code after}. A cursor is opaque to the client; it comes from the previous page.
 */
record PageRequest(int limit, Optional<String> after) {

  /** The query parameters of a listing. */
  static final Set<String> QUERY = Set.of("limit", "after");

  /** One page and the cursor of the page after it (empty on the last page). */
  record Page<T>(List<T> entries, Optional<String> next) {
    Page {
      entries = List.copyOf(entries);
    }
  }

  /**
   * The page {@code query} asks for.
   *
   * @throws ApiException 400 for a limit that is not a whole number 1 to {@link ApiLimits#maxPageSize()}
   *     or an empty cursor
   */
  static PageRequest of(Map<String, String> query, ApiLimits limits) {
    int limit = limits.defaultPageSize();
    String given = query.get("limit");
    if (given != null) {
      try {
        limit = Integer.parseInt(given);
      } catch (NumberFormatException e) {
        limit = 0;
      }
      if (limit < 1 || limit > limits.maxPageSize()) {
        throw ApiException.badRequest("limit must be a whole number 1-" + limits.maxPageSize() + ", got '" + given
            + "'");
      }
    }
    String after = query.get("after");
    if (after != null && after.isEmpty()) {
      throw ApiException.badRequest("after must be the 'next' cursor of the previous page, got an empty one");
    }
    return new PageRequest(limit, Optional.ofNullable(after));
  }

  /** A 400 for a cursor this listing did not hand out. */
  static ApiException badCursor(String cursor) {
    return ApiException.badRequest("after '" + cursor + "' is not a cursor of this listing (take the 'next' of "
        + "the previous page)");
  }

  /** The path and query of the page after this one, which starts after {@code cursor}. */
  String next(String path, String cursor) {
    return path + "?limit=" + limit + "&after=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8);
  }

  /** {@code Link: <next>; rel="next"} (RFC 8288) when there is a next page. */
  ApiResponse link(ApiResponse response, String path, Page<?> page) {
    return page.next().map(cursor -> response.withHeader("Link", "<" + next(path, cursor) + ">; rel=\"next\""))
        .orElse(response);
  }
}
