package org.nicflow.controller.openflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.nicflow.controller.openflow.SwitchHandshakeTest.HOST1;
import static org.nicflow.controller.openflow.SwitchHandshakeTest.ports;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFType;
import org.projectfloodlight.openflow.protocol.OFVersion;

/**
 * A connection that holds a dpid but stalls (mid-handshake, or no longer answering echoes) loses
 * it to a newer connection of the switch that completes the handshake.
 */
class DpidTakeoverTest {

  final RecordingListener listener = new RecordingListener();
  final OpenFlowServer server =
      new OpenFlowServer(
          Map.of(HOST1, "host1"),
          listener,
          new OpenFlowSettings("127.0.0.1", 0, Duration.ofSeconds(5), Duration.ofSeconds(15)));

  @AfterEach
  void stop() throws InterruptedException {
    server.close();
  }

  /** A switch that has told its dpid (so holds it) and then answers nothing more. */
  static FakeSwitch stuckAfterFeatures(OpenFlowServer server) {
    var sw = new FakeSwitch(server, OFVersion.OF_13);
    sw.next(OFType.HELLO);
    sw.send(sw.hello(Set.of(OFVersion.OF_13)));
    var features = sw.next(OFType.FEATURES_REQUEST);
    sw.send(sw.factory.buildFeaturesReply().setXid(features.getXid()).setDatapathId(HOST1).build());
    sw.next(OFType.STATS_REQUEST); // port description, never answered
    return sw;
  }

  @Test
  void aHolderStuckInTheHandshakeLosesTheDpidToANewerConnectionThatCompletesIt() {
    var stuck = stuckAfterFeatures(server);
    // it answers echoes, so it is never idle
    stuck.send(stuck.factory.buildEchoRequest().setXid(7).setData(new byte[0]).build());
    stuck.next(OFType.ECHO_REPLY);

    var real = new FakeSwitch(server, OFVersion.OF_13);
    real.connect(HOST1, ports("host1-up", 1));
    stuck.channel.runPendingTasks();
    real.channel.runPendingTasks();

    assertThat(stuck.channel.isOpen()).isFalse();
    assertThat(real.state()).isEqualTo(SwitchHandshake.State.READY);
    await().until(() -> listener.connected.size() == 1);
    assertThat(listener.connected.get(0).sw()).isSameAs(real.session());
    assertThat(server.connection(HOST1)).containsSame(real.session());
    assertThat(server.stats().of(HOST1).dpidTakeovers()).isEqualTo(1);
  }

  @Test
  void aReadyHolderThatStopsAnsweringEchoesLosesTheDpidAndIsAnnouncedGoneFirst() {
    var old = new FakeSwitch(server, OFVersion.OF_13);
    old.connect(HOST1, ports("host1-up", 1));
    await().until(() -> listener.connected.size() == 1);
    old.remaining();

    var real = new FakeSwitch(server, OFVersion.OF_13);
    real.connect(HOST1, ports("host1-up", 1));
    assertThat(real.state()).isEqualTo(SwitchHandshake.State.WAIT_DPID);
    old.next(OFType.ECHO_REQUEST); // never answered
    old.channel.advanceTimeBy(4, TimeUnit.SECONDS);
    old.channel.runScheduledPendingTasks();
    assertThat(old.channel.isOpen()).as("within the echo interval").isTrue();
    old.channel.advanceTimeBy(1, TimeUnit.SECONDS);
    old.channel.runScheduledPendingTasks();
    old.channel.runPendingTasks();
    real.channel.runPendingTasks();

    assertThat(old.channel.isOpen()).isFalse();
    assertThat(real.state()).isEqualTo(SwitchHandshake.State.READY);
    await().until(() -> listener.calls.size() == 3);
    assertThat(listener.calls).containsExactly("connected", "disconnected", "connected");
    assertThat(listener.callers.get(1)).isSameAs(listener.callers.get(0));
    assertThat(listener.callers.get(2)).isSameAs(real.session());
    assertThat(server.stats().of(HOST1).dpidTakeovers()).isEqualTo(1);
  }

  @Test
  void aHolderThatClosesWhileAskedLeavesTheDpidToTheNewerConnection() {
    var old = new FakeSwitch(server, OFVersion.OF_13);
    old.connect(HOST1, ports("host1-up", 1));
    await().until(() -> listener.connected.size() == 1);

    var real = new FakeSwitch(server, OFVersion.OF_13);
    real.connect(HOST1, ports("host1-up", 1));
    old.channel.runPendingTasks();
    old.channel.close();
    real.channel.runPendingTasks();

    assertThat(real.state()).isEqualTo(SwitchHandshake.State.READY);
    await().until(() -> listener.connected.size() == 2);
    assertThat(server.stats().of(HOST1).dpidTakeovers()).as("it left by itself").isZero();
  }

  @Test
  void overTcpASwitchStuckInTheHandshakeNoLongerLocksTheRealSwitchOut() throws Exception {
    server.start();
    try (var stuck = new SocketSwitch(server.boundPort());
        var real = new SocketSwitch(server.boundPort())) {
      stuck.expect(OFType.HELLO);
      stuck.send(stuck.factory.buildHello().setXid(1).build());
      OFMessage features = stuck.expect(OFType.FEATURES_REQUEST);
      stuck.send(
          stuck.factory.buildFeaturesReply().setXid(features.getXid()).setDatapathId(HOST1).build());
      stuck.expect(OFType.STATS_REQUEST);

      real.handshake(HOST1, "host1-up");

      await().until(() -> listener.connected.size() == 1);
      assertThat(stuck.read()).as("the stuck connection is closed").isNull();
      assertThat(server.connections()).hasSize(1);
      assertThat(server.stats().of(HOST1).dpidTakeovers()).isEqualTo(1);
      assertThat(listener.calls).isEqualTo(List.of("connected"));
    }
  }
}
