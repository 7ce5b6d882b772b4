package org.nicflow.controller.api;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API and {@code /metrics} over the JDK's HTTP server (docs/api.md). Requests run on a
 * small pool of API worker threads — never on a switch's executor or a Netty event loop — so a
 * handler may wait for a switch (flow statistics) without holding up OpenFlow traffic.
 */
public final class ApiServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);

  /** Bodies of reads and traces are small; anything larger is refused (413). */
  static final int MAX_BODY_BYTES = 64 * 1024;
  /** Bodies of writes ({@code PUT}: a whole config at most); anything larger is refused (413). */
  static final int MAX_WRITE_BODY_BYTES = 8 * 1024 * 1024;
  /** How much of a refused body is read (and dropped) before the connection is simply closed. */
  private static final long MAX_DISCARD_BYTES = 64L * 1024 * 1024;
  private static final int WORKERS = 4;
  private static final int STOP_DELAY_SECONDS = 1;

  private final HttpServer server;
  private final ExecutorService workers;
  private final ApiRouter router;
  private final BearerToken token;

  private ApiServer(HttpServer server, ExecutorService workers, ApiRouter router, BearerToken token) {
    this.server = server;
    this.workers = workers;
    this.router = router;
    this.token = token;
  }

  /**
   * Binds {@code host:port} (port 0: any free port) and starts serving {@code sources}. On an
   * address other than loopback every request must carry {@code sources.token()}.
   *
   * @throws IllegalArgumentException when the address is not loopback and there is no token
   */
  public static ApiServer start(String host, int port, ApiSources sources) throws IOException {
    return start(host, port, sources, Optional.empty());
  }

  /**
   * As {@link #start(String, int, ApiSources)}; with {@code tls}, over HTTPS only (the server's
   * certificate is the context's; clients need none).
   */
  public static ApiServer start(String host, int port, ApiSources sources, Optional<SSLContext> tls)
      throws IOException {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(tls, "tls");
    InetSocketAddress address = new InetSocketAddress(host, port);
    if (address.isUnresolved()) {
      throw new IOException("cannot resolve the API address " + host);
    }
    BearerToken token = BearerToken.forAddress(host, address.getAddress().isLoopbackAddress(), sources.token());
    ApiRouter router = new ApiRouter(sources);
    HttpServer server = tls.isPresent() ? https(address, tls.get()) : HttpServer.create(address, 0);
    AtomicInteger n = new AtomicInteger();
    ThreadFactory threads = r -> {
      Thread t = new Thread(r, "nicflow-api-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    ExecutorService workers = Executors.newFixedThreadPool(WORKERS, threads);
    server.setExecutor(workers);
    ApiServer api = new ApiServer(server, workers, router, token);
    server.createContext("/", api::exchange);
    server.start();
    log.info("nicflow API listening on {}://{}:{}/api/v1{}", tls.isPresent() ? "https" : "http", host, api.port(),
        token.required() ? " (bearer token required)" : "");
    return api;
  }

  private static HttpServer https(InetSocketAddress address, SSLContext context) throws IOException {
    HttpsServer server = HttpsServer.create(address, 0);
    server.setHttpsConfigurator(new HttpsConfigurator(context));
    return server;
  }

  /** The port actually bound (useful with port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  private void exchange(HttpExchange exchange) {
    try (exchange) {
      respond(exchange, answer(exchange));
    } catch (IOException | UncheckedIOException e) {
      log.debug("API client went away: {}", e.toString());
    }
  }

  private ApiRouter.Answer answer(HttpExchange exchange) throws IOException {
    Headers headers = exchange.getRequestHeaders();
    if (!token.admits(Optional.ofNullable(headers.getFirst("Authorization")))) {
      ApiResponse denied = router.error(401, "this API needs 'Authorization: Bearer <token>' (the token file is "
          + "in the controller's state_dir)").withHeader("WWW-Authenticate", BearerToken.CHALLENGE);
      return new ApiRouter.Answer(denied, List.of());
    }
    String method = exchange.getRequestMethod();
    int limit = "PUT".equals(method) ? MAX_WRITE_BODY_BYTES : MAX_BODY_BYTES;
    byte[] body = readBody(headers.getFirst("Content-Length"), exchange.getRequestBody(), limit);
    if (body == null) {
      discard(exchange.getRequestBody());
      return new ApiRouter.Answer(router.error(413, "request body larger than " + limit + " bytes (the limit for "
          + method + ")").withHeader("Connection", "close"), List.of());
    }
    Map<String, String> first = new LinkedHashMap<>();
    headers.forEach((name, values) -> {
      if (!values.isEmpty()) {
        first.put(name, values.get(0));
      }
    });
    URI uri = exchange.getRequestURI();
    return router.handle(new ApiRequest(method, uri.getPath(), first, uri.getRawQuery(), body));
  }

  /**
   * Reads and drops up to {@link #MAX_DISCARD_BYTES} of a refused body, a buffer at a time, so the
   * connection closes cleanly after the 413 instead of resetting under the client's unread answer.
   */
  private static void discard(InputStream in) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    long left = MAX_DISCARD_BYTES;
    int n;
    while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
      left -= n;
    }
  }

  /**
   * The whole body, or null when it exceeds {@code limit}: at once when {@code Content-Length}
   * says so (nothing is read), else after reading at most {@code limit + 1} bytes.
   */
  private static byte[] readBody(String contentLength, InputStream in, int limit) throws IOException {
    if (contentLength != null) {
      try {
        if (Long.parseLong(contentLength.trim()) > limit) {
          return null;
        }
      } catch (NumberFormatException e) {
        // the server refuses a bad Content-Length before we see it; read what comes
      }
    }
    byte[] body = in.readNBytes(limit + 1);
    return body.length > limit ? null : body;
  }

  private static void respond(HttpExchange exchange, ApiRouter.Answer answer) throws IOException {
    ApiResponse r = answer.response();
    exchange.getResponseHeaders().set("Content-Type", r.contentType());
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    r.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
    if (!answer.allow().isEmpty()) {
      exchange.getResponseHeaders().set("Allow", String.join(", ", answer.allow()));
    }
    boolean head = "HEAD".equals(exchange.getRequestMethod());
    exchange.sendResponseHeaders(r.status(), head ? -1 : r.body().length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(r.body());
      }
    }
  }

  /**
   * Stops accepting and closes open exchanges at once (the JDK server would otherwise sit out its
   * whole grace delay), then gives the workers a second to finish.
   */
  @Override
  public void close() {
    server.stop(0);
    workers.shutdown();
    try {
      if (!workers.awaitTermination(STOP_DELAY_SECONDS, TimeUnit.SECONDS)) {
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      workers.shutdownNow();
      Thread.currentThread().interrupt();
    }
    log.info("nicflow API stopped");
  }
}
