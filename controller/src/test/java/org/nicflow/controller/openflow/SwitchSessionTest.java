package org.nicflow.controller.openflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.nicflow.controller.openflow.SwitchHandshakeTest.HOST1;
import static org.nicflow.controller.openflow.SwitchHandshakeTest.ports;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFFlowAdd;
import org.projectfloodlight.openflow.protocol.OFFlowModFailedCode;
import org.projectfloodlight.openflow.protocol.OFFlowRemovedReason;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFFlowStatsRequest;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.projectfloodlight.openflow.protocol.OFPortReason;
import org.projectfloodlight.openflow.protocol.OFStatsReplyFlags;
import org.projectfloodlight.openflow.protocol.OFType;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.OFErrorCauseData;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

class SwitchSessionTest {

  final RecordingListener listener = new RecordingListener();
  final OpenFlowServer server =
      new OpenFlowServer(
          Map.of(HOST1, "host1"),
          listener,
          new OpenFlowSettings("127.0.0.1", 0, Duration.ofSeconds(5), Duration.ofSeconds(15)));
  FakeSwitch sw;
  SwitchConnection session;

  @BeforeEach
  void connect() {
    sw = new FakeSwitch(server, OFVersion.OF_13);
    sw.connect(HOST1, ports("host1-up", 1, "web1-eth0", 2));
    await().until(() -> listener.connected.size() == 1);
    session = sw.session();
    sw.remaining();
  }

  OFFlowAdd flowAdd(long cookie) {
    var f = sw.factory;
    return f.buildFlowAdd()
        .setTableId(TableId.of(0))
        .setPriority(100)
        .setCookie(U64.of(cookie))
        .setMatch(f.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(2)).build())
        .build();
  }

  OFFlowStatsEntry entry(long cookie) {
    var f = sw.factory;
    return f.buildFlowStatsEntry()
        .setTableId(TableId.of(0))
        .setPriority(100)
        .setCookie(U64.of(cookie))
        .setMatch(f.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(2)).build())
        .build();
  }

  @Test
  void barrierFutureCompletesOnItsReply() {
    var barrier = session.barrier();
    OFMessage request = sw.next(OFType.BARRIER_REQUEST);
    assertThat(barrier).isNotDone();
    sw.send(sw.factory.buildBarrierReply().setXid(request.getXid() + 1000).build());
    assertThat(barrier).isNotDone();
    sw.send(sw.factory.buildBarrierReply().setXid(request.getXid()).build());
    await().until(barrier::isDone);
    assertThat(barrier).isCompleted();
  }

  @Test
  void flowStatsAreGatheredAcrossReplyMoreParts() throws Exception {
    var stats = session.flowStats();
    OFFlowStatsRequest request = sw.next(OFType.STATS_REQUEST);
    assertThat(request.getTableId()).isEqualTo(TableId.ALL);
    sw.send(
        sw.factory
            .buildFlowStatsReply()
            .setXid(request.getXid())
            .setFlags(Set.of(OFStatsReplyFlags.REPLY_MORE))
            .setEntries(List.of(entry(1), entry(2)))
            .build());
    sw.send(
        sw.factory
            .buildFlowStatsReply()
            .setXid(request.getXid())
            .setFlags(Set.of(OFStatsReplyFlags.REPLY_MORE))
            .setEntries(List.of(entry(3)))
            .build());
    assertThat(stats).isNotDone();
    sw.send(
        sw.factory
            .buildFlowStatsReply()
            .setXid(request.getXid())
            .setEntries(List.of(entry(4)))
            .build());
    await().until(stats::isDone);
    assertThat(stats.get())
        .extracting(e -> e.getCookie().getValue())
        .containsExactly(1L, 2L, 3L, 4L);
  }

  @Test
  void anErrorReachesTheListenerWithTheFlowModItAnswers() {
    session.send(flowAdd(7));
    session.send(flowAdd(8));
    OFFlowAdd first = sw.next(OFType.FLOW_MOD);
    OFFlowAdd second = sw.next(OFType.FLOW_MOD);
    assertThat(first.getXid()).isNotZero().isNotEqualTo(second.getXid());

    sw.send(
        sw.factory
            .errorMsgs()
            .buildFlowModFailedErrorMsg()
            .setXid(second.getXid())
            .setCode(OFFlowModFailedCode.TABLE_FULL)
            .setData(OFErrorCauseData.of(new byte[0], OFVersion.OF_13))
            .build());

    await().until(() -> listener.errors.size() == 1);
    var error = listener.errors.get(0);
    assertThat(error.request()).contains(second);
    assertThat(error.sw()).isSameAs(session);
    assertThat(server.stats().of(HOST1).errors()).isEqualTo(1);
    assertThat(server.stats().global().errors()).isEqualTo(1);
  }

  @Test
  void anErrorAnsweringABarrierFailsItsFuture() {
    var barrier = session.barrier();
    OFMessage request = sw.next(OFType.BARRIER_REQUEST);
    sw.send(
        sw.factory
            .errorMsgs()
            .buildBadRequestErrorMsg()
            .setXid(request.getXid())
            .setCode(org.projectfloodlight.openflow.protocol.OFBadRequestCode.BAD_TYPE)
            .setData(OFErrorCauseData.of(new byte[0], OFVersion.OF_13))
            .build());
    await().until(barrier::isDone);
    assertThat(barrier).isCompletedExceptionally();
    assertThat(listener.errors).hasSize(1);
  }

  @Test
  void portStatusAddAndDeleteUpdateThePortMap() {
    sw.send(
        sw.factory
            .buildPortStatus()
            .setReason(OFPortReason.ADD)
            .setDesc(sw.port("web2-eth0", 3))
            .build());
    await().until(() -> listener.portChanges.size() == 1);
    var added = listener.portChanges.get(0);
    assertThat(added.name()).isEqualTo("web2-eth0");
    assertThat(added.added()).isTrue();
    assertThat(added.ports().number("web2-eth0")).contains(OFPort.of(3));

    sw.send(
        sw.factory
            .buildPortStatus()
            .setReason(OFPortReason.DELETE)
            .setDesc(sw.port("web1-eth0", 2))
            .build());
    await().until(() -> listener.portChanges.size() == 2);
    var deleted = listener.portChanges.get(1);
    assertThat(deleted.added()).isFalse();
    assertThat(session.ports().byName())
        .containsOnly(Map.entry("host1-up", OFPort.of(1)), Map.entry("web2-eth0", OFPort.of(3)));
  }

  @Test
  void portStatusModifyRenumbersThePort() {
    sw.send(
        sw.factory
            .buildPortStatus()
            .setReason(OFPortReason.MODIFY)
            .setDesc(sw.port("web1-eth0", 5))
            .build());
    await().until(() -> listener.portChanges.size() == 1);
    assertThat(session.ports().number("web1-eth0")).contains(OFPort.of(5));
    assertThat(listener.portChanges.get(0).added()).isTrue();
  }

  @Test
  void packetInsAndFlowRemovalsReachTheListenerInOrderOffTheEventLoop() {
    sw.send(SwitchHandshakeTest.packetIn(sw));
    sw.send(
        sw.factory
            .buildFlowRemoved()
            .setXid(0)
            .setCookie(U64.of(9))
            .setReason(OFFlowRemovedReason.IDLE_TIMEOUT)
            .setTableId(TableId.of(0))
            .setMatch(sw.factory.matchWildcardAll())
            .build());
    sw.send(SwitchHandshakeTest.packetIn(sw));
    await().until(() -> listener.calls.size() == 4);
    assertThat(listener.calls).containsExactly("connected", "packetIn", "flowRemoved", "packetIn");
    assertThat(listener.flowRemoved.get(0).getCookie()).isEqualTo(U64.of(9));
    assertThat(server.stats().of(HOST1).packetIns()).isEqualTo(2);
    assertThat(server.stats().of(HOST1).illegalMessages()).isZero();
  }

  @Test
  void aFailingListenerIsCountedAndLaterCallbacksStillRun() {
    listener.failPacketIns = true;
    sw.send(SwitchHandshakeTest.packetIn(sw));
    sw.send(
        sw.factory
            .buildPortStatus()
            .setReason(OFPortReason.ADD)
            .setDesc(sw.port("web2-eth0", 3))
            .build());
    await().until(() -> listener.portChanges.size() == 1);
    assertThat(listener.calls).containsExactly("connected", "packetIn", "port");
    assertThat(server.stats().of(HOST1).listenerFailures()).isEqualTo(1);
  }

  @Test
  void aMessageOfTheLargestSizeIsFramedAndDelivered() {
    var f = sw.factory;
    var template = SwitchHandshakeTest.packetIn(sw);
    ByteBuf probe = Unpooled.buffer();
    template.writeTo(probe);
    int overhead = probe.readableBytes() - 4; // the template carries 4 data bytes
    probe.release();
    byte[] data = new byte[0xffff - overhead];
    data[data.length - 1] = 0x5a;
    var big =
        ((OFPacketIn) template).createBuilder().setData(data).setTotalLen(data.length).build();

    sw.send(big);

    await().until(() -> listener.packetIns.size() == 1);
    assertThat(listener.packetIns.get(0).getData()).hasSize(data.length).endsWith((byte) 0x5a);
    assertThat(sw.channel.isOpen()).isTrue();
  }

  @Test
  void messagesSplitAndJoinedAcrossReadsAreFramedExactly() {
    ByteBuf stream = Unpooled.buffer();
    SwitchHandshakeTest.packetIn(sw).writeTo(stream);
    sw.factory.buildEchoRequest().setXid(77).setData(new byte[] {7}).build().writeTo(stream);
    SwitchHandshakeTest.packetIn(sw).writeTo(stream);
    byte[] bytes = new byte[stream.readableBytes()];
    stream.readBytes(bytes);
    stream.release();

    for (int[] cut :
        new int[][] {{0, 3}, {3, 11}, {11, bytes.length - 2}, {bytes.length - 2, bytes.length}}) {
      sw.sendBytes(java.util.Arrays.copyOfRange(bytes, cut[0], cut[1]));
    }

    assertThat(sw.next(OFType.ECHO_REPLY).getXid()).isEqualTo(77);
    await().until(() -> listener.packetIns.size() == 2);
    assertThat(server.stats().global().malformedCloses()).isZero();
  }

  @Test
  void sendAssignsXidsAndKeepsExplicitOnes() {
    session.send(flowAdd(1).createBuilder().setXid(0).build());
    session.send(flowAdd(2).createBuilder().setXid(777).build());
    assertThat(sw.next().getXid()).isNotZero();
    assertThat(sw.next().getXid()).isEqualTo(777);
    assertThat(server.stats().of(HOST1).out(OFType.FLOW_MOD)).isEqualTo(2);
  }

  @Test
  void aFactoryBuiltMessageAndTheNextBarrierNeverShareAnXid() {
    // openflowj's factory stamps built messages with xids of its own generator
    var flowMod = flowAdd(1);
    session.send(flowMod);
    var barrier = session.barrier();
    OFMessage sent = sw.next(OFType.FLOW_MOD);
    OFMessage request = sw.next(OFType.BARRIER_REQUEST);
    assertThat(request.getXid()).isNotEqualTo(sent.getXid());

    sw.send(
        sw.factory
            .errorMsgs()
            .buildFlowModFailedErrorMsg()
            .setXid(sent.getXid())
            .setCode(OFFlowModFailedCode.BAD_TABLE_ID)
            .setData(OFErrorCauseData.of(new byte[0], OFVersion.OF_13))
            .build());
    sw.send(sw.factory.buildBarrierReply().setXid(request.getXid()).build());
    await().until(barrier::isDone);
    assertThat(barrier).isCompleted();
    assertThat(listener.errors)
        .singleElement()
        .satisfies(e -> assertThat(e.request()).contains(flowMod));
  }

  @Test
  void aMessageOfAnotherVersionThanNegotiatedIsIllegal() {
    var other = new FakeSwitch(server, OFVersion.OF_15); // only its factory is used
    sw.send(SwitchHandshakeTest.packetIn(other));
    assertThat(server.stats().of(HOST1).illegalMessages()).isEqualTo(1);
    assertThat(listener.packetIns).isEmpty();
    assertThat(sw.channel.isOpen()).isTrue();
  }

  @Test
  void anUnsolicitedHandshakeMessageWhenReadyIsIllegal() {
    sw.send(sw.hello(Set.of(OFVersion.OF_13)));
    assertThat(server.stats().of(HOST1).illegalMessages()).isEqualTo(1);
    assertThat(sw.channel.isOpen()).isTrue();
  }

  @Test
  void disconnectFailsPendingRequestsAnnouncesAndFreesTheDpid() {
    var barrier = session.barrier();
    var stats = session.flowStats();
    sw.channel.close();

    await().until(() -> listener.disconnected.size() == 1);
    assertThat(barrier).isCompletedExceptionally();
    assertThat(stats).isCompletedExceptionally();
    assertThat(listener.disconnected.get(0)).isSameAs(session);
    await().until(() -> server.registry().sessions().isEmpty());
    assertThat(server.connection(HOST1)).isEmpty();
    var late = session.barrier();
    assertThat(late).isCompletedExceptionally();
    try {
      late.get();
    } catch (InterruptedException | ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(SwitchDisconnectedException.class);
    }

    var again = new FakeSwitch(server, OFVersion.OF_13);
    again.connect(HOST1, ports("host1-up", 1));
    await().until(() -> listener.connected.size() == 2);
    assertThat(listener.calls).containsExactly("connected", "disconnected", "connected");
  }

  @Test
  void aSwitchReconnectingBeforeItsOldCallbacksRanIsAcceptedAtOnceAndHeardInOrder() {
    var gate = new CountDownLatch(1);
    listener.packetInGate = gate;
    sw.send(SwitchHandshakeTest.packetIn(sw));
    await().until(() -> listener.packetIns.size() == 1); // the listener is busy with it
    sw.send(SwitchHandshakeTest.packetIn(sw)); // waits behind it
    sw.channel.close();

    var again = new FakeSwitch(server, OFVersion.OF_13);
    again.connect(HOST1, ports("host1-up", 1));
    assertThat(again.state()).isEqualTo(SwitchHandshake.State.READY);
    assertThat(again.channel.isOpen()).isTrue();
    SwitchConnection fresh = again.session();
    assertThat(server.connection(HOST1)).containsSame(fresh);
    again.send(SwitchHandshakeTest.packetIn(again));

    gate.countDown();
    await().until(() -> listener.calls.size() == 5);
    // the old connection's queued miss is not evaluated: it cannot be answered any more
    assertThat(listener.calls)
        .containsExactly("connected", "packetIn", "disconnected", "connected", "packetIn");
    assertThat(listener.callers).containsExactly(session, session, session, fresh, fresh);
  }
}
