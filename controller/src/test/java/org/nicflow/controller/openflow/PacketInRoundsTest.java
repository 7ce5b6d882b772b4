package org.nicflow.controller.openflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.nicflow.controller.openflow.SwitchHandshakeTest.HOST1;
import static org.nicflow.controller.openflow.SwitchHandshakeTest.ports;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowRemovedReason;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.projectfloodlight.openflow.protocol.OFPortReason;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/** Packet-ins of a switch are served round-robin by in_port, and one port cannot fill the queue. */
class PacketInRoundsTest {

  static final OFFactory OF13 = OFFactories.getFactory(OFVersion.OF_13);

  final RecordingListener listener = new RecordingListener();
  final CountDownLatch gate = new CountDownLatch(1);
  OpenFlowServer server;

  @AfterEach
  void openGate() {
    gate.countDown();
  }

  static OFPacketIn from(OFFactory factory, int port, int n) {
    return factory.buildPacketIn()
        .setXid(0)
        .setBufferId(org.projectfloodlight.openflow.types.OFBufferId.NO_BUFFER)
        .setReason(org.projectfloodlight.openflow.protocol.OFPacketInReason.NO_MATCH)
        .setTableId(TableId.of(0))
        .setCookie(U64.ZERO)
        .setMatch(factory.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(port)).build())
        .setData(new byte[] {(byte) port, (byte) n, 3, 4})
        .setTotalLen(4)
        .build();
  }

  /** "port/n" of each packet-in the listener was given, in the order it was given them. */
  List<String> served() {
    List<String> order = new ArrayList<>();
    for (OFPacketIn p : listener.packetIns) {
      order.add(p.getData()[0] + "/" + p.getData()[1]);
    }
    return order;
  }

  /** A connected switch whose listener is stuck in the packet-in numbered 0 of port 1. */
  FakeSwitch busyListener(int capacity) {
    server = new OpenFlowServer(Map.of(HOST1, "host1"), listener,
        new OpenFlowSettings("127.0.0.1", 0, Duration.ofSeconds(5), Duration.ofSeconds(15))
            .withInboundQueueCapacity(capacity));
    var sw = new FakeSwitch(server, OFVersion.OF_13);
    sw.connect(HOST1, ports("host1-up", 1));
    await().until(() -> listener.connected.size() == 1);
    listener.packetInGate = gate;
    sw.send(from(sw.factory, 1, 0));
    await().until(() -> listener.packetIns.size() == 1);
    return sw;
  }

  @Test
  void aMissOfAQuietPortIsServedBeforeTheFloodOfAnotherPortThatArrivedFirst() {
    var sw = busyListener(4096);
    for (int n = 1; n <= 100; n++) {
      sw.send(from(sw.factory, 1, n));
    }
    sw.send(from(sw.factory, 2, 0));

    gate.countDown();
    await().until(() -> listener.packetIns.size() == 102);
    // port 1's first (stuck) and second are under way or next; port 2's single miss comes next,
    // not after port 1's hundred
    assertThat(served().subList(0, 3)).containsExactly("1/0", "1/1", "2/0");
    assertThat(served().stream().filter(s -> s.startsWith("1/")).toList())
        .as("one port's misses keep their order")
        .isEqualTo(java.util.stream.IntStream.rangeClosed(0, 100).mapToObj(n -> "1/" + n).toList());
    assertThat(server.stats().of(HOST1).packetInsShed()).isZero();
  }

  @Test
  void aPortStatusIsNotOvertakenByLaterMissesButAFlowRemovedMayBe() {
    var sw = busyListener(4096);
    for (int n = 1; n <= 5; n++) {
      sw.send(from(sw.factory, 1, n));
    }
    sw.send(OF13.buildFlowRemoved().setXid(0).setCookie(U64.of(7)).setPriority(1)
        .setReason(OFFlowRemovedReason.IDLE_TIMEOUT).setTableId(TableId.of(1))
        .setMatch(OF13.buildMatch().build()).build());
    sw.send(from(sw.factory, 2, 0));
    sw.send(sw.factory.buildPortStatus().setXid(0).setReason(OFPortReason.ADD)
        .setDesc(sw.port("host1-vm3", 3)).build());
    sw.send(from(sw.factory, 3, 0));

    gate.countDown();
    await().until(() -> listener.packetIns.size() == 8 && listener.calls.contains("port"));
    // port 2's miss, sent after the FLOW_REMOVED, overtook port 1's queued misses; port 3's,
    // sent after the PORT_STATUS, did not overtake it
    assertThat(served()).containsExactly("1/0", "1/1", "2/0", "1/2", "1/3", "1/4", "1/5", "3/0");
    List<String> calls = listener.calls.stream().filter(c -> !c.equals("connected")).toList();
    assertThat(calls.indexOf("port")).isLessThan(calls.lastIndexOf("packetIn"));
    assertThat(calls.subList(0, calls.indexOf("port")).stream().filter(c -> c.equals("packetIn")).count())
        .as("every miss sent before the PORT_STATUS is served before it").isEqualTo(7);
    assertThat(calls).contains("flowRemoved");
  }

  @Test
  void aPortPastItsShareOfTheQueueIsShedAndCountedWhileOtherPortsAreStillRead() {
    var sw = busyListener(16); // a share of 4 per port
    for (int n = 1; n <= 10; n++) {
      sw.send(from(sw.factory, 1, n));
    }
    sw.send(from(sw.factory, 2, 0));

    assertThat(server.stats().of(HOST1).packetInsShed()).isEqualTo(6);
    assertThat(server.stats().global().packetInsShed()).isEqualTo(6);
    assertThat(sw.channel.config().isAutoRead()).as("the flood did not stop reading").isTrue();
    gate.countDown();
    await().until(() -> listener.packetIns.size() == 6);
    assertThat(served()).containsExactly("1/0", "1/1", "2/0", "1/2", "1/3", "1/4");

    // the port's share is free again once its misses were served
    sw.send(from(sw.factory, 1, 11));
    await().until(() -> listener.packetIns.size() == 7);
    assertThat(server.stats().of(HOST1).packetInsShed()).isEqualTo(6);
  }

  @Test
  void roundsServeEachPortInTurnAndAClosedRoundIsServedBeforeTheNext() {
    var rounds = new PacketInRounds(8);
    var first = new ArrayList<PacketInRounds.Round>();
    for (int[] pn : new int[][] {{1, 0}, {1, 1}, {1, 2}, {2, 0}, {3, 0}, {2, 1}}) {
      first.add(rounds.offer(OFPort.of(pn[0]), from(OF13, pn[0], pn[1])).orElseThrow());
    }
    rounds.close();
    var second = rounds.offer(OFPort.of(3), from(OF13, 3, 1)).orElseThrow();
    assertThat(first).allMatch(r -> r == first.get(0));
    assertThat(second).isNotSameAs(first.get(0));
    assertThat(rounds.waiting(OFPort.of(1))).isEqualTo(3);

    List<String> order = new ArrayList<>();
    for (PacketInRounds.Round r : first) {
      OFPacketIn p = rounds.take(r);
      order.add(p.getData()[0] + "/" + p.getData()[1]);
    }
    OFPacketIn last = rounds.take(second);
    order.add(last.getData()[0] + "/" + last.getData()[1]);
    assertThat(order).containsExactly("1/0", "2/0", "3/0", "1/1", "2/1", "1/2", "3/1");
    assertThat(rounds.waiting(OFPort.of(1))).isZero();
    assertThatThrownBy(() -> rounds.take(second)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aShareBelowOneIsRefused() {
    assertThatThrownBy(() -> new PacketInRounds(0)).isInstanceOf(IllegalArgumentException.class);
    assertThat(OpenFlowSettings.portShare(OpenFlowSettings.DEFAULT_INBOUND_QUEUE_CAPACITY)).isEqualTo(1024);
    assertThat(OpenFlowSettings.portShare(2)).isEqualTo(1);
  }
}
