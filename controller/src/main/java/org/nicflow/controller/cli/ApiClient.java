package org.nicflow.controller.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * A small client of the controller's REST API for the command line. A 2xx answer is returned; a
 * 4xx is {@link BadInputException} (exit code 2) and an unreachable controller or a 5xx is
 * {@link ApiFailureException} (exit code 1), each naming the method and URL and the API's error,
 * with one line per validation error.
 */
final class ApiClient {

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  /** Longer than the API's longest wait for enforcement (300 s). */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(330);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String API_PATH = "/api/v1/";
  private static final Pattern NEXT_LINK = Pattern.compile("<([^>]*)>\\s*;\\s*rel=\"?next\"?");

  /** A successful answer; {@code next} is the path and query of a listing's next page, if any. */
  record Reply(int status, String body, Optional<String> next) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new ApiFailureException("the API answered something that is not JSON: " + e.getMessage());
      }
    }
  }

  private final String host;
  private final int port;
  private final Optional<String> token;
  private final Optional<SSLContext> tls;
  private final HttpClient http;

  ApiClient(String host, int port, Optional<String> token) {
    this(host, port, token, Optional.empty());
  }

  /** With {@code tls}, over HTTPS, trusting what the context trusts. */
  ApiClient(String host, int port, Optional<String> token, Optional<SSLContext> tls) {
    this.host = host;
    this.port = port;
    this.token = token;
    this.tls = tls;
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT);
    tls.ifPresent(builder::sslContext);
    this.http = builder.build();
  }

  /** A config name as one URL path segment; 2 for anything a config name cannot be. */
  static String name(String name) {
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
      throw new BadInputException("'" + name + "' is not a name (1-63 of A-Z a-z 0-9 _ . -, starting with a letter "
          + "or digit)");
    }
    return name;
  }

  Reply get(String path) {
    return send("GET", path, null, Optional.empty(), OptionalLong.empty());
  }

  /**
   * One page of a listing: {@code pathAndQuery} as the API gives it in a {@code Link} header
   * (path and query, already encoded), or as the first page's.
   */
  Reply page(String pathAndQuery) {
    if (!pathAndQuery.startsWith(API_PATH)) {
      throw new ApiFailureException("the API linked to '" + pathAndQuery + "', not to a path under " + API_PATH);
    }
    URI uri;
    try {
      uri = uri("/", null).resolve(new URI(pathAndQuery));
    } catch (URISyntaxException e) {
      throw new ApiFailureException("the API linked to '" + pathAndQuery + "', which is not a path: " + e.getMessage());
    }
    return send("GET", uri, Optional.empty(), OptionalLong.empty());
  }

  Reply put(String path, String query, String json, OptionalLong ifMatch) {
    return send("PUT", path, query, Optional.of(json), ifMatch);
  }

  Reply delete(String path, OptionalLong ifMatch) {
    return send("DELETE", path, null, Optional.empty(), ifMatch);
  }

  private Reply send(String method, String path, String query, Optional<String> body, OptionalLong ifMatch) {
    return send(method, uri(path, query), body, ifMatch);
  }

  private Reply send(String method, URI uri, Optional<String> body, OptionalLong ifMatch) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT)
        .method(method, body.map(HttpRequest.BodyPublishers::ofString).orElse(HttpRequest.BodyPublishers.noBody()));
    body.ifPresent(b -> request.header("Content-Type", "application/json"));
    token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
    ifMatch.ifPresent(r -> request.header("If-Match", "\"" + r + "\""));
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new ApiFailureException("cannot reach the nicflow API at " + uri + ": " + reason(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiFailureException("interrupted while waiting for " + uri);
    }
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      return new Reply(status, response.body(),
          response.headers().allValues("Link").stream().flatMap(ApiClient::nextLink).findFirst());
    }
    String message = method + " " + uri + ": " + status + ": " + describe(response.body());
    if (status >= 400 && status < 500) {
      throw new BadInputException(message);
    }
    throw new ApiFailureException(message);
  }

  /** The target of a {@code Link} header value's {@code rel="next"} link (RFC 8288), if it has one. */
  private static java.util.stream.Stream<String> nextLink(String header) {
    Matcher m = NEXT_LINK.matcher(header);
    return m.find() ? java.util.stream.Stream.of(m.group(1)) : java.util.stream.Stream.empty();
  }

  /** Why a request failed: the first message along the causes (the HTTP client's often have none). */
  private static String reason(Throwable e) {
    if (e instanceof java.net.ConnectException && e.getMessage() == null) {
      return "no connection (is 'nicflow run' serving its API there?)";
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        return t.getMessage();
      }
    }
    return e.getClass().getSimpleName();
  }

  private URI uri(String path, String query) {
    try {
      return new URI(tls.isPresent() ? "https" : "http", null, host, port, path, query, null);
    } catch (URISyntaxException e) {
      throw new BadInputException("cannot make a URL of " + host + ":" + port + path + ": " + e.getMessage());
    }
  }

  /** The API's {@code error}, then one line per entry of {@code errors}. */
  private static String describe(String body) {
    JsonNode json;
    try {
      json = JSON.readTree(body);
    } catch (IOException e) {
      return body.strip();
    }
    if (json == null || !json.path("error").isTextual()) {
      return body.strip();
    }
    StringBuilder sb = new StringBuilder(json.get("error").asText());
    JsonNode errors = json.path("errors");
    if (errors.size() > 1) {
      for (JsonNode e : errors) {
        String path = e.path("path").asText("");
        sb.append("\n  ").append(path.isEmpty() ? "" : path + ": ").append(e.path("message").asText());
      }
    }
    return sb.toString();
  }
}
