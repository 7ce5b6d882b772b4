package org.nicflow.controller.api;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API and {@code /metrics} over the JDK's HTTP server (SPEC section 5). Requests run on a
 * small pool of API worker threads — never on a switch's executor or a Netty event loop — so a
 * handler may wait for a switch (flow statistics) without holding up OpenFlow traffic.
 */
public final class ApiServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);

  /** Request bodies (trace) are small; anything larger is refused. */
  static final int MAX_BODY_BYTES = 64 * 1024;
  private static final int WORKERS = 4;
  private static final int STOP_DELAY_SECONDS = 1;

  private final HttpServer server;
  private final ExecutorService workers;
  private final ApiRouter router;

  private ApiServer(HttpServer server, ExecutorService workers, ApiRouter router) {
    this.server = server;
    this.workers = workers;
    this.router = router;
  }

  /** Binds {@code host:port} (port 0: any free port) and starts serving {@code sources}. */
  public static ApiServer start(String host, int port, ApiSources sources) throws IOException {
    Objects.requireNonNull(host, "host");
    ApiRouter router = new ApiRouter(sources);
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
    AtomicInteger n = new AtomicInteger();
    ThreadFactory threads = r -> {
      Thread t = new Thread(r, "nicflow-api-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    ExecutorService workers = Executors.newFixedThreadPool(WORKERS, threads);
    server.setExecutor(workers);
    ApiServer api = new ApiServer(server, workers, router);
    server.createContext("/", api::exchange);
    server.start();
    log.info("nicflow API listening on http://{}:{}/api/v1", host, api.port());
    return api;
  }

  /** The port actually bound (useful with port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  private void exchange(HttpExchange exchange) {
    try (exchange) {
      ApiRouter.Answer answer;
      byte[] body = readBody(exchange.getRequestBody());
      if (body == null) {
        answer = new ApiRouter.Answer(router.error(413, "request body larger than " + MAX_BODY_BYTES + " bytes"),
            java.util.List.of());
      } else {
        answer = router.handle(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), body);
      }
      respond(exchange, answer);
    } catch (IOException | UncheckedIOException e) {
      log.debug("API client went away: {}", e.toString());
    }
  }

  /** The whole body, or null when it exceeds {@link #MAX_BODY_BYTES}. */
  private static byte[] readBody(InputStream in) throws IOException {
    byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
    return body.length > MAX_BODY_BYTES ? null : body;
  }

  private static void respond(HttpExchange exchange, ApiRouter.Answer answer) throws IOException {
    ApiResponse r = answer.response();
    exchange.getResponseHeaders().set("Content-Type", r.contentType());
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
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
