package org.nicflow.controller.openflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFType;
import org.projectfloodlight.openflow.types.DatapathId;
import org.projectfloodlight.openflow.types.OFPort;

/** The server over real loopback sockets. */
class OpenFlowServerTest {

  static final DatapathId HOST1 = DatapathId.of(0x1);
  static final DatapathId HOST2 = DatapathId.of(0x2);

  final RecordingListener listener = new RecordingListener();
  final OpenFlowServer server =
      new OpenFlowServer(
          Map.of(HOST1, "host1", HOST2, "host2"),
          listener,
          new OpenFlowSettings("127.0.0.1", 0, Duration.ofSeconds(5), Duration.ofSeconds(15)));

  @AfterEach
  void stop() throws InterruptedException {
    server.close();
  }

  @Test
  void aSwitchOverTcpReachesReadyAndIsAnnouncedGoneWhenTheServerCloses() throws Exception {
    server.start();
    assertThat(server.boundPort()).isPositive();
    try (var sw = new SocketSwitch(server.boundPort())) {
      sw.handshake(HOST1, "host1-up");
      await().until(() -> listener.connected.size() == 1);
      assertThat(listener.connected.get(0).ports().number("host1-up")).contains(OFPort.of(1));
      assertThat(server.connections()).hasSize(1);

      var barrier = server.connection(HOST1).orElseThrow().barrier();
      var request = sw.expect(OFType.BARRIER_REQUEST);
      sw.send(sw.factory.buildBarrierReply().setXid(request.getXid()).build());
      await().until(barrier::isDone);
      assertThat(barrier).isCompleted();

      server.close();
      assertThat(listener.disconnected).hasSize(1);
      assertThat(sw.read()).isNull();
    }
  }

  @Test
  void aTakenPortFailsStartCleanly() throws Exception {
    server.start();
    var second =
        new OpenFlowServer(
            Map.of(), listener, OpenFlowSettings.of("127.0.0.1", server.boundPort()));
    assertThatThrownBy(second::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot listen on 127.0.0.1:" + server.boundPort());
    second.close();
  }

  @Test
  void garbageFromOneSwitchClosesItWhileTheServerKeepsServing() throws Exception {
    server.start();
    try (var bad = new SocketSwitch(server.boundPort());
        var good = new SocketSwitch(server.boundPort())) {
      bad.expect(OFType.HELLO);
      bad.sendBytes(new byte[] {0x42, 0, 0, 8, 0, 0, 0, 1});
      assertThat(bad.read()).isNull();

      good.handshake(HOST2, "host2-up");
      await().until(() -> listener.connected.size() == 1);
      assertThat(listener.connected.get(0).sw().dpid()).isEqualTo(HOST2);
      assertThat(server.stats().global().malformedCloses()).isEqualTo(1);
    }
  }
}
