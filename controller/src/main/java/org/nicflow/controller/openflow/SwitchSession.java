package org.nicflow.controller.openflow;

import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.nicflow.controller.openflow.packet.PacketOuts;
import org.projectfloodlight.openflow.protocol.OFBarrierReply;
import org.projectfloodlight.openflow.protocol.OFBundleAddMsg;
import org.projectfloodlight.openflow.protocol.OFBundleCtrlMsg;
import org.projectfloodlight.openflow.protocol.OFBundleCtrlType;
import org.projectfloodlight.openflow.protocol.OFBundleFlags;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.BundleId;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowRemoved;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFFlowStatsReply;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.projectfloodlight.openflow.protocol.OFPortDesc;
import org.projectfloodlight.openflow.protocol.OFPortReason;
import org.projectfloodlight.openflow.protocol.OFPortStatus;
import org.projectfloodlight.openflow.protocol.OFStatsReply;
import org.projectfloodlight.openflow.protocol.OFStatsReplyFlags;
import org.projectfloodlight.openflow.protocol.OFType;
import org.projectfloodlight.openflow.types.DatapathId;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One switch that has told its dpid and holds it in the registry. Tracks requests by xid (barrier
 * and flow-stats futures, recent messages for ERROR correlation), keeps the port map, and hands
 * every listener callback to the single-threaded executor of its dpid (its {@link SwitchLanes
 * lane}, shared with the switch's earlier and later connections), in arrival order. What waits
 * there is bounded by {@link InboundBacklog}: past the capacity, reading from the switch pauses.
 *
 * <p>Futures returned by {@link #barrier()} and {@link #flowStats()} complete on that same
 * executor, after the callbacks of every message the switch sent before the reply: a callback must
 * compose on them, never block on them.
 */
final class SwitchSession implements SwitchConnection {

  private static final Logger log = LoggerFactory.getLogger(SwitchSession.class);
  static final int RECENT_MESSAGES = 4096;

  private final Channel channel;
  private final OFFactory factory;
  private final DatapathId dpid;
  private final String host;
  private final SwitchListener listener;
  private final OpenFlowStats.ChannelCounters counters;
  private final ExecutorService executor;
  private final InboundBacklog backlog;
  private final PacketInRounds packetIns;
  private final ThrottledLog throttled;
  /** Completes once this session no longer holds its dpid (or never will): a newer one may claim it. */
  private final CompletableFuture<Void> released = new CompletableFuture<>();
  private final Map<Long, CompletableFuture<Void>> barriers = new ConcurrentHashMap<>();
  /** Open bundles by the xid of their commit request. */
  private final Map<Long, CompletableFuture<Void>> bundles = new ConcurrentHashMap<>();
  /** The commit xid of the bundle each open or added message (by its xid) belongs to. */
  private final Map<Long, Long> bundleMembers = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicInteger bundleIds = new java.util.concurrent.atomic.AtomicInteger();
  private final Map<Long, FlowStatsGathering> flowStatsRequests = new ConcurrentHashMap<>();
  private final Map<Long, OFMessage> recentSent =
      new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, OFMessage> eldest) {
          return size() > RECENT_MESSAGES;
        }
      };
  /**
   * Messages the listener sent from its callback now running on the executor; handed to the event
   * loop in one task and flushed once, when no callback of this switch is left queued (or the batch
   * is full). Touched only by {@link #batchingThread}.
   */
  private final List<OFMessage> outbox = new ArrayList<>();
  /** The executor thread while it runs a callback of this session; null otherwise. */
  private volatile Thread batchingThread;
  /** Callbacks of the socket read in progress, handed to the executor in one task. Event loop only. */
  private final List<Runnable> inbox = new ArrayList<>();
  private volatile PortMap ports = PortMap.EMPTY;
  private volatile boolean ready;
  private volatile boolean closed;
  /** Messages received so far (any type). Event loop only. */
  private long heard;
  /** The echo probe in progress, if any ({@link #probe}). Event loop only. */
  private CompletableFuture<Boolean> probe;

  SwitchSession(
      Channel channel,
      OFFactory factory,
      DatapathId dpid,
      String host,
      SwitchListener listener,
      OpenFlowStats.ChannelCounters counters,
      ExecutorService lane,
      int queueCapacity,
      ThrottledLog throttled) {
    this.channel = channel;
    this.factory = factory;
    this.dpid = dpid;
    this.host = host;
    this.listener = listener;
    this.counters = counters;
    this.executor = lane;
    this.backlog = new InboundBacklog(channel, queueCapacity, counters::readPaused);
    this.packetIns = new PacketInRounds(OpenFlowSettings.portShare(queueCapacity));
    this.throttled = throttled;
  }

  @Override
  public DatapathId dpid() {
    return dpid;
  }

  @Override
  public String host() {
    return host;
  }

  @Override
  public OFFactory factory() {
    return factory;
  }

  @Override
  public PortMap ports() {
    return ports;
  }

  /** Whether the handshake completed and the connection is still open. */
  public boolean isConnected() {
    return ready && !closed;
  }

  @Override
  public void send(OFMessage message) {
    write(withXid(message));
  }

  @Override
  public CompletableFuture<Void> barrier() {
    long xid = nextXid();
    var future = new CompletableFuture<Void>();
    barriers.put(xid, future);
    if (failIfClosed(barriers, xid)) {
      return future;
    }
    write(factory.buildBarrierRequest().setXid(xid).build());
    return future;
  }

  @Override
  public CompletableFuture<Void> commit(List<OFMessage> messages) {
    if (messages.isEmpty() || factory.getVersion().compareTo(OFVersion.OF_14) < 0) {
      messages.forEach(this::send);
      return barrier();
    }
    BundleId id = BundleId.of(bundleIds.incrementAndGet());
    Set<OFBundleFlags> flags = EnumSet.of(OFBundleFlags.ATOMIC, OFBundleFlags.ORDERED);
    long commitXid = nextXid();
    var future = new CompletableFuture<Void>();
    bundles.put(commitXid, future);
    if (failIfClosed(bundles, commitXid)) {
      return future;
    }
    long openXid = nextXid();
    bundleMembers.put(openXid, commitXid);
    write(factory.buildBundleCtrlMsg().setXid(openXid).setBundleId(id)
        .setBundleCtrlType(OFBundleCtrlType.OPEN_REQUEST).setFlags(flags).build());
    for (OFMessage m : messages) {
      // The added message carries the xid of its bundle-add, so an ERROR about it names both.
      OFMessage inner = withXid(m);
      bundleMembers.put(inner.getXid(), commitXid);
      write(factory.buildBundleAddMsg().setXid(inner.getXid()).setBundleId(id).setFlags(flags).setData(inner)
          .build());
    }
    write(factory.buildBundleCtrlMsg().setXid(commitXid).setBundleId(id)
        .setBundleCtrlType(OFBundleCtrlType.COMMIT_REQUEST).setFlags(flags).build());
    future.whenComplete((v, e) -> bundleMembers.values().removeIf(c -> c == commitXid));
    return future;
  }

  @Override
  public CompletableFuture<List<OFFlowStatsEntry>> flowStats() {
    long xid = nextXid();
    var gathering = new FlowStatsGathering();
    flowStatsRequests.put(xid, gathering);
    // a caller that gave up (cancelled) stops waiting; a late reply is then ignored as not awaited
    gathering.future.whenComplete(
        (entries, failure) -> {
          if (failure instanceof CancellationException) {
            flowStatsRequests.remove(xid, gathering);
          }
        });
    if (failIfClosed(flowStatsRequests, xid)) {
      return gathering.future;
    }
    write(
        factory
            .buildFlowStatsRequest()
            .setXid(xid)
            .setTableId(TableId.ALL)
            .setOutPort(OFPort.ANY)
            .setOutGroup(OFGroup.ANY)
            .setMatch(factory.matchWildcardAll())
            .build());
    return gathering.future;
  }

  @Override
  public Executor executor() {
    return task -> {
      try {
        executor.execute(() -> {
          runBatched(task, "scheduled task");
          flushOutbox();
        });
      } catch (RejectedExecutionException e) {
        log.debug("{}: task after shutdown dropped", this);
      }
    };
  }

  @Override
  public void close(String reason) {
    log.info("Closing switch {} ({}): {}", dpid, host, reason);
    channel.close();
  }

  @Override
  public String toString() {
    return "switch " + dpid + " (" + host + ")";
  }

  /**
   * A fresh xid from the factory's generator: openflowj's factory builders already stamp every
   * message with one from that same generator, so ours never collide with theirs.
   */
  long nextXid() {
    long xid = factory.nextXid() & 0xffffffffL;
    return xid == 0 ? nextXid() : xid;
  }

  OFMessage withXid(OFMessage message) {
    return message.getXid() == 0 ? message.createBuilder().setXid(nextXid()).build() : message;
  }

  /**
   * Writes a message that already has its xid, remembering it for ERROR correlation. From a
   * callback on the switch's executor it joins the outbox (flushed with the callback's batch);
   * from any other thread it is written and flushed at once.
   */
  void write(OFMessage message) {
    if (closed) {
      // nothing can reach a closed connection (the switch re-syncs when it connects again); after
      // shutdown the event loop is gone too, and Netty would log each attempt as an error
      counters.droppedAfterClose();
      return;
    }
    if (remembered(message.getType())) {
      synchronized (recentSent) {
        recentSent.put(message.getXid(), message);
      }
    }
    if (batchingThread == Thread.currentThread()) {
      outbox.add(message);
      return;
    }
    channel.writeAndFlush(message).addListener(f -> logWriteFailure(f, 1));
  }

  /**
   * Whether a sent message is kept for ERROR correlation: not echoes, and not packet-outs — they
   * carry whole packets (up to 64 KiB each), and an ERROR about one needs no more than its xid.
   */
  private static boolean remembered(OFType type) {
    return type != OFType.ECHO_REQUEST && type != OFType.ECHO_REPLY && type != OFType.PACKET_OUT;
  }

  /** Hands the outbox to the event loop: every message written, then one flush. Executor only. */
  private void flushOutbox() {
    if (outbox.isEmpty()) {
      return;
    }
    List<OFMessage> batch = List.copyOf(outbox);
    outbox.clear();
    if (closed) {
      batch.forEach(m -> counters.droppedAfterClose());
      return;
    }
    if (channel.eventLoop().inEventLoop()) {
      writeBatch(batch);
      return;
    }
    try {
      channel.eventLoop().execute(() -> writeBatch(batch));
    } catch (RejectedExecutionException e) {
      batch.forEach(m -> counters.droppedAfterClose());
      log.debug("{}: {} message(s) after the event loop stopped dropped", this, batch.size());
    }
  }

  private void writeBatch(List<OFMessage> batch) {
    int last = batch.size() - 1;
    for (int i = 0; i < last; i++) {
      if (!channel.isWritable()) {
        // Hand the socket what it takes before judging the switch slow: unflushed bytes of this
        // batch count towards the pause mark too, and packet-outs past it are shed.
        channel.flush();
      }
      channel.write(batch.get(i));
    }
    channel.writeAndFlush(batch.get(last)).addListener(f -> logWriteFailure(f, batch.size()));
  }

  private void logWriteFailure(io.netty.util.concurrent.Future<? super Void> f, int messages) {
    if (!f.isSuccess()) {
      log.debug("{}: could not write {} message(s): {}", this, messages, f.cause().toString());
    }
  }

  /** Most messages one flush carries; a longer batch is flushed in parts. */
  static final int OUTBOX_LIMIT = 256;

  /**
   * Runs a callback of this session on the executor with its writes batched: flushed after it when
   * no other callback of this switch is queued behind it (that one flushes) or the batch is full.
   */
  private void runBatched(Runnable callback, String what) {
    batchingThread = Thread.currentThread();
    try {
      callListener(callback, what);
    } finally {
      batchingThread = null;
      if (backlog.size() <= 1 || outbox.size() >= OUTBOX_LIMIT) {
        flushOutbox();
      }
    }
  }

  Optional<OFMessage> sentMessage(long xid) {
    synchronized (recentSent) {
      return Optional.ofNullable(recentSent.get(xid));
    }
  }

  void setPorts(PortMap ports) {
    this.ports = ports;
  }

  /** Handshake done: announce the switch. Event loop. */
  void ready() {
    ready = true;
    deliver(() -> listener.switchConnected(this), "switchConnected");
    endOfRead();
  }

  /**
   * A message arriving while READY. Event loop.
   *
   * @return false when the message has no meaning in this state (the caller counts it illegal)
   */
  boolean handle(OFMessage message) {
    OFType type = message.getType();
    if (type != OFType.PACKET_IN && type != OFType.FLOW_REMOVED) {
      packetIns.close();
    }
    switch (type) {
      case PACKET_IN -> queuePacketIn((OFPacketIn) message);
      case FLOW_REMOVED ->
          deliver(() -> listener.flowRemoved(this, (OFFlowRemoved) message), "flowRemoved");
      case PORT_STATUS -> portStatus((OFPortStatus) message);
      case ERROR -> error((OFErrorMsg) message);
      case BARRIER_REPLY -> {
        return barrierReply((OFBarrierReply) message);
      }
      case BUNDLE_CONTROL -> {
        return bundleReply((OFBundleCtrlMsg) message);
      }
      case STATS_REPLY -> {
        return statsReply((OFStatsReply) message);
      }
      default -> {
        return isReplyToSent(message);
      }
    }
    return true;
  }

  /**
   * Applies a PORT_STATUS to {@code before}; returns the new map. Shared with the handshake, which
   * applies early PORT_STATUS messages without announcing them.
   */
  static PortMap apply(PortMap before, OFPortStatus status) {
    OFPortDesc desc = status.getDesc();
    return status.getReason() == OFPortReason.DELETE
        ? before.without(desc.getName())
        : before.with(desc.getName(), desc.getPortNo());
  }

  /**
   * Gives a packet-in a turn in its round ({@link PacketInRounds}), or sheds it when its port has
   * its share waiting. Event loop.
   */
  private void queuePacketIn(OFPacketIn packetIn) {
    OFPort port;
    try {
      port = PacketOuts.inPort(packetIn);
    } catch (IllegalArgumentException noInPort) {
      port = OFPort.ANY; // decided (and dropped) by the listener; its own queue here
    }
    Optional<PacketInRounds.Round> round = packetIns.offer(port, packetIn);
    if (round.isEmpty()) {
      counters.packetInShed();
      return;
    }
    PacketInRounds.Round r = round.get();
    deliver(() -> packetIn(packetIns.take(r)), "packetIn");
  }

  /** A miss of a connection that has since closed cannot be answered on it: skipped. */
  private void packetIn(OFPacketIn packetIn) {
    if (closed) {
      counters.droppedAfterClose();
      log.debug("{}: packet-in after disconnect skipped", this);
      return;
    }
    listener.packetIn(this, packetIn);
  }

  private void portStatus(OFPortStatus status) {
    ports = apply(ports, status);
    String name = status.getDesc().getName();
    boolean present = status.getReason() != OFPortReason.DELETE;
    log.info("{}: port {} {} ({})", this, name, status.getReason(), status.getDesc().getPortNo());
    deliver(() -> listener.portChanged(this, name, present), "portChanged");
  }

  private void error(OFErrorMsg error) {
    counters.error();
    long xid = error.getXid();
    // An ERROR about a message added to a bundle names the added message itself.
    Optional<OFMessage> request = sentMessage(xid)
        .map(m -> m instanceof OFBundleAddMsg add ? add.getData() : m);
    log.warn(
        "{}: OpenFlow error {} answering {}",
        this,
        error,
        request.map(r -> r.getType() + " xid " + xid).orElse("unknown xid " + xid));
    var barrier = barriers.remove(xid);
    var gathering = flowStatsRequests.remove(xid);
    Long commitXid = bundleMembers.get(xid);
    var bundle = bundles.remove(commitXid != null ? commitXid : xid);
    deliver(
        () -> {
          listener.error(this, error, request);
          var failure = new OpenFlowErrorException(dpid, error);
          if (barrier != null) {
            barrier.completeExceptionally(failure);
          }
          if (gathering != null) {
            gathering.future.completeExceptionally(failure);
          }
          if (bundle != null) {
            bundle.completeExceptionally(failure);
          }
        },
        "error");
  }

  private boolean bundleReply(OFBundleCtrlMsg reply) {
    if (reply.getBundleCtrlType() == OFBundleCtrlType.OPEN_REPLY && bundleMembers.containsKey(reply.getXid())) {
      return true;
    }
    var future = reply.getBundleCtrlType() == OFBundleCtrlType.COMMIT_REPLY ? bundles.remove(reply.getXid()) : null;
    if (future == null) {
      return isReplyToSent(reply);
    }
    deliver(() -> future.complete(null), "bundle commit");
    return true;
  }

  private boolean barrierReply(OFBarrierReply reply) {
    var future = barriers.remove(reply.getXid());
    if (future == null) {
      return isReplyToSent(reply);
    }
    deliver(() -> future.complete(null), "barrier");
    return true;
  }

  private boolean statsReply(OFStatsReply reply) {
    var gathering = flowStatsRequests.get(reply.getXid());
    if (gathering == null || !(reply instanceof OFFlowStatsReply flowReply)) {
      return isReplyToSent(reply);
    }
    gathering.entries.addAll(flowReply.getEntries());
    if (!reply.getFlags().contains(OFStatsReplyFlags.REPLY_MORE)) {
      flowStatsRequests.remove(reply.getXid());
      List<OFFlowStatsEntry> all = List.copyOf(gathering.entries);
      deliver(() -> gathering.future.complete(all), "flowStats");
    }
    return true;
  }

  private boolean isReplyToSent(OFMessage message) {
    boolean known = sentMessage(message.getXid()).isPresent();
    if (known) {
      log.debug(
          "{}: {} answering xid {} not awaited; ignored",
          this,
          message.getType(),
          message.getXid());
    }
    return known;
  }

  /**
   * The connection closed. Event loop. Queues the failure of pending requests and the announcement
   * behind the callbacks already queued, then frees the dpid at once: a new connection of the same
   * switch may claim it now, and its callbacks queue on the same lane, after this goodbye.
   */
  void disconnected(SwitchRegistry registry) {
    endOfRead();
    closed = true;
    var failure = new SwitchDisconnectedException(dpid);
    var pendingBarriers = drain(barriers);
    pendingBarriers.addAll(drain(bundles));
    var pendingStats = drain(flowStatsRequests);
    boolean wasReady = ready;
    Runnable goodbye =
        () -> {
          pendingBarriers.forEach(f -> f.completeExceptionally(failure));
          pendingStats.forEach(g -> g.future.completeExceptionally(failure));
          if (wasReady) {
            callListener(() -> listener.switchDisconnected(this), "switchDisconnected");
          }
        };
    try {
      executor.execute(goodbye);
    } catch (RejectedExecutionException e) {
      goodbye.run();
    }
    registry.release(dpid, this);
    released.complete(null);
    if (probe != null) {
      probe.complete(false);
    }
  }

  /**
   * Completes once this session's goodbye is queued and its dpid is free: a newer connection that
   * claims the dpid then has its callbacks queued after this one's.
   */
  CompletableFuture<Void> released() {
    return released;
  }

  /** A message arrived from the switch. Event loop. */
  void heard() {
    heard++;
  }

  /** Whether the handshake of this connection completed (it may have closed since). */
  boolean isReady() {
    return ready;
  }

  /**
   * A newer connection of this switch completed its handshake: asks this one for an echo. Completes
   * with true when this connection is heard from within {@code grace} (it keeps its dpid), or with
   * false when it is closed instead — it was silent (it lost its dpid: closed, counted, logged
   * once) or it closed meanwhile. One probe at a time: a second contender shares it. Any thread.
   */
  CompletableFuture<Boolean> probe(java.time.Duration grace, String contender) {
    var result = new CompletableFuture<Boolean>();
    try {
      channel.eventLoop().execute(() -> startProbe(grace, contender).whenComplete((alive, e) ->
          result.complete(alive != null && alive)));
    } catch (RejectedExecutionException e) {
      result.complete(false);
    }
    return result;
  }

  private CompletableFuture<Boolean> startProbe(java.time.Duration grace, String contender) {
    if (probe != null) {
      return probe;
    }
    var started = new CompletableFuture<Boolean>();
    if (closed || !channel.isActive()) {
      started.complete(false);
      return started;
    }
    probe = started;
    long mark = heard;
    channel.writeAndFlush(factory.buildEchoRequest().setXid(nextXid()).setData(new byte[0]).build());
    channel.eventLoop().schedule(() -> {
      probe = null;
      // paused by our own backlog, its answer may be unread: that is no silence of the switch
      if (heard != mark || backlog.isPaused()) {
        started.complete(true);
        return;
      }
      loseDpid("it did not answer an echo request within " + grace, contender);
      started.complete(false);
    }, grace.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    return started;
  }

  /**
   * Closes this connection because a newer one of the same switch takes its dpid: counted and
   * logged once. Any thread.
   */
  void loseDpid(String why, String contender) {
    try {
      channel.eventLoop().execute(() -> {
        if (closed || !channel.isOpen()) {
          return;
        }
        counters.dpidTakenOver();
        log.warn("{} at {} loses its dpid to the newer connection from {}: {}", this,
            channel.remoteAddress(), contender, why);
        channel.close();
      });
    } catch (RejectedExecutionException e) {
      log.debug("{}: event loop stopped, not closed for {}", this, contender);
    }
  }

  Channel channel() {
    return channel;
  }

  /** Bytes written to this switch and not yet taken by its socket. Event loop or tests. */
  long queuedBytes() {
    var buffer = channel.unsafe().outboundBuffer();
    return buffer == null ? 0 : buffer.totalPendingWriteBytes();
  }

  /** Messages waiting for the executor, and whether reading is paused because of them. */
  InboundBacklog backlog() {
    return backlog;
  }

  private <T> boolean failIfClosed(Map<Long, T> pending, long xid) {
    if (!closed) {
      return false;
    }
    T removed = pending.remove(xid);
    if (removed != null) {
      var failure = new SwitchDisconnectedException(dpid);
      if (removed instanceof CompletableFuture<?> f) {
        f.completeExceptionally(failure);
      } else if (removed instanceof FlowStatsGathering g) {
        g.future.completeExceptionally(failure);
      }
    }
    return true;
  }

  private static <T> List<T> drain(Map<Long, T> pending) {
    var drained = new ArrayList<T>();
    for (Long xid : List.copyOf(pending.keySet())) {
      T value = pending.remove(xid);
      if (value != null) {
        drained.add(value);
      }
    }
    return drained;
  }

  /**
   * Queues a callback for the executor. Event loop only. Callbacks of one socket read go to the
   * executor together, in one task, at the end of the read ({@link #endOfRead}); so do those of a
   * read longer than {@link #OUTBOX_LIMIT} messages, in parts.
   */
  private void deliver(Runnable callback, String what) {
    backlog.added();
    inbox.add(() -> {
      try {
        runBatched(callback, what);
      } finally {
        backlog.removed();
      }
    });
    if (inbox.size() >= OUTBOX_LIMIT) {
      endOfRead();
    }
  }

  /** The socket read is over: its callbacks go to the executor, in arrival order. Event loop only. */
  void endOfRead() {
    if (inbox.isEmpty()) {
      return;
    }
    List<Runnable> batch = List.copyOf(inbox);
    inbox.clear();
    try {
      executor.execute(() -> batch.forEach(Runnable::run));
    } catch (RejectedExecutionException e) {
      batch.forEach(b -> backlog.removed());
      log.debug("{}: {} callbacks after shutdown dropped", this, batch.size());
    }
  }

  /**
   * Runs a listener callback; a failure is a bug there: counted, and logged with its stack trace
   * once per cause and interval ({@link ThrottledLog}), never once per message.
   */
  private void callListener(Runnable callback, String what) {
    try {
      callback.run();
    } catch (RuntimeException e) {
      counters.listenerFailure();
      throttled.error(log, "listener failed in " + what + ": " + ThrottledLog.site(e),
          "{}: listener failed in {}", this, what, e);
    }
  }

  private static final class FlowStatsGathering {
    final List<OFFlowStatsEntry> entries = new ArrayList<>();
    final CompletableFuture<List<OFFlowStatsEntry>> future = new CompletableFuture<>();
  }
}
