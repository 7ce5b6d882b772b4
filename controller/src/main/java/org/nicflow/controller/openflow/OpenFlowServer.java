package org.nicflow.controller.openflow;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.projectfloodlight.openflow.types.DatapathId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts switch connections (Netty NIO), runs the handshake and hands each switch to the {@link
 * SwitchListener}. Only dpids of configured hosts are accepted, one connection per dpid.
 */
public final class OpenFlowServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(OpenFlowServer.class);
  private static final long CALLBACK_DRAIN_SECONDS = 5;
  /** Repeating log lines of the channel (resets, refusals) are logged once per cause and this long. */
  static final Duration LOG_INTERVAL = Duration.ofSeconds(60);

  private final OpenFlowSettings settings;
  private final SwitchRegistry registry;
  private final OpenFlowStats stats = new OpenFlowStats();
  private final ChannelGroup channels =
      new DefaultChannelGroup("openflow", GlobalEventExecutor.INSTANCE);
  private final OfChannelInitializer initializer;
  private final Optional<SwitchTls> tls;
  private final ThrottledLog throttled;
  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private Channel serverChannel;

  /**
   * @param hostsByDpid the configured hosts: dpid → host name
   * @param listener hears every switch event, on a per-switch executor
   */
  public OpenFlowServer(
      Map<DatapathId, String> hostsByDpid, SwitchListener listener, OpenFlowSettings settings) {
    this(hostsByDpid, listener, settings, Optional.empty());
  }

  /**
   * @param tls when present, switches connect over TLS with a certificate of the configured CA
   */
  public OpenFlowServer(
      Map<DatapathId, String> hostsByDpid,
      SwitchListener listener,
      OpenFlowSettings settings,
      Optional<SwitchTls> tls) {
    this(hostsByDpid, listener, settings, tls, new ThrottledLog(LOG_INTERVAL, System::nanoTime));
  }

  /** Plain TCP, with the given throttle of repeating log lines (tests pass one with their own clock). */
  OpenFlowServer(
      Map<DatapathId, String> hostsByDpid,
      SwitchListener listener,
      OpenFlowSettings settings,
      ThrottledLog throttled) {
    this(hostsByDpid, listener, settings, Optional.empty(), throttled);
  }

  private OpenFlowServer(
      Map<DatapathId, String> hostsByDpid,
      SwitchListener listener,
      OpenFlowSettings settings,
      Optional<SwitchTls> tls,
      ThrottledLog throttled) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.registry = new SwitchRegistry(hostsByDpid);
    this.tls = Objects.requireNonNull(tls, "tls");
    this.throttled = Objects.requireNonNull(throttled, "throttled");
    this.initializer =
        new OfChannelInitializer(
            registry,
            Objects.requireNonNull(listener, "listener"),
            settings,
            stats,
            channels,
            throttled,
            tls);
  }

  /** Binds and starts accepting; returns once bound. */
  public synchronized void start() throws InterruptedException {
    if (serverChannel != null) {
      throw new IllegalStateException("already started");
    }
    boss = new NioEventLoopGroup(1);
    workers = new NioEventLoopGroup();
    try {
      serverChannel =
          new ServerBootstrap()
              .group(boss, workers)
              .channel(NioServerSocketChannel.class)
              .option(ChannelOption.SO_REUSEADDR, true)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childOption(ChannelOption.SO_KEEPALIVE, true)
              .childHandler(initializer)
              .bind(settings.host(), settings.port())
              .sync()
              .channel();
    } catch (Exception e) { // Netty rethrows checked bind failures undeclared
      shutdownGroups();
      if (e instanceof InterruptedException interrupted) {
        throw interrupted;
      }
      if (e instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(
          "cannot listen on " + settings.host() + ":" + settings.port() + ": " + e, e);
    }
    log.info(
        "OpenFlow server listening on {}{}",
        serverChannel.localAddress(),
        tls.map(t -> " over TLS (switch identity: " + t.identity().key() + ")").orElse(""));
  }

  /** The port actually bound (useful with port 0). */
  public synchronized int boundPort() {
    if (serverChannel == null) {
      throw new IllegalStateException("not started");
    }
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  /** The handshaken switch of that dpid, if connected. */
  public Optional<SwitchConnection> connection(DatapathId dpid) {
    return registry.session(dpid).filter(SwitchSession::isConnected).map(s -> s);
  }

  /** Every handshaken, connected switch. */
  public Collection<SwitchConnection> connections() {
    return registry.sessions().stream()
        .filter(SwitchSession::isConnected)
        .map(s -> (SwitchConnection) s)
        .toList();
  }

  public OpenFlowStats.Snapshot stats() {
    return stats.snapshot();
  }

  /**
   * Stops accepting, closes every switch connection, waits for the event loops to end and for
   * queued listener callbacks (including {@code switchDisconnected}) to run. Work queued for the
   * closed connections — packet-ins not yet handled, messages not yet sent — is dropped quietly
   * and counted; one line says how much.
   */
  @Override
  public synchronized void close() throws InterruptedException {
    if (serverChannel == null) {
      return;
    }
    long droppedBefore = stats.snapshot().global().droppedAfterClose();
    serverChannel.close().sync();
    channels.close().awaitUninterruptibly();
    shutdownGroups();
    registry.lanes().shutdown();
    if (!registry.lanes().awaitTermination(CALLBACK_DRAIN_SECONDS, TimeUnit.SECONDS)) {
      log.warn("listener callbacks still running after {}s", CALLBACK_DRAIN_SECONDS);
    }
    serverChannel = null;
    throttled.flush();
    long dropped = stats.snapshot().global().droppedAfterClose() - droppedBefore;
    if (dropped > 0) {
      log.info("OpenFlow server stopped; {} packet-ins and messages queued for the closed "
          + "connections dropped", dropped);
    } else {
      log.info("OpenFlow server stopped");
    }
  }

  private void shutdownGroups() throws InterruptedException {
    if (boss != null) {
      boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).await();
    }
    if (workers != null) {
      workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).await();
    }
    boss = null;
    workers = null;
  }

  /** Pipeline factory, for tests on {@code EmbeddedChannel}. */
  OfChannelInitializer initializer() {
    return initializer;
  }

  /**
   * The configured hosts from now on: switches of added hosts are accepted when they connect, and
   * a connected switch whose host was removed is closed.
   */
  public void reconfigure(Map<DatapathId, String> hostsByDpid) {
    registry.reconfigure(hostsByDpid).forEach(s -> s.close("its host is no longer in the policy"));
  }

  /** Switch connections open now, handshaken or not. */
  int openChannels() {
    return channels.size();
  }

  SwitchRegistry registry() {
    return registry;
  }
}
