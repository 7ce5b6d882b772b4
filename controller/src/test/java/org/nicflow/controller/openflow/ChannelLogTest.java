package org.nicflow.controller.openflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.nicflow.controller.openflow.SwitchHandshakeTest.HOST1;
import static org.nicflow.controller.openflow.SwitchHandshakeTest.ports;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFType;
import org.projectfloodlight.openflow.protocol.OFVersion;

/** One line per cause and interval; stack traces only for bugs; a quiet shutdown. */
class ChannelLogTest {

  final AtomicLong now = new AtomicLong();
  final RecordingListener listener = new RecordingListener();
  final OpenFlowServer server =
      new OpenFlowServer(
          Map.of(HOST1, "host1"),
          listener,
          new OpenFlowSettings("127.0.0.1", 0, Duration.ofSeconds(5), Duration.ofSeconds(15)),
          new ThrottledLog(Duration.ofSeconds(60), now::get));

  @AfterEach
  void stop() throws InterruptedException {
    server.close();
  }

  @Test
  void fiftyConnectionResetsMakeOneLineWithoutAStackTrace() {
    try (var logs = new CapturedLogs()) {
      for (int i = 0; i < 50; i++) {
        var sw = new FakeSwitch(server, OFVersion.OF_13);
        sw.next(OFType.HELLO);
        sw.channel.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));
        assertThat(sw.channel.isOpen()).isFalse();
      }
      assertThat(logs.containing("Connection reset by peer")).hasSize(1);
      assertThat(logs.withStackTrace()).isEmpty();

      now.addAndGet(Duration.ofSeconds(60).toNanos());
      var sw = new FakeSwitch(server, OFVersion.OF_13);
      sw.channel.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));
      assertThat(logs.containing("Connection reset by peer"))
          .extracting(ILoggingEvent::getFormattedMessage)
          .last()
          .asString()
          .endsWith("(49 more like this since the last such line)");
    }
  }

  @Test
  void anUnexpectedFailureIsABugAndKeepsItsStackTrace() {
    try (var logs = new CapturedLogs()) {
      var sw = new FakeSwitch(server, OFVersion.OF_13);
      sw.channel.pipeline().fireExceptionCaught(new IllegalStateException("a bug"));
      assertThat(sw.channel.isOpen()).isFalse();
      assertThat(logs.withStackTrace()).hasSize(1);
    }
  }

  @Test
  void overTcpResetConnectionsLogNoStackTraces() throws Exception {
    server.start();
    try (var logs = new CapturedLogs()) {
      for (int i = 0; i < 20; i++) {
        try (var sw = new SocketSwitch(server.boundPort())) {
          sw.expect(OFType.HELLO);
          sw.socket.setSoLinger(true, 0); // close with a reset
        }
      }
      await().until(() -> server.openChannels() == 0);
      assertThat(logs.withStackTrace()).isEmpty();
      assertThat(logs.events().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)))
          .as("at most one line per cause (reset, broken pipe)")
          .hasSizeLessThanOrEqualTo(2);
    }
  }

  @Test
  void shutdownWithABacklogDropsItQuietlyWithOneSummaryLine() throws Exception {
    int backlog = 500;
    var gate = new CountDownLatch(1);
    listener.packetInGate = gate;
    listener.answer = p -> List.of(OutboundLimitTest.packetOut(100));
    server.start();
    try (var logs = new CapturedLogs(); var sw = new SocketSwitch(server.boundPort())) {
      sw.handshake(HOST1, "host1-up");
      await().until(() -> listener.connected.size() == 1);
      for (int i = 0; i < backlog; i++) {
        sw.send(OutboundLimitTest.packetIn(sw.factory, 64));
      }
      await().until(() -> server.stats().of(HOST1).packetIns() == backlog);
      SwitchConnection session = listener.connected.get(0).sw();

      var errors = new ArrayList<Throwable>();
      Thread closing = new Thread(() -> {
        try {
          server.close();
        } catch (InterruptedException | RuntimeException e) {
          errors.add(e);
        }
      }, "closing");
      closing.start();
      await().until(() -> server.connections().isEmpty());
      gate.countDown(); // the listener was busy with the first packet-in all along
      closing.join(30_000);
      session.send(OutboundLimitTest.packetOut(100)); // after the event loops are gone

      assertThat(errors).isEmpty();
      assertThat(listener.packetIns).hasSize(1);
      assertThat(logs.withStackTrace()).isEmpty();
      assertThat(logs.events()).noneMatch(e -> e.getLevel() == Level.ERROR);
      assertThat(logs.containing("dropped")).extracting(ILoggingEvent::getFormattedMessage)
          .containsExactly("OpenFlow server stopped; " + backlog
              + " packet-ins and messages queued for the closed connections dropped");
      // the 499 packet-ins never handled, the answer to the one that was, the send above
      assertThat(server.stats().of(HOST1).droppedAfterClose()).isEqualTo(backlog + 1);
    }
  }
}
