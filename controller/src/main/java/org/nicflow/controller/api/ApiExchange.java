package org.nicflow.controller.api;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayDeque;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.nicflow.compiler.model.ApiLimits;
import org.nicflow.controller.openflow.ThrottledLog;
import org.nicflow.controller.openflow.TlsRefusal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One API connection, on its event loop: gathers a request (refusing an oversized body with 413
 * from its {@code Content-Length}, before reading it), checks the bearer token, hands the request
 * to a lane — the workers, or the metrics thread for {@code /metrics} — and writes the answer. A
 * lane that is full is answered 503 at once and counted. Requests on one connection are answered
 * in order, one at a time: while one is answered the connection is not read, and the next is
 * taken once the answer is written.
 */
final class ApiExchange extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(ApiExchange.class);

  /** How much of a refused body is read (and dropped) before the connection is simply closed. */
  private static final long MAX_DISCARD_BYTES = 64L * 1024 * 1024;

  /** What every connection of one server shares. */
  record Lanes(ApiRouter router, BearerToken token, Executor workers, Executor metrics, ApiCounters counters,
      ApiLimits limits, ThrottledLog throttled) {

    /** The request on {@code ctx}'s connection took too long to arrive (see {@link RequestClock}). */
    void requestTimedOut(ChannelHandlerContext ctx) {
      ctx.pipeline().get(ApiExchange.class).timedOut();
    }
  }

  private final Lanes lanes;
  private final ArrayDeque<Object> waiting = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private RequestClock clock;
  /** The request being read; null between requests. */
  private HttpRequest head;
  private ByteArrayOutputStream body;
  private int limit;
  /** A 413 is written: the rest of the body is dropped, then the connection closed. */
  private boolean discarding;
  private long discarded;
  /** A request is with a lane; what comes meanwhile waits in {@link #waiting}. */
  private boolean answering;
  private boolean closing;

  ApiExchange(Lanes lanes) {
    this.lanes = lanes;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.clock = ctx.pipeline().get(RequestClock.class);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (answering) {
      waiting.add(msg);
      return;
    }
    take(msg);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    waiting.forEach(ReferenceCountUtil::release);
    waiting.clear();
    ctx.fireChannelInactive();
  }

  /**
   * A TLS handshake that failed or ran out of time: the handler closes the connection; counted and
   * logged here, one line per cause and interval.
   */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent handshake && !handshake.isSuccess()) {
      lanes.counters().tlsFailures.increment();
      TlsRefusal refusal = TlsRefusal.of(handshake.cause());
      lanes.throttled().warn(log, "API TLS refused: " + refusal.cause(), "Refusing API TLS connection from {}: {}",
          ctx.channel().remoteAddress(), refusal.reason());
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("API client {}: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }

  /** One decoded part of a request; released here. */
  private void take(Object msg) {
    try {
      if (closing) {
        return;
      }
      if (msg instanceof HttpRequest request) {
        start(request);
      }
      if (msg instanceof HttpContent content && head != null) {
        content(content);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void start(HttpRequest request) {
    if (request.decoderResult().isFailure()) {
      closeAfter(lanes.router().error(400, "malformed HTTP request: " + request.decoderResult().cause().getMessage()),
          false);
      return;
    }
    head = request;
    body = new ByteArrayOutputStream();
    discarding = false;
    discarded = 0;
    limit = HttpMethod.PUT.equals(request.method()) ? ApiServer.MAX_WRITE_BODY_BYTES : ApiServer.MAX_BODY_BYTES;
    long length = HttpUtil.getContentLength(request, -1L);
    if (length > limit) {
      if (HttpUtil.is100ContinueExpected(request)) {
        closeAfter(tooLarge(), false); // the client waits: no body comes
      } else {
        refuseBody();
      }
    } else if (HttpUtil.is100ContinueExpected(request)) {
      ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
          Unpooled.EMPTY_BUFFER));
    }
  }

  private void content(HttpContent content) {
    ByteBuf bytes = content.content();
    boolean last = content instanceof LastHttpContent;
    if (!discarding && body.size() + bytes.readableBytes() > limit) {
      refuseBody();
    }
    if (discarding) {
      discarded += bytes.readableBytes();
      if (last || discarded > MAX_DISCARD_BYTES) {
        closing = true;
        ctx.close();
      }
      return;
    }
    body.writeBytes(ByteBufUtil.getBytes(bytes));
    if (last) {
      HttpRequest request = head;
      byte[] received = body.toByteArray();
      head = null;
      body = null;
      clock.received();
      dispatch(request, received);
    }
  }

  /** Answers 413 now and drops the body as it comes (so the client reads the answer, not a reset). */
  private void refuseBody() {
    discarding = true;
    ctx.writeAndFlush(http(tooLarge(), List.of(), false, false));
  }

  private ApiResponse tooLarge() {
    return lanes.router().error(413, "request body larger than " + limit + " bytes (the limit for "
        + head.method() + ")").withHeader("Connection", "close");
  }

  /** The request clock ran out: 408, unless an answer (413) is already written. */
  private void timedOut() {
    lanes.counters().requestTimeouts.increment();
    if (discarding || closing) {
      ctx.close();
      return;
    }
    closeAfter(lanes.router().error(408, "the request did not arrive within "
        + lanes.limits().requestTimeout().toMillis() + " ms"), false);
  }

  private void dispatch(HttpRequest request, byte[] received) {
    answering = true;
    ctx.channel().config().setAutoRead(false);
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    boolean headOnly = HttpMethod.HEAD.equals(request.method());
    URI uri;
    try {
      uri = new URI(request.uri());
    } catch (URISyntaxException e) {
      answer(new ApiRouter.Answer(lanes.router().error(400, "malformed request target: " + e.getMessage()),
          List.of()), false, headOnly);
      return;
    }
    if (uri.getPath() == null) {
      answer(new ApiRouter.Answer(lanes.router().error(400, "malformed request target: " + request.uri()),
          List.of()), false, headOnly);
      return;
    }
    if (!lanes.token().admits(Optional.ofNullable(request.headers().get(HttpHeaderNames.AUTHORIZATION)))) {
      ApiResponse denied = lanes.router().error(401, "this API needs 'Authorization: Bearer <token>' (the token "
          + "file is in the controller's state_dir)").withHeader("WWW-Authenticate", BearerToken.CHALLENGE);
      answer(new ApiRouter.Answer(denied, List.of()), keepAlive, headOnly);
      return;
    }
    Map<String, String> first = new LinkedHashMap<>();
    request.headers().forEach(h -> first.putIfAbsent(h.getKey(), h.getValue()));
    ApiRequest apiRequest = new ApiRequest(request.method().name(), uri.getPath(), first, uri.getRawQuery(),
        received);
    boolean metrics = ApiRouter.METRICS.equals(uri.getPath());
    Executor lane = metrics ? lanes.metrics() : lanes.workers();
    try {
      lane.execute(() -> lanes.router().handle(apiRequest).whenComplete((answer, failure) ->
          ctx.executor().execute(() -> answer(answer != null ? answer : new ApiRouter.Answer(
              lanes.router().error(500, "internal error: " + failure), List.of()), keepAlive, headOnly))));
    } catch (RejectedExecutionException e) {
      lanes.counters().shed.increment();
      String what = metrics ? "the metrics thread is busy with earlier scrapes"
          : "the API is busy: all " + lanes.limits().workers() + " workers are taken and " + lanes.limits().queue()
              + " requests wait";
      answer(new ApiRouter.Answer(lanes.router().error(503, what + "; try again").withHeader("Retry-After", "1"),
          List.of()), keepAlive, headOnly);
    }
  }

  /** Writes the answer; on a connection kept alive, goes on with the next request once it is written. */
  private void answer(ApiRouter.Answer answer, boolean keepAlive, boolean headOnly) {
    boolean keep = keepAlive && !"close".equalsIgnoreCase(answer.response().headers().get("Connection"));
    if (!keep) {
      closeAfter(answer.response(), headOnly);
      return;
    }
    ctx.writeAndFlush(http(answer.response(), answer.allow(), headOnly, true)).addListener(written -> {
      if (!written.isSuccess()) {
        ctx.close();
        return;
      }
      answering = false;
      clock.answered();
      while (!answering && !closing && !waiting.isEmpty()) {
        take(waiting.poll());
      }
      if (!answering && !closing) {
        ctx.channel().config().setAutoRead(true);
      }
    });
  }

  private void closeAfter(ApiResponse response, boolean headOnly) {
    closing = true;
    ctx.writeAndFlush(http(response, List.of(), headOnly, false)).addListener(ChannelFutureListener.CLOSE);
  }

  private static FullHttpResponse http(ApiResponse r, List<String> allow, boolean headOnly, boolean keepAlive) {
    ByteBuf content = headOnly ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(r.body());
    FullHttpResponse out = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
        content);
    HttpHeaders h = out.headers();
    h.set("Date", DateFormatter.format(new Date()));
    h.set("Content-Type", r.contentType());
    h.set("Cache-Control", "no-store");
    r.headers().forEach(h::set);
    if (!allow.isEmpty()) {
      h.set("Allow", String.join(", ", allow));
    }
    h.set("Content-Length", r.body().length);
    if (keepAlive) {
      h.remove("Connection");
    } else {
      h.set("Connection", "close");
    }
    return out;
  }
}
