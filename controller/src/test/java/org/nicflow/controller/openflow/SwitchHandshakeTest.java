package org.nicflow.controller.openflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.timeout.IdleStateEvent;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFEchoReply;
import org.projectfloodlight.openflow.protocol.OFErrorType;
import org.projectfloodlight.openflow.protocol.OFHello;
import org.projectfloodlight.openflow.protocol.OFHelloElemVersionbitmap;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPacketInReason;
import org.projectfloodlight.openflow.protocol.OFSetConfig;
import org.projectfloodlight.openflow.protocol.OFPortReason;
import org.projectfloodlight.openflow.protocol.OFType;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.errormsg.OFHelloFailedErrorMsg;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.DatapathId;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

class SwitchHandshakeTest {

  static final DatapathId HOST1 = DatapathId.of(0x1);
  static final DatapathId HOST2 = DatapathId.of(0x2);

  final RecordingListener listener = new RecordingListener();
  final OpenFlowServer server =
      new OpenFlowServer(
          Map.of(HOST1, "host1", HOST2, "host2"),
          listener,
          new OpenFlowSettings("127.0.0.1", 0, Duration.ofSeconds(5), Duration.ofSeconds(15)));

  static Map<String, Integer> ports(Object... nameThenNumber) {
    var ports = new LinkedHashMap<String, Integer>();
    for (int i = 0; i < nameThenNumber.length; i += 2) {
      ports.put((String) nameThenNumber[i], (Integer) nameThenNumber[i + 1]);
    }
    return ports;
  }

  @Test
  void offersOpenFlow13And14InItsHello() {
    var sw = new FakeSwitch(server, OFVersion.OF_13);
    OFHello hello = sw.next(OFType.HELLO);
    assertThat(hello.getVersion()).isEqualTo(OFVersion.OF_14);
    var bitmap = (OFHelloElemVersionbitmap) hello.getElements().get(0);
    assertThat(bitmap.getBitmaps().get(0).getValue()).isEqualTo((1 << 4) | (1 << 5));
  }

  @Test
  void negotiatesOpenFlow13WithASwitchSpeakingOnly13() {
    var sw = new FakeSwitch(server, OFVersion.OF_13);
    sw.next(OFType.HELLO);
    sw.send(sw.hello(Set.of(OFVersion.OF_10, OFVersion.OF_13)));
    assertThat(sw.next(OFType.FEATURES_REQUEST).getVersion()).isEqualTo(OFVersion.OF_13);
    assertThat(sw.state()).isEqualTo(SwitchHandshake.State.WAIT_FEATURES);
  }

  @Test
  void negotiatesOpenFlow13FromAHelloWithoutBitmap() {
    var sw = new FakeSwitch(server, OFVersion.OF_13);
    sw.next(OFType.HELLO);
    sw.send(sw.factory.buildHello().setXid(1).build());
    assertThat(sw.next(OFType.FEATURES_REQUEST).getVersion()).isEqualTo(OFVersion.OF_13);
  }

  @Test
  void negotiates14WithASwitchOffering13To15() {
    var sw = new FakeSwitch(server, OFVersion.OF_14);
    sw.next(OFType.HELLO);
    sw.send(sw.hello(Set.of(OFVersion.OF_10, OFVersion.OF_13, OFVersion.OF_14, OFVersion.OF_15)));
    assertThat(sw.next(OFType.FEATURES_REQUEST).getVersion()).isEqualTo(OFVersion.OF_14);
  }

  @Test
  void refusesOpenFlow10WithHelloFailedAndCloses() {
    var sw = new FakeSwitch(server, OFVersion.OF_10);
    sw.next(OFType.HELLO);
    sw.send(sw.factory.buildHello().setXid(7).build());
    OFHelloFailedErrorMsg error = sw.next(OFType.ERROR);
    assertThat(error.getVersion()).isEqualTo(OFVersion.OF_10);
    assertThat(error.getErrType()).isEqualTo(OFErrorType.HELLO_FAILED);
    assertThat(sw.channel.isOpen()).isFalse();
    assertThat(sw.state()).isEqualTo(SwitchHandshake.State.CLOSED);
    assertThat(listener.calls).isEmpty();
  }

  @Test
  void refusesASwitchWhoseBitmapHasNoVersionFrom13() {
    var sw = new FakeSwitch(server, OFVersion.OF_13);
    sw.next(OFType.HELLO);
    sw.send(sw.hello(Set.of(OFVersion.OF_10, OFVersion.OF_12)));
    assertThat(sw.next(OFType.ERROR).getVersion()).isEqualTo(OFVersion.OF_13);
    assertThat(sw.channel.isOpen()).isFalse();
  }

  @Test
  void fullHandshakeReachesReadyAndAnnouncesTheSwitchOnceWithItsPorts() {
    var sw = new FakeSwitch(server, OFVersion.OF_13);
    sw.connect(HOST1, ports("host1-up", 1, "web1-eth0", 2, "tun-host2", 3));

    assertThat(sw.state()).isEqualTo(SwitchHandshake.State.READY);
    await().until(() -> listener.connected.size() == 1);
    var connected = listener.connected.get(0);
    assertThat(connected.sw().dpid()).isEqualTo(HOST1);
    assertThat(connected.sw().host()).isEqualTo("host1");
    assertThat(connected.sw().factory().getVersion()).isEqualTo(OFVersion.OF_13);
    assertThat(connected.ports().byName())
        .containsOnly(
            Map.entry("host1-up", OFPort.of(1)),
            Map.entry("web1-eth0", OFPort.of(2)),
            Map.entry("tun-host2", OFPort.of(3)));
    assertThat(connected.thread()).startsWith("openflow-host1-");
    assertThat(server.connection(HOST1)).containsSame(connected.sw());
    assertThat(listener.calls).containsExactly("connected");
  }

  @Test
  void fullHandshakeWorksOverOpenFlow14() {
    var sw = new FakeSwitch(server, OFVersion.OF_14);
    sw.connect(HOST1, ports("host1-up", 1, "web1-eth0", 2));
    assertThat(sw.state()).isEqualTo(SwitchHandshake.State.READY);
    await().until(() -> listener.connected.size() == 1);
    assertThat(listener.connected.get(0).ports().number("web1-eth0")).contains(OFPort.of(2));
  }

  @Test
  void asksForWholePacketsUnbuffered() {
    var sw = new FakeSwitch(server, OFVersion.OF_13);
    sw.next(OFType.HELLO);
    sw.send(sw.hello(Set.of(OFVersion.OF_13)));
    var features = sw.next(OFType.FEATURES_REQUEST);
    sw.send(sw.factory.buildFeaturesReply().setXid(features.getXid()).setDatapathId(HOST1).build());
    var portDesc = sw.next(OFType.STATS_REQUEST);
    sw.send(
        sw.factory
            .buildPortDescStatsReply()
            .setXid(portDesc.getXid())
            .setEntries(List.of())
            .build());
    OFSetConfig config = sw.next(OFType.SET_CONFIG);
    assertThat(config.getMissSendLen()).isEqualTo(0xffff);
    assertThat(sw.state()).isEqualTo(SwitchHandshake.State.WAIT_CONFIG_BARRIER);
  }

  @Test
  void answersEchoRequestsBeforeHelloAndWhenReady() {
    var sw = new FakeSwitch(server, OFVersion.OF_13);
    sw.next(OFType.HELLO);
    sw.send(sw.factory.buildEchoRequest().setXid(41).setData(new byte[] {1, 2, 3}).build());
    OFEchoReply early = sw.next(OFType.ECHO_REPLY);
    assertThat(early.getXid()).isEqualTo(41);
    assertThat(early.getData()).containsExactly(1, 2, 3);

    sw.send(sw.hello(Set.of(OFVersion.OF_13)));
    sw.remaining();
    var sw2 = new FakeSwitch(server, OFVersion.OF_13);
    sw2.connect(HOST1, ports("a", 1));
    sw2.send(sw2.factory.buildEchoRequest().setXid(42).setData(new byte[] {9}).build());
    OFEchoReply ready = sw2.next(OFType.ECHO_REPLY);
    assertThat(ready.getXid()).isEqualTo(42);
    assertThat(ready.getData()).containsExactly(9);
  }

  @Test
  void sendsEchoWhenIdleAndClosesAfterTheIdleTimeoutWithoutReply() {
    var sw = new FakeSwitch(server, OFVersion.OF_13);
    sw.connect(HOST1, ports("a", 1));
    sw.remaining();

    sw.channel.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
    assertThat(sw.next(OFType.ECHO_REQUEST).getVersion()).isEqualTo(OFVersion.OF_13);
    sw.channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
    sw.next(OFType.ECHO_REQUEST);
    assertThat(sw.channel.isOpen()).isTrue();
    // 15 s timeout / 5 s interval: the third quiet interval closes
    sw.channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
    assertThat(sw.channel.isOpen()).isFalse();
    await().until(() -> listener.disconnected.size() == 1);
  }

  @Test
  void anEchoReplyResetsTheIdleCount() {
    var sw = new FakeSwitch(server, OFVersion.OF_13);
    sw.connect(HOST1, ports("a", 1));
    for (int round = 0; round < 3; round++) {
      sw.channel.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
      sw.channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
      sw.remaining();
      sw.send(sw.factory.buildEchoReply().setXid(99).setData(new byte[0]).build());
    }
    assertThat(sw.channel.isOpen()).isTrue();
  }

  @Test
  void refusesAnUnknownDpid() {
    var sw = new FakeSwitch(server, OFVersion.OF_13);
    sw.next(OFType.HELLO);
    sw.send(sw.hello(Set.of(OFVersion.OF_13)));
    var features = sw.next(OFType.FEATURES_REQUEST);
    sw.send(
        sw.factory
            .buildFeaturesReply()
            .setXid(features.getXid())
            .setDatapathId(DatapathId.of(0xbad))
            .build());
    assertThat(sw.channel.isOpen()).isFalse();
    assertThat(sw.state()).isEqualTo(SwitchHandshake.State.CLOSED);
    assertThat(server.registry().sessions()).isEmpty();
    assertThat(listener.calls).isEmpty();
  }

  @Test
  void aHostAddedByANewPolicyIsAcceptedAndOneRemovedIsClosed() {
    var first = new FakeSwitch(server, OFVersion.OF_13);
    first.connect(HOST1, ports("a", 1));
    await().until(() -> listener.connected.size() == 1);
    DatapathId added = DatapathId.of(0x3);

    server.reconfigure(Map.of(added, "host3"));

    first.channel.runPendingTasks();
    assertThat(first.channel.isOpen()).as("the switch of a host the policy no longer has").isFalse();
    var third = new FakeSwitch(server, OFVersion.OF_13);
    third.connect(added, ports("c", 1));
    await().until(() -> listener.connected.size() == 2);
    assertThat(listener.connected.get(1).sw().host()).isEqualTo("host3");
  }

  @Test
  void refusesASecondConnectionOfAConnectedDpidWhileTheFirstAnswersAndKeepsTheFirst() {
    var first = new FakeSwitch(server, OFVersion.OF_13);
    first.connect(HOST1, ports("a", 1));
    await().until(() -> listener.connected.size() == 1);
    first.remaining();

    var second = new FakeSwitch(server, OFVersion.OF_13);
    second.connect(HOST1, ports("a", 1));
    assertThat(second.state()).isEqualTo(SwitchHandshake.State.WAIT_DPID);
    // the holder is asked whether it lives, and answers within the echo interval
    var echo = first.next(OFType.ECHO_REQUEST);
    first.send(first.factory.buildEchoReply().setXid(echo.getXid()).setData(new byte[0]).build());
    first.channel.advanceTimeBy(5, TimeUnit.SECONDS);
    first.channel.runScheduledPendingTasks();
    second.channel.runPendingTasks();
    assertThat(second.channel.isOpen()).isFalse();

    assertThat(first.channel.isOpen()).isTrue();
    assertThat(server.connection(HOST1)).containsSame(listener.connected.get(0).sw());
    var barrier = first.session().barrier();
    var request = first.next(OFType.BARRIER_REQUEST);
    first.send(first.factory.buildBarrierReply().setXid(request.getXid()).build());
    await().until(barrier::isDone);
    assertThat(barrier).isCompleted();
    assertThat(listener.connected).hasSize(1);
    assertThat(listener.disconnected).isEmpty();
    assertThat(server.stats().global().dpidTakeovers()).isZero();
  }

  @Test
  void aGarbageFrameClosesOnlyThatChannel() {
    var good = new FakeSwitch(server, OFVersion.OF_13);
    good.connect(HOST1, ports("a", 1));
    var bad = new FakeSwitch(server, OFVersion.OF_13);
    bad.connect(HOST2, ports("b", 1));

    // version 0x42 is no OpenFlow version; length 12 frames it correctly
    bad.sendBytes(new byte[] {0x42, 0, 0, 12, 0, 0, 0, 1, 1, 2, 3, 4});

    assertThat(bad.channel.isOpen()).isFalse();
    assertThat(good.channel.isOpen()).isTrue();
    good.send(good.factory.buildEchoRequest().setXid(5).setData(new byte[0]).build());
    assertThat(good.next(OFType.ECHO_REPLY).getXid()).isEqualTo(5);
    var stats = server.stats();
    assertThat(stats.global().malformedCloses()).isEqualTo(1);
    assertThat(stats.of(HOST2).malformedCloses()).isEqualTo(1);
    assertThat(stats.of(HOST1).malformedCloses()).isZero();
    await().until(() -> listener.disconnected.size() == 1);
    assertThat(listener.disconnected.get(0).dpid()).isEqualTo(HOST2);
  }

  @Test
  void aLengthShorterThanTheHeaderClosesTheChannel() {
    var sw = new FakeSwitch(server, OFVersion.OF_13);
    sw.next(OFType.HELLO);
    sw.sendBytes(new byte[] {0x04, 0, 0, 2, 0, 0, 0, 1});
    assertThat(sw.channel.isOpen()).isFalse();
    assertThat(server.stats().global().malformedCloses()).isEqualTo(1);
  }

  @Test
  void aMessageWhoseBodyContradictsItsLengthClosesTheChannel() {
    var sw = new FakeSwitch(server, OFVersion.OF_13);
    sw.next(OFType.HELLO);
    // an OF1.3 FEATURES_REPLY must be 32 bytes; this one claims 12
    sw.sendBytes(new byte[] {0x04, 6, 0, 12, 0, 0, 0, 1, 0, 0, 0, 0});
    assertThat(sw.channel.isOpen()).isFalse();
    assertThat(server.stats().global().malformedCloses()).isEqualTo(1);
  }

  @Test
  void packetInBeforeReadyIsCountedAsIllegalAndIgnored() {
    var sw = new FakeSwitch(server, OFVersion.OF_13);
    sw.next(OFType.HELLO);
    sw.send(sw.hello(Set.of(OFVersion.OF_13)));
    sw.next(OFType.FEATURES_REQUEST);
    sw.send(packetIn(sw));

    assertThat(sw.state()).isEqualTo(SwitchHandshake.State.WAIT_FEATURES);
    assertThat(sw.channel.isOpen()).isTrue();
    assertThat(server.stats().global().illegalMessages()).isEqualTo(1);
    assertThat(server.stats().global().packetIns()).isEqualTo(1);
    assertThat(listener.packetIns).isEmpty();
  }

  /** Real OVS did this once in the test command: a port came up between HELLO and FEATURES_REPLY. */
  @Test
  void aPortStatusBeforeTheFeaturesReplyIsNoIllegalMessage() {
    var sw = new FakeSwitch(server, OFVersion.OF_13);
    sw.next(OFType.HELLO);
    sw.send(sw.hello(Set.of(OFVersion.OF_13)));
    sw.send(sw.factory.buildPortStatus().setReason(OFPortReason.ADD).setDesc(sw.port("web1-eth0", 2)).build());
    sw.completeAfterHello(HOST1, ports("host1-up", 1, "web1-eth0", 2));

    assertThat(sw.state()).isEqualTo(SwitchHandshake.State.READY);
    assertThat(server.stats().of(HOST1).illegalMessages()).isZero();
    await().until(() -> listener.connected.size() == 1);
    assertThat(listener.connected.get(0).ports().number("web1-eth0")).contains(OFPort.of(2));
  }

  @Test
  void illegalMessagesBeforeTheDpidIsKnownCountForThatSwitchOnceItIs() {
    var sw = new FakeSwitch(server, OFVersion.OF_13);
    sw.next(OFType.HELLO);
    sw.send(packetIn(sw)); // before HELLO: illegal
    sw.completeHandshake(HOST1, ports("a", 1));
    assertThat(server.stats().of(HOST1).illegalMessages()).isEqualTo(1);
    assertThat(server.stats().of(HOST1).in(OFType.HELLO)).isEqualTo(1);
    assertThat(server.stats().of(HOST1).out(OFType.FEATURES_REQUEST)).isEqualTo(1);
  }

  @Test
  void aSwitchStuckInTheHandshakeIsClosedAfterTheIdleTimeout() {
    var sw = new FakeSwitch(server, OFVersion.OF_13);
    sw.next(OFType.HELLO);
    sw.send(sw.hello(Set.of(OFVersion.OF_13)));
    sw.next(OFType.FEATURES_REQUEST);
    sw.channel.advanceTimeBy(14, TimeUnit.SECONDS);
    sw.channel.runScheduledPendingTasks();
    assertThat(sw.channel.isOpen()).isTrue();
    sw.channel.advanceTimeBy(2, TimeUnit.SECONDS);
    sw.channel.runScheduledPendingTasks();
    assertThat(sw.channel.isOpen()).isFalse();
  }

  @Test
  void aReadySwitchOutlivesTheHandshakeDeadline() {
    var sw = new FakeSwitch(server, OFVersion.OF_13);
    sw.connect(HOST1, ports("a", 1));
    sw.channel.advanceTimeBy(60, TimeUnit.SECONDS);
    sw.channel.runScheduledPendingTasks();
    assertThat(sw.channel.isOpen()).isTrue();
  }

  @Test
  void anErrorInsteadOfHelloClosesTheChannel() {
    var sw = new FakeSwitch(server, OFVersion.OF_13);
    sw.next(OFType.HELLO);
    sw.send(
        sw.factory
            .errorMsgs()
            .buildHelloFailedErrorMsg()
            .setXid(1)
            .setCode(org.projectfloodlight.openflow.protocol.OFHelloFailedCode.INCOMPATIBLE)
            .setData(
                org.projectfloodlight.openflow.types.OFErrorCauseData.of(
                    new byte[0], OFVersion.OF_13))
            .build());
    assertThat(sw.channel.isOpen()).isFalse();
    assertThat(server.stats().global().errors()).isEqualTo(1);
    assertThat(server.stats().global().illegalMessages()).isZero();
  }

  static OFMessage packetIn(FakeSwitch sw) {
    return sw.factory
        .buildPacketIn()
        .setXid(0)
        .setBufferId(OFBufferId.NO_BUFFER)
        .setReason(OFPacketInReason.NO_MATCH)
        .setTableId(TableId.of(0))
        .setCookie(U64.ZERO)
        .setMatch(sw.factory.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(1)).build())
        .setData(new byte[] {1, 2, 3, 4})
        .setTotalLen(4)
        .build();
  }
}
