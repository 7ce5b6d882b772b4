package org.nicflow.controller.api;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.nicflow.compiler.model.ApiLimits;

/**
 * How long one API connection may take, on its event loop, in front of the HTTP decoder so that
 * it sees bytes before they make a request. A connection waiting for its next request is closed
 * after {@link ApiLimits#idleTimeout()}; from the first byte of a request to its last there are
 * {@link ApiLimits#requestTimeout()}, else {@code onTimeout} answers (408) and closes. While a
 * request is being answered the clock stops: the answer has its own bounds.
 */
final class RequestClock extends ChannelInboundHandlerAdapter {

  private final long requestMillis;
  private final long idleMillis;
  private final Consumer<ChannelHandlerContext> onTimeout;
  private ChannelHandlerContext ctx;
  private ScheduledFuture<?> timer;
  private boolean answering;
  private boolean reading;
  private boolean cameWhileAnswering;

  RequestClock(ApiLimits limits, Consumer<ChannelHandlerContext> onTimeout) {
    this.requestMillis = limits.requestTimeout().toMillis();
    this.idleMillis = limits.idleTimeout().toMillis();
    this.onTimeout = onTimeout;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    waitForRequest();
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (answering) {
      cameWhileAnswering = true;
    } else if (!reading) {
      startRequest();
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancel();
    ctx.fireChannelInactive();
  }

  /** The whole request is in: the clock stops until it is answered. */
  void received() {
    cancel();
    answering = true;
    reading = false;
    cameWhileAnswering = false;
  }

  /**
   * The request is answered on a connection kept alive: the next request's clock starts now if
   * bytes of it came meanwhile, else the idle clock.
   */
  void answered() {
    answering = false;
    if (cameWhileAnswering) {
      startRequest();
    } else {
      waitForRequest();
    }
  }

  private void startRequest() {
    cancel();
    reading = true;
    timer = ctx.executor().schedule(() -> onTimeout.accept(ctx), requestMillis, TimeUnit.MILLISECONDS);
  }

  private void waitForRequest() {
    cancel();
    reading = false;
    timer = ctx.executor().schedule(() -> ctx.close(), idleMillis, TimeUnit.MILLISECONDS);
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
