package org.nicflow.controller.api;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.WriteTimeoutHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.nicflow.compiler.model.ApiLimits;
import org.nicflow.controller.openflow.ThrottledLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API and {@code /metrics} over HTTP/1.1, or HTTPS (docs/api.md). One Netty event loop
 * reads and writes every connection without blocking — the TLS handshake included — so a client
 * that sends or reads slowly holds no thread; {@link ApiExchange} bounds how long it may take. Complete requests are answered on a
 * pool of API workers with a bounded queue — a request that finds it full is answered 503 at
 * once — and {@code /metrics} on a thread of its own, so a scrape never waits for the workers.
 * Neither runs on a switch's executor or an OpenFlow event loop; a handler that needs a switch
 * (flow statistics) does not wait for it on a worker.
 */
public final class ApiServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);

  /** Bodies of reads and traces are small; anything larger is refused (413). */
  static final int MAX_BODY_BYTES = 64 * 1024;
  /** Bodies of writes ({@code PUT}: a whole config at most); anything larger is refused (413). */
  static final int MAX_WRITE_BODY_BYTES = 8 * 1024 * 1024;
  /** Scrapes that may wait for the metrics thread; one more is answered 503. */
  private static final int METRICS_QUEUE = 8;
  private static final int STOP_DELAY_SECONDS = 1;
  /** Repeating log lines (TLS refusals) are logged once per cause and this long. */
  static final Duration LOG_INTERVAL = Duration.ofSeconds(60);

  private final Channel listener;
  private final EventLoopGroup io;
  private final ThreadPoolExecutor workers;
  private final ThreadPoolExecutor metrics;
  private final ThrottledLog throttled;

  private ApiServer(Channel listener, EventLoopGroup io, ThreadPoolExecutor workers, ThreadPoolExecutor metrics,
      ThrottledLog throttled) {
    this.listener = listener;
    this.io = io;
    this.workers = workers;
    this.metrics = metrics;
    this.throttled = throttled;
  }

  /** As {@link #start(String, int, ApiSources, ApiLimits)} with {@link ApiLimits#DEFAULTS}. */
  public static ApiServer start(String host, int port, ApiSources sources) throws IOException {
    return start(host, port, sources, ApiLimits.DEFAULTS);
  }

  /**
   * Binds {@code host:port} (port 0: any free port) and starts serving {@code sources}. On an
   * address other than loopback every request must carry {@code sources.token()}.
   *
   * @throws IllegalArgumentException when the address is not loopback and there is no token
   */
  public static ApiServer start(String host, int port, ApiSources sources, ApiLimits limits) throws IOException {
    return start(host, port, sources, limits, Optional.empty());
  }

  /** As {@link #start(String, int, ApiSources, ApiLimits, Optional)} with {@link ApiLimits#DEFAULTS}. */
  public static ApiServer start(String host, int port, ApiSources sources, Optional<SSLContext> tls)
      throws IOException {
    return start(host, port, sources, ApiLimits.DEFAULTS, tls);
  }

  /**
   * As {@link #start(String, int, ApiSources, ApiLimits)}; with {@code tls}, over HTTPS only (the
   * server's certificate is the context's; clients need none). The TLS handshake runs on the
   * event loop like the rest of the connection and must end within {@link
   * ApiLimits#requestTimeout()}; a handshake that fails or runs out of time closes the connection.
   */
  public static ApiServer start(String host, int port, ApiSources sources, ApiLimits limits,
      Optional<SSLContext> tls) throws IOException {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(tls, "tls");
    InetSocketAddress address = new InetSocketAddress(host, port);
    if (address.isUnresolved()) {
      throw new IOException("cannot resolve the API address " + host);
    }
    BearerToken token = BearerToken.forAddress(host, address.getAddress().isLoopbackAddress(), sources.token());
    ApiCounters counters = new ApiCounters();
    ThreadPoolExecutor workers = pool("nicflow-api-", limits.workers(), limits.queue());
    ThreadPoolExecutor metrics = pool("nicflow-api-metrics-", 1, METRICS_QUEUE);
    ApiRouter router = new ApiRouter(sources, limits, workers, counters);
    ThrottledLog throttled = new ThrottledLog(LOG_INTERVAL, System::nanoTime);
    ApiExchange.Lanes lanes = new ApiExchange.Lanes(router, token, workers, metrics, counters, limits, throttled);
    EventLoopGroup io = new NioEventLoopGroup(1, daemons("nicflow-api-io-"));
    AtomicInteger open = new AtomicInteger();
    ChannelFuture bound = new ServerBootstrap()
        .group(io)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            if (open.incrementAndGet() > limits.maxConnections()) {
              open.decrementAndGet();
              counters.refusedConnections.increment();
              log.debug("API: {} connections open, closing {}", limits.maxConnections(), ch.remoteAddress());
              ch.close();
              return;
            }
            ch.closeFuture().addListener(f -> open.decrementAndGet());
            ch.pipeline()
                .addLast("write-timeout", new WriteTimeoutHandler(limits.requestTimeout().toMillis(),
                    TimeUnit.MILLISECONDS))
                .addLast("clock", new RequestClock(limits, lanes::requestTimedOut))
                .addLast("http", new HttpServerCodec())
                .addLast("exchange", new ApiExchange(lanes));
            tls.ifPresent(context -> ch.pipeline().addFirst("tls", tlsHandler(context, limits)));
          }
        })
        .bind(address)
        .awaitUninterruptibly();
    if (!bound.isSuccess()) {
      io.shutdownGracefully(0, STOP_DELAY_SECONDS, TimeUnit.SECONDS).awaitUninterruptibly();
      workers.shutdownNow();
      metrics.shutdownNow();
      throw new IOException(String.valueOf(bound.cause().getMessage()), bound.cause());
    }
    ApiServer api = new ApiServer(bound.channel(), io, workers, metrics, throttled);
    log.info("nicflow API listening on {}://{}:{}/api/v1{}", tls.isPresent() ? "https" : "http", host, api.port(),
        token.required() ? " (bearer token required)" : "");
    return api;
  }

  /**
   * The server side of TLS for one connection, first in its pipeline, so that everything after it
   * — the request clock included — sees the decrypted bytes.
   */
  private static SslHandler tlsHandler(SSLContext context, ApiLimits limits) {
    SSLEngine engine = context.createSSLEngine();
    engine.setUseClientMode(false);
    SslHandler handler = new SslHandler(engine);
    handler.setHandshakeTimeoutMillis(limits.requestTimeout().toMillis());
    return handler;
  }

  /** {@code threads} threads and a queue of {@code queue} places; past that, execute throws. */
  private static ThreadPoolExecutor pool(String prefix, int threads, int queue) {
    return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS,
        queue == 0 ? new java.util.concurrent.SynchronousQueue<>() : new ArrayBlockingQueue<>(queue),
        daemons(prefix), new ThreadPoolExecutor.AbortPolicy());
  }

  private static ThreadFactory daemons(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** The port actually bound (useful with port 0). */
  public int port() {
    return ((InetSocketAddress) listener.localAddress()).getPort();
  }

  /**
   * Stops accepting, closes every connection at once, then gives the workers a second to finish.
   */
  @Override
  public void close() {
    listener.close().awaitUninterruptibly();
    io.shutdownGracefully(0, STOP_DELAY_SECONDS, TimeUnit.SECONDS).awaitUninterruptibly();
    for (ThreadPoolExecutor pool : new ThreadPoolExecutor[] {workers, metrics}) {
      pool.shutdown();
      try {
        if (!pool.awaitTermination(STOP_DELAY_SECONDS, TimeUnit.SECONDS)) {
          pool.shutdownNow();
        }
      } catch (InterruptedException e) {
        pool.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
    throttled.flush();
    log.info("nicflow API stopped");
  }
}
