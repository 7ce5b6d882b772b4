package org.nicflow.controller.openflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.nicflow.controller.openflow.SwitchHandshakeTest.HOST1;
import static org.nicflow.controller.openflow.SwitchHandshakeTest.ports;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowRemoved;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.projectfloodlight.openflow.protocol.OFPacketInReason;
import org.projectfloodlight.openflow.protocol.OFType;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/** What waits to be sent to a switch that does not read stays bounded. */
class OutboundLimitTest {

  static final int LIMIT = 256 << 10;
  static final int PAUSE = LIMIT / 32;
  /** The largest OpenFlow message: a write checked below the limit adds at most this. */
  static final int LARGEST = 0xffff;
  static final OFFactory OF13 = OFFactories.getFactory(OFVersion.OF_13);

  final OpenFlowSettings settings =
      new OpenFlowSettings("127.0.0.1", 0, Duration.ofSeconds(5), Duration.ofSeconds(15))
          .withOutboundQueueBytes(LIMIT);
  final RecordingListener listener = new RecordingListener();
  final OpenFlowServer server = new OpenFlowServer(Map.of(HOST1, "host1"), listener, settings);

  @AfterEach
  void stop() throws InterruptedException {
    server.close();
  }

  /** The encoder and the limit on a channel whose writes are never flushed: all of them wait. */
  EmbeddedChannel unflushedChannel(OpenFlowStats.ChannelCounters counters) {
    var channel = new EmbeddedChannel();
    channel.pipeline().addLast(new OfMessageEncoder(counters), new OutboundLimit(settings, counters));
    return channel;
  }

  static OFMessage packetOut(int size) {
    return OF13.buildPacketOut()
        .setBufferId(OFBufferId.NO_BUFFER)
        .setInPort(OFPort.CONTROLLER)
        .setActions(List.of(OF13.actions().output(OFPort.of(2), 0)))
        .setData(new byte[size])
        .build();
  }

  static OFMessage flowMod(int n) {
    return OF13.buildFlowAdd()
        .setTableId(TableId.of(0))
        .setCookie(U64.of(n))
        .setMatch(OF13.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(1 + n % 1000)).build())
        .setInstructions(
            List.of(OF13.instructions().applyActions(List.of(OF13.actions().output(OFPort.of(2), 0)))))
        .build();
  }

  static long queued(EmbeddedChannel channel) {
    var buffer = channel.unsafe().outboundBuffer();
    return buffer == null ? 0 : buffer.totalPendingWriteBytes(); // none once closed
  }

  @Test
  void aboveThePauseMarkPacketOutsAreShedAndReadingPausesWhileFlowModsStillQueue() {
    var stats = new OpenFlowStats();
    var channel = unflushedChannel(stats.newChannel());

    while (channel.isWritable()) {
      channel.write(packetOut(1000));
    }
    long atPause = queued(channel);
    assertThat(atPause).isBetween((long) PAUSE, (long) PAUSE + 1200);
    assertThat(channel.config().isAutoRead()).isFalse();
    assertThat(stats.snapshot().global().writePauses()).isEqualTo(1);

    for (int i = 0; i < 100; i++) {
      channel.write(packetOut(1000));
    }
    assertThat(queued(channel)).as("packet-outs shed").isEqualTo(atPause);
    assertThat(stats.snapshot().global().packetOutsShed()).isEqualTo(100);

    channel.write(flowMod(1));
    assertThat(queued(channel)).as("a flow-mod still queues").isGreaterThan(atPause);

    channel.flush(); // the switch reads it all
    assertThat(channel.isWritable()).isTrue();
    assertThat(channel.config().isAutoRead()).isTrue();
    channel.releaseOutbound();
    channel.finishAndReleaseAll();
  }

  @Test
  void pastTheLimitTheConnectionIsClosedOnceAndNothingMoreIsQueued() {
    var stats = new OpenFlowStats();
    var channel = unflushedChannel(stats.newChannel());

    long most = 0;
    int written = 0;
    while (channel.isOpen() && written < 100_000) {
      channel.write(flowMod(written++));
      most = Math.max(most, queued(channel));
    }
    assertThat(channel.isOpen()).as("closed past the limit").isFalse();
    assertThat(most).isLessThanOrEqualTo(LIMIT + LARGEST);
    assertThat(written).as("flow-mods written before the close").isLessThan(100_000);
    assertThat(stats.snapshot().global().outboundOverflowCloses()).isEqualTo(1);
    var failed = channel.write(flowMod(0));
    assertThat(failed.isSuccess()).isFalse();
    assertThat(stats.snapshot().global().outboundOverflowCloses()).isEqualTo(1);
    channel.finishAndReleaseAll();
  }

  @Test
  void aSwitchThatReadsNothingWeSendIsClosedAfterTheIdleTimeout() {
    var sw = new FakeSwitch(server, OFVersion.OF_13);
    sw.connect(HOST1, ports("host1-up", 1));
    sw.remaining();

    sw.channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
    sw.channel.runPendingTasks(); // Netty tells the pipeline later
    assertThat(sw.channel.config().isAutoRead()).isFalse();
    for (int i = 0; i < 3; i++) {
      sw.channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
    }

    assertThat(sw.channel.isOpen()).isFalse();
    assertThat(server.stats().of(HOST1).writePauses()).isEqualTo(1);
  }

  @Test
  void aSessionShedsPacketOutsButNotFlowModsToASwitchThatIsNotReading() {
    var sw = new FakeSwitch(server, OFVersion.OF_13);
    sw.connect(HOST1, ports("host1-up", 1));
    sw.remaining();
    var session = sw.session();

    sw.channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
    for (int i = 0; i < 10; i++) {
      session.send(packetOut(100));
    }
    session.send(flowMod(1));
    assertThat(sw.remaining()).extracting(OFMessage::getType).containsExactly(OFType.FLOW_MOD);
    assertThat(server.stats().of(HOST1).packetOutsShed()).isEqualTo(10);

    sw.channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
    sw.channel.runPendingTasks();
    assertThat(sw.channel.config().isAutoRead()).isTrue();
    session.send(packetOut(100));
    assertThat(sw.remaining()).extracting(OFMessage::getType).containsExactly(OFType.PACKET_OUT);
  }

  @Test
  void packetOutsAreNotKeptForErrorCorrelation() {
    var sw = new FakeSwitch(server, OFVersion.OF_13);
    sw.connect(HOST1, ports("host1-up", 1));
    var session = (SwitchSession) sw.session();
    OFMessage out = session.withXid(packetOut(60_000));
    OFMessage mod = session.withXid(flowMod(1));
    session.send(out);
    session.send(mod);

    assertThat(session.sentMessage(out.getXid())).isEmpty();
    assertThat(session.sentMessage(mod.getXid())).contains(mod);
  }

  /** Answers every packet-in with a packet-out of its packet, and keeps nothing. */
  static final class Answering implements SwitchListener {
    volatile boolean connected;

    @Override
    public void switchConnected(SwitchConnection sw) {
      connected = true;
    }

    @Override
    public void switchDisconnected(SwitchConnection sw) {}

    @Override
    public void portChanged(SwitchConnection sw, String portName, boolean added) {}

    @Override
    public void packetIn(SwitchConnection sw, OFPacketIn packetIn) {
      sw.send(packetOut(packetIn.getData().length));
    }

    @Override
    public void flowRemoved(SwitchConnection sw, OFFlowRemoved removed) {}

    @Override
    public void error(SwitchConnection sw, OFErrorMsg error, Optional<OFMessage> request) {}
  }

  @Test
  void overTcpASwitchThatNeverReadsHoldsNoMoreThanTheLimit() throws Exception {
    var answering = new Answering();
    var server = new OpenFlowServer(Map.of(HOST1, "host1"), answering, settings);
    server.start();
    try (var sw = new SocketSwitch(server.boundPort())) {
      sw.handshake(HOST1, "host1-up");
      await().until(() -> answering.connected);
      var session = server.registry().session(HOST1).orElseThrow();
      // From now on the switch sends packet-ins of 1 KiB and reads nothing: 64 MiB if all went out.
      Thread flood = new Thread(() -> {
        try {
          for (int i = 0; i < 64 * 1024; i++) {
            sw.send(packetIn(sw.factory, 1024));
          }
        } catch (IOException expected) {
          // the test closes the socket under the blocked write
        }
      }, "non-reading-switch");
      flood.start();

      await().until(() -> server.stats().of(HOST1).packetOutsShed() > 0);
      // reading stopped, and every packet-in read was answered, or its answer counted as shed, or
      // (all of them come in on one port) it was shed itself past the port's share of the queue:
      // what is held for the switch now is all it will be until it reads
      await().until(() -> {
        var counts = server.stats().of(HOST1);
        return ReadGate.of(session.channel()).isPaused(ReadGate.Reason.OUTBOUND)
            && session.backlog().size() == 0
            && counts.packetOutsShed() + counts.out(OFType.PACKET_OUT) + counts.packetInsShed()
                == counts.packetIns();
      });
      // packet-outs are shed from the pause mark on, so not even the limit is reached
      assertThat(session.queuedBytes()).isLessThanOrEqualTo(PAUSE + LARGEST);
      assertThat(server.stats().of(HOST1).packetIns()).isLessThan(64 * 1024);
      assertThat(server.stats().of(HOST1).writePauses()).isPositive();
      assertThat(flood.isAlive()).as("the switch cannot send more than we read").isTrue();
      sw.close();
      flood.join(10_000);
    } finally {
      server.close();
    }
  }

  static OFPacketIn packetIn(OFFactory factory, int size) {
    return factory
        .buildPacketIn()
        .setXid(0)
        .setBufferId(OFBufferId.NO_BUFFER)
        .setReason(OFPacketInReason.NO_MATCH)
        .setTableId(TableId.of(0))
        .setCookie(U64.ZERO)
        .setMatch(factory.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(1)).build())
        .setData(new byte[size])
        .setTotalLen(size)
        .build();
  }
}
