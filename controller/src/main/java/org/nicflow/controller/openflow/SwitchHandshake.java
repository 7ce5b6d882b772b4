package org.nicflow.controller.openflow;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.projectfloodlight.openflow.protocol.OFConfigFlags;
import org.projectfloodlight.openflow.protocol.OFEchoRequest;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFeaturesReply;
import org.projectfloodlight.openflow.protocol.OFHello;
import org.projectfloodlight.openflow.protocol.OFHelloElem;
import org.projectfloodlight.openflow.protocol.OFHelloElemVersionbitmap;
import org.projectfloodlight.openflow.protocol.OFHelloFailedCode;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPortDesc;
import org.projectfloodlight.openflow.protocol.OFPortDescStatsReply;
import org.projectfloodlight.openflow.protocol.OFPortStatus;
import org.projectfloodlight.openflow.protocol.OFStatsReplyFlags;
import org.projectfloodlight.openflow.protocol.OFType;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.DatapathId;
import org.projectfloodlight.openflow.types.OFErrorCauseData;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.U32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a switch channel: the handshake state machine, then the session it hands
 * READY traffic to. Every state names what it accepts; anything else is logged and counted as
 * illegal. ECHO_REQUEST is answered in every state. Runs on the channel's event loop only.
 */
final class SwitchHandshake extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(SwitchHandshake.class);

  /**
   * OpenFlow versions offered, highest first. Not 1.5: OVS 3.1 reports flow statistics and removed
   * flows in 1.5 with OXS stat fields openflowj 3.6 cannot read, so a 1.5 session breaks at the
   * first FLOW_REMOVED or flow-stats reply. 1.4 gives bundles, which 1.5 would add nothing to here.
   */
  static final List<OFVersion> SUPPORTED = List.of(OFVersion.OF_14, OFVersion.OF_13);

  /** Illegal messages logged at WARN per channel; later ones at DEBUG (all are counted). */
  static final int ILLEGAL_WARNINGS = 10;

  /** OFPCML_NO_BUFFER: send whole packets to the controller, never buffer ids. */
  static final int MISS_SEND_LEN_NO_BUFFER = 0xffff;

  enum State {
    WAIT_HELLO,
    WAIT_FEATURES,
    WAIT_PORT_DESC,
    WAIT_CONFIG_BARRIER,
    /** Handshake done, but another connection holds the dpid: it is being asked whether it lives. */
    WAIT_DPID,
    READY,
    CLOSED
  }

  private final SwitchRegistry registry;
  private final SwitchListener listener;
  private final OpenFlowSettings settings;
  private final OpenFlowStats.ChannelCounters counters;
  private final ThrottledLog throttled;

  private State state = State.WAIT_HELLO;
  private ChannelHandlerContext ctx;
  private OFFactory factory;
  private SwitchSession session;
  private long featuresXid;
  private long portDescXid;
  private long barrierXid;
  private final Map<String, OFPort> describedPorts = new LinkedHashMap<>();
  private final List<OFPortStatus> earlyPortStatus = new ArrayList<>();
  private int idleIntervals;
  private boolean wasReady;
  /** Whether {@link #session} holds its dpid in the registry (else it contends for it when done). */
  private boolean holding;
  private int illegalSeen;
  private ScheduledFuture<?> deadline;

  SwitchHandshake(
      SwitchRegistry registry,
      SwitchListener listener,
      OpenFlowSettings settings,
      OpenFlowStats.ChannelCounters counters,
      ThrottledLog throttled) {
    this.registry = registry;
    this.listener = listener;
    this.settings = settings;
    this.counters = counters;
    this.throttled = throttled;
  }

  State state() {
    return state;
  }

  Optional<SwitchSession> session() {
    return Optional.ofNullable(session);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    OFFactory highest = OFFactories.getFactory(SUPPORTED.get(0));
    OFHelloElem bitmap =
        highest
            .buildHelloElemVersionbitmap()
            .setBitmaps(List.of(U32.of(bitmapOf(SUPPORTED))))
            .build();
    writeRaw(highest.buildHello().setElements(List.of(bitmap)).build());
    deadline =
        ctx.executor()
            .schedule(
                this::handshakeDeadline, settings.idleTimeout().toNanos(), TimeUnit.NANOSECONDS);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof OFMessage message)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (state == State.CLOSED) {
      return;
    }
    counters.in(message.getType());
    idleIntervals = 0;
    if (session != null) {
      session.heard();
    }
    switch (message.getType()) {
      case ECHO_REQUEST -> {
        answerEcho((OFEchoRequest) message);
        return;
      }
      case ECHO_REPLY -> {
        return;
      }
      default -> {
        // by state below
      }
    }
    if (factory != null && message.getVersion() != factory.getVersion()) {
      illegal(message); // not the negotiated version
      return;
    }
    switch (state) {
      case WAIT_HELLO -> {
        if (message instanceof OFHello hello) {
          onHello(hello);
        } else if (message instanceof OFErrorMsg error) {
          onHandshakeError(error);
        } else {
          illegal(message);
        }
      }
      case WAIT_FEATURES -> {
        if (message instanceof OFFeaturesReply features && features.getXid() == featuresXid) {
          onFeatures(features);
        } else if (message instanceof OFPortStatus status) {
          // OVS sends asynchronous messages from HELLO on: a port change before the features
          // reply is kept, like one before the port description, and applied over it
          earlyPortStatus.add(status);
        } else if (message instanceof OFErrorMsg error) {
          onHandshakeError(error);
        } else {
          illegal(message);
        }
      }
      case WAIT_PORT_DESC -> {
        if (message instanceof OFPortDescStatsReply reply && reply.getXid() == portDescXid) {
          onPortDesc(reply);
        } else if (message instanceof OFPortStatus status) {
          earlyPortStatus.add(status);
        } else if (message instanceof OFErrorMsg error) {
          onHandshakeError(error);
        } else {
          illegal(message);
        }
      }
      case WAIT_CONFIG_BARRIER -> {
        if (message.getType() == OFType.BARRIER_REPLY
            && message.getXid() == barrierXid) {
          if (holding) {
            onReady();
          } else {
            claimDpid();
          }
        } else if (message instanceof OFPortStatus status) {
          session.setPorts(SwitchSession.apply(session.ports(), status));
        } else if (message instanceof OFErrorMsg error) {
          onHandshakeError(error);
        } else {
          illegal(message);
        }
      }
      case WAIT_DPID -> {
        if (message instanceof OFPortStatus status) {
          session.setPorts(SwitchSession.apply(session.ports(), status));
        } else if (message instanceof OFErrorMsg error) {
          onHandshakeError(error);
        } else {
          illegal(message);
        }
      }
      case READY -> {
        if (!session.handle(message)) {
          illegal(message);
        }
      }
      case CLOSED -> {
        // unreachable: returned above
      }
    }
  }

  /**
   * The end of one socket read: the callbacks its messages queued go to the switch's executor
   * together, one hand-over per read instead of one per message.
   */
  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (session != null) {
      session.endOfRead();
    }
    ctx.fireChannelReadComplete();
  }

  private void handshakeDeadline() {
    if (state != State.READY && state != State.CLOSED) {
      throttled.warn(
          log,
          "handshake not done in " + state,
          "Closing {}: handshake not done within {} (stuck in {})",
          who(),
          settings.idleTimeout(),
          state);
      close();
    }
  }

  private void onHello(OFHello hello) {
    Optional<OFVersion> version = negotiate(hello);
    if (version.isEmpty()) {
      OFFactory theirs = OFFactories.getFactory(hello.getVersion());
      String reason = "nicflow speaks OpenFlow 1.3, 1.4, 1.5";
      writeRaw(
          theirs
              .errorMsgs()
              .buildHelloFailedErrorMsg()
              .setXid(hello.getXid())
              .setCode(OFHelloFailedCode.INCOMPATIBLE)
              .setData(
                  OFErrorCauseData.of(
                      reason.getBytes(StandardCharsets.US_ASCII), hello.getVersion()))
              .build());
      closeAfterFlush("no common OpenFlow version >= 1.3 (switch offers " + offered(hello) + ")");
      return;
    }
    factory = OFFactories.getFactory(version.get());
    featuresXid = nextXid();
    writeRaw(factory.buildFeaturesRequest().setXid(featuresXid).build());
    state = State.WAIT_FEATURES;
  }

  private void onFeatures(OFFeaturesReply features) {
    DatapathId dpid = features.getDatapathId();
    Optional<String> host = registry.host(dpid);
    if (host.isEmpty()) {
      throttled.warn(
          log,
          "unknown dpid " + dpid,
          "Refusing switch {} from {}: dpid is not a configured host",
          dpid,
          remote());
      close();
      return;
    }
    session =
        new SwitchSession(
            ctx.channel(),
            factory,
            dpid,
            host.get(),
            listener,
            counters,
            registry.lane(dpid),
            settings.inboundQueueCapacity(),
            throttled);
    counters.attach(dpid);
    // A dpid another connection holds is contended for once this handshake is done (claimDpid).
    holding = registry.claim(dpid, session) == SwitchRegistry.Claim.CLAIMED;
    portDescXid = nextXid();
    session.write(factory.buildPortDescStatsRequest().setXid(portDescXid).build());
    state = State.WAIT_PORT_DESC;
  }

  private void onPortDesc(OFPortDescStatsReply reply) {
    for (OFPortDesc port : reply.getEntries()) {
      describedPorts.put(port.getName(), port.getPortNo());
    }
    if (reply.getFlags().contains(OFStatsReplyFlags.REPLY_MORE)) {
      return;
    }
    PortMap ports = new PortMap(describedPorts);
    for (OFPortStatus status : earlyPortStatus) {
      ports = SwitchSession.apply(ports, status);
    }
    earlyPortStatus.clear();
    session.setPorts(ports);
    session.write(
        factory
            .buildSetConfig()
            .setXid(nextXid())
            .setFlags(EnumSet.noneOf(OFConfigFlags.class))
            .setMissSendLen(MISS_SEND_LEN_NO_BUFFER)
            .build());
    barrierXid = nextXid();
    session.write(factory.buildBarrierRequest().setXid(barrierXid).build());
    state = State.WAIT_CONFIG_BARRIER;
  }

  /**
   * The handshake is done but the dpid was held when the switch told it: claim it now, or contend
   * with the connection holding it. A holder still in its handshake loses the dpid at once; a
   * ready one is sent an echo request and keeps the dpid if it is heard from within one echo
   * interval, else it loses it. The loser is closed (counted, one log line); this connection
   * becomes READY once the old one's goodbye is queued, so the listener hears the old connection
   * leave before the new one arrives.
   */
  private void claimDpid() {
    DatapathId dpid = session.dpid();
    switch (registry.claim(dpid, session)) {
      case CLAIMED -> {
        holding = true;
        onReady();
      }
      case UNKNOWN_DPID -> {
        throttled.warn(log, "unknown dpid " + dpid,
            "Refusing switch {} from {}: dpid is not a configured host", dpid, remote());
        close();
      }
      case ALREADY_CONNECTED -> {
        Optional<SwitchSession> holder = registry.session(dpid);
        if (holder.isEmpty()) {
          claimDpid(); // released meanwhile
          return;
        }
        state = State.WAIT_DPID;
        SwitchSession old = holder.get();
        CompletableFuture<Boolean> kept;
        if (old.isReady()) {
          kept = old.probe(settings.echoInterval(), remote());
        } else {
          old.loseDpid("its handshake is not done", remote());
          kept = CompletableFuture.completedFuture(false);
        }
        kept.thenCompose(k -> k ? CompletableFuture.completedFuture(true) : old.released().thenApply(v -> false))
            .whenComplete((k, failure) -> onEventLoop(() -> contested(old, k != null && k)));
      }
    }
  }

  /** The contest for the dpid is decided: {@code kept} when the old connection keeps it. */
  private void contested(SwitchSession old, boolean kept) {
    if (state != State.WAIT_DPID) {
      return; // closed meanwhile
    }
    if (kept) {
      throttled.warn(
          log,
          "second connection of " + old.dpid(),
          "Refusing second connection of {} from {}: the connected one answers",
          old,
          remote());
      close();
      return;
    }
    claimDpid();
  }

  private void onEventLoop(Runnable task) {
    try {
      ctx.executor().execute(task);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      log.debug("{}: event loop stopped", who());
    }
  }

  private void onReady() {
    state = State.READY;
    wasReady = true;
    deadline.cancel(false);
    log.info(
        "Switch {} ({}) connected from {} over {}, {} ports",
        session.dpid(),
        session.host(),
        remote(),
        factory.getVersion(),
        session.ports().byName().size());
    session.ready();
  }

  private void onHandshakeError(OFErrorMsg error) {
    counters.error();
    throttled.warn(
        log,
        "handshake answered with " + error.getErrType(),
        "Switch at {} answered the handshake ({}) with {}",
        remote(),
        state,
        error);
    close();
  }

  private void answerEcho(OFEchoRequest request) {
    OFFactory theirs = OFFactories.getFactory(request.getVersion());
    writeRaw(theirs.buildEchoReply().setXid(request.getXid()).setData(request.getData()).build());
  }

  private void illegal(OFMessage message) {
    counters.illegal();
    illegalSeen++;
    String format = "Illegal {} {} (xid {}) from {} in state {}; ignored";
    Object[] args = {message.getVersion(), message.getType(), message.getXid(), who(), state};
    if (illegalSeen <= ILLEGAL_WARNINGS) {
      log.warn(format, args);
    } else {
      log.debug(format, args);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (!(evt instanceof IdleStateEvent idle) || idle.state() != IdleState.READER_IDLE) {
      ctx.fireUserEventTriggered(evt);
      return;
    }
    if (state == State.CLOSED) {
      return;
    }
    if (session != null && session.backlog().isPaused()) {
      idleIntervals = 0; // we stopped reading (back-pressure): the silence is ours, not the switch's
      return;
    }
    idleIntervals++;
    if (idleIntervals >= settings.idleIntervalsBeforeClose()) {
      if (ReadGate.of(ctx.channel()).isPaused(ReadGate.Reason.OUTBOUND)) {
        log.warn("Closing {}: it has read nothing we sent for {}", who(), settings.idleTimeout());
      } else {
        log.warn("Closing {}: nothing received for {}", who(), settings.idleTimeout());
      }
      close();
    } else if (factory != null) {
      writeRaw(factory.buildEchoRequest().setXid(nextXid()).setData(new byte[0]).build());
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (state == State.CLOSED) {
      log.debug("After close, {}: {}", who(), cause.toString());
      return;
    }
    if (cause instanceof DecoderException) {
      counters.malformedClose();
      throttled.warn(
          log, "malformed input", "Closing {}: malformed input: {}", who(), cause.getMessage());
    } else if (cause instanceof IOException) {
      // the network or the switch ended the connection (reset, broken pipe): no bug, no trace
      throttled.warn(log, cause.toString(), "Closing {}: {}", who(), cause.toString());
    } else {
      throttled.warn(
          log, ThrottledLog.site(cause), "Closing {}: unexpected failure", who(), cause);
    }
    close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    state = State.CLOSED;
    if (deadline != null) {
      deadline.cancel(false);
    }
    if (session != null) {
      log.info(
          "Switch {} ({}) disconnected{}",
          session.dpid(),
          session.host(),
          wasReady ? "" : " during the handshake");
      session.disconnected(registry);
    }
    ctx.fireChannelInactive();
  }

  /**
   * The version to speak: the highest common one of both bitmaps when the switch sends one, else
   * the lower of both HELLO versions; empty unless it is one we support.
   */
  static Optional<OFVersion> negotiate(OFHello hello) {
    Set<Integer> theirs = bitmapVersions(hello);
    if (!theirs.isEmpty()) {
      return SUPPORTED.stream().filter(v -> theirs.contains(v.getWireVersion())).findFirst();
    }
    int wire = Math.min(hello.getVersion().getWireVersion(), SUPPORTED.get(0).getWireVersion());
    return SUPPORTED.stream().filter(v -> v.getWireVersion() == wire).findFirst();
  }

  private static Set<Integer> bitmapVersions(OFHello hello) {
    Set<Integer> versions = new TreeSet<>();
    List<OFHelloElem> elements;
    try {
      elements = hello.getElements();
    } catch (UnsupportedOperationException e) {
      return versions; // OpenFlow 1.0 HELLO has no elements
    }
    for (OFHelloElem element : elements) {
      if (element instanceof OFHelloElemVersionbitmap bitmap) {
        List<U32> words = bitmap.getBitmaps();
        for (int w = 0; w < words.size(); w++) {
          long bits = words.get(w).getValue();
          for (int b = 0; b < 32; b++) {
            if ((bits & (1L << b)) != 0) {
              versions.add(w * 32 + b);
            }
          }
        }
      }
    }
    return versions;
  }

  private static String offered(OFHello hello) {
    Set<Integer> versions = bitmapVersions(hello);
    if (versions.isEmpty()) {
      return "up to wire version " + hello.getVersion().getWireVersion();
    }
    return "wire versions " + versions;
  }

  private static long bitmapOf(List<OFVersion> versions) {
    long bits = 0;
    for (OFVersion v : versions) {
      bits |= 1L << v.getWireVersion();
    }
    return bits;
  }

  /** Xids come from the negotiated factory's generator, as for every message openflowj builds. */
  private long nextXid() {
    long xid = factory.nextXid() & 0xffffffffL;
    return xid == 0 ? nextXid() : xid;
  }

  private void writeRaw(OFMessage message) {
    ctx.writeAndFlush(message);
  }

  private void close() {
    state = State.CLOSED;
    ctx.close();
  }

  private void closeAfterFlush(String reason) {
    throttled.warn(log, reason, "Refusing switch at {}: {}", remote(), reason);
    state = State.CLOSED;
    ctx.writeAndFlush(ctx.alloc().buffer(0)).addListener(ChannelFutureListener.CLOSE);
  }

  private String remote() {
    return String.valueOf(ctx.channel().remoteAddress());
  }

  private String who() {
    return session != null ? session + " at " + remote() : "switch at " + remote();
  }
}
