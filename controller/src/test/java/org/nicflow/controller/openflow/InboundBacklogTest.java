package org.nicflow.controller.openflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.nicflow.controller.openflow.SwitchHandshakeTest.HOST1;
import static org.nicflow.controller.openflow.SwitchHandshakeTest.ports;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.OFPort;

class InboundBacklogTest {

  static final int CAPACITY = 16;

  final RecordingListener listener = new RecordingListener();
  final OpenFlowServer server =
      new OpenFlowServer(
          Map.of(HOST1, "host1"),
          listener,
          new OpenFlowSettings("127.0.0.1", 0, Duration.ofSeconds(5), Duration.ofSeconds(15))
              .withInboundQueueCapacity(CAPACITY));
  final CountDownLatch gate = new CountDownLatch(1);

  /** A connected switch that has sent {@code n} numbered packet-ins to a listener stuck in the first. */
  FakeSwitch floodABusyListener(int n) {
    var sw = new FakeSwitch(server, OFVersion.OF_13);
    sw.connect(HOST1, ports("host1-up", 1));
    await().until(() -> listener.connected.size() == 1);
    listener.packetInGate = gate;
    for (int i = 0; i < n; i++) {
      sw.send(numbered(sw, i));
    }
    return sw;
  }

  @Test
  void aSwitchOutrunningItsListenerIsPausedThenResumedAndEveryMessageArrivesInOrder() {
    int flood = 3 * CAPACITY;
    var sw = floodABusyListener(flood);

    assertThat(sw.channel.config().isAutoRead()).isFalse();
    assertThat(server.stats().of(HOST1).readPauses()).isEqualTo(1);
    assertThat(server.stats().global().readPauses()).isEqualTo(1);

    gate.countDown();
    await().until(() -> listener.packetIns.size() == flood);
    await().until(() -> sw.channel.config().isAutoRead());
    List<Integer> order = new ArrayList<>();
    for (OFPacketIn p : listener.packetIns) {
      order.add((int) p.getData()[0]);
    }
    assertThat(order).isEqualTo(IntStream.range(0, flood).boxed().toList());
    assertThat(server.stats().of(HOST1).readPauses()).isEqualTo(1);
    assertThat(sw.channel.isOpen()).isTrue();
  }

  @Test
  void aSwitchWeStoppedReadingIsNotClosedAsIdle() {
    var sw = floodABusyListener(CAPACITY);
    assertThat(sw.channel.config().isAutoRead()).isFalse();

    // idle 15 s / echo 5 s: three silent intervals would close a switch that is read
    for (int i = 0; i < 5; i++) {
      sw.channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
    }

    assertThat(sw.channel.isOpen()).isTrue();
    gate.countDown();
    await().until(() -> listener.packetIns.size() == CAPACITY);
  }

  @Test
  void readingPausesAtTheCapacityAndResumesAtHalf() {
    var channel = new EmbeddedChannel();
    var pauses = new AtomicInteger();
    var backlog = new InboundBacklog(channel, 4, pauses::incrementAndGet);

    for (int i = 0; i < 3; i++) {
      backlog.added();
    }
    assertThat(channel.config().isAutoRead()).isTrue();
    backlog.added();
    assertThat(channel.config().isAutoRead()).isFalse();
    backlog.added(); // a read in progress may go past the mark; no second pause
    assertThat(pauses).hasValue(1);

    backlog.removed();
    backlog.removed();
    assertThat(channel.config().isAutoRead()).isFalse(); // 3 left, above half
    backlog.removed();
    assertThat(channel.config().isAutoRead()).isTrue(); // 2 left: half
    assertThat(backlog.isPaused()).isFalse();
    assertThat(backlog.size()).isEqualTo(2);
  }

  @Test
  void aCapacityBelowTwoIsRefused() {
    assertThatThrownBy(() -> new InboundBacklog(new EmbeddedChannel(), 1, () -> {}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> new OpenFlowSettings("127.0.0.1", 0, Duration.ofSeconds(5), Duration.ofSeconds(15), 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * Packet-in number {@code n}, from one of {@link #PORTS} ports in turn: a switch that outruns
   * its listener with misses of many ports, none over its share of the queue (a flood of one port
   * is shed at its share before the queue fills: {@link PacketInRoundsTest}).
   */
  private static OFPacketIn numbered(FakeSwitch sw, int n) {
    var template = (OFPacketIn) SwitchHandshakeTest.packetIn(sw);
    return template.createBuilder()
        .setMatch(sw.factory.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(1 + n % PORTS)).build())
        .setData(new byte[] {(byte) n, 2, 3, 4})
        .build();
  }

  static final int PORTS = 16;
}
