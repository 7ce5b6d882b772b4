package org.nicflow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.flow.Cookie;
import org.nicflow.compiler.flow.FlowKind;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.controller.mininet.MininetHarness.CommandResult;
import org.nicflow.controller.mininet.MininetHarness.DumpedFlow;
import org.nicflow.controller.partition.PartitionCounters;

/**
 * The behaviour a user sees, on real Open vSwitch (userspace datapath) and Mininet, with the
 * controller in this JVM: allowed and denied traffic per rule, connection state, anti-spoofing and
 * proof that a connection's packets stay in the switch. Subclasses pick the offload mode. Every
 * test fails if a switch sent an OpenFlow ERROR or the controller threw.
 *
 * <p>Fixture {@code one-host.yaml}: va (client, stateful out, accepts only ping from vb), vb
 * (server: TCP 8000-8099, UDP 5000-5010, ICMP in), vc (open).
 */
abstract class OffloadScenario extends OneHostScenario {

  private final ObjectMapper json = new ObjectMapper();

  @Test
  @Order(1)
  void firstPingOfANewConnectionGetsItsReply() {
    long before = controller.partition().counters().packetIns();

    CommandResult ping = harness.cmd("va", "ping -c1 -W3 " + VB, SHORT);

    assertThat(ping.succeeded()).as(ping.output()).isTrue();
    assertThat(controller.partition().counters().packetIns()).isGreaterThan(before);
  }

  @Test
  @Order(2)
  void pingIsAllowedOrDeniedByTheReceiversRules() {
    assertThat(ping("vb", VA)).as("vb -> va: rule ping-from-vb").isTrue();
    assertThat(ping("vc", VA)).as("vc -> va: default deny of va's acl").isFalse();
    assertThat(ping("vc", VB)).as("vc -> vb: rule icmp-in").isTrue();
  }

  @Test
  @Order(3)
  void tcpIsAllowedOnlyInsideThePortRange() {
    String inRange = serve("vb", "tcp", 8080);
    String outOfRange = serve("vb", "tcp", 9000);
    try {
      assertThat(connect("va", "tcp", VB, 8080)).as("va -> vb:8080, rule web-in").isTrue();
      assertThat(connect("va", "tcp", VB, 9000)).as("va -> vb:9000, default deny").isFalse();
    } finally {
      harness.kill(inRange);
      harness.kill(outOfRange);
    }
  }

  @Test
  @Order(4)
  void udpIsAllowedOnlyInsideThePortRange() {
    String inRange = serve("vb", "udp", 5005);
    String outOfRange = serve("vb", "udp", 6000);
    try {
      assertThat(connect("va", "udp", VB, 5005)).as("va -> vb:5005/udp, rule udp-in").isTrue();
      assertThat(connect("va", "udp", VB, 6000)).as("va -> vb:6000/udp, default deny").isFalse();
    } finally {
      harness.kill(inRange);
      harness.kill(outOfRange);
    }
  }

  @Test
  @Order(5)
  void statefulRuleAdmitsRepliesButNotUnsolicitedInboundConnections() {
    String server = serve("vb", "tcp", 8081);
    String client = serve("va", "tcp", 8082);
    try {
      assertThat(connect("va", "tcp", VB, 8081))
          .as("va opens to vb: its replies pass although va's acl denies inbound TCP").isTrue();
      assertThat(connect("vb", "tcp", VA, 8082)).as("vb's unsolicited SYN to va is dropped").isFalse();
    } finally {
      harness.kill(server);
      harness.kill(client);
    }
  }

  @Test
  @Order(6)
  void forgedSourceAddressGetsNowhere() {
    assertThat(ping("vc", VB)).as("control: vc reaches vb with its own address").isTrue();
    harness.cmd("vc", "ip addr add 10.7.0.99/32 dev vc-eth0 && ip neigh replace " + VB
        + " lladdr 02:00:00:00:00:01 dev vc-eth0", SHORT);
    long packetIns = controller.partition().counters().packetIns();
    try {
      CommandResult forged = harness.cmd("vc", "ping -c2 -W1 -I 10.7.0.99 " + VB, SHORT);
      assertThat(forged.succeeded()).as(forged.output()).isFalse();
      assertThat(controller.partition().counters().packetIns())
          .as("spoofed packets are dropped in the switch, not sent to the controller").isEqualTo(packetIns);
    } finally {
      harness.cmd("vc", "ip addr del 10.7.0.99/32 dev vc-eth0; ip neigh del " + VB + " dev vc-eth0", SHORT);
    }
  }

  @Test
  @Order(7)
  void forgedSourceMacGetsNowhere() {
    harness.cmd("vc", "ip link set vc-eth0 address 02:00:00:00:07:99 && ip neigh flush dev vc-eth0", SHORT);
    try {
      assertThat(ping("vc", VB)).as("vc with a MAC that is not its own").isFalse();
    } finally {
      harness.cmd("vc", "ip link set vc-eth0 address 02:00:00:00:07:0c && ip neigh flush dev vc-eth0", SHORT);
    }
    assertThat(ping("vc", VB)).as("vc with its own MAC again").isTrue();
  }

  @Test
  @Order(8)
  void aTenThousandPacketFlowStaysInTheSwitch() throws Exception {
    String server = serve("vb", "udp", 5007);
    try {
      long before = controller.partition().counters().packetIns();
      JsonNode first = pingpong(1000);
      long afterFirst = controller.partition().counters().packetIns();
      List<DumpedFlow> flowsThen = unifiedFlowsOn(BRIDGE, 5007);
      JsonNode rest = pingpong(9000);
      long after = controller.partition().counters().packetIns();
      List<DumpedFlow> flowsNow = unifiedFlowsOn(BRIDGE, 5007);

      assertThat(first.path("answered").asInt() + rest.path("answered").asInt()).isEqualTo(10_000);
      assertThat(after - before).as("packet-ins for 10,000 packets each way").isLessThanOrEqualTo(4);
      assertThat(after - afterFirst).as("packet-ins once the flows are in").isZero();
      assertThat(flowsNow).as("unified flows with nicflow cookies").isNotEmpty();
      assertThat(flowsNow).allSatisfy(f -> assertThat(Cookie.decode(Long.decode(f.cookie())).kind())
          .isIn(FlowKind.UNIFIED, FlowKind.REVERSE));
      long packetsThen = flowsThen.stream().mapToLong(DumpedFlow::packets).sum();
      long packetsNow = flowsNow.stream().mapToLong(DumpedFlow::packets).sum();
      assertThat(packetsNow).as("n_packets rises").isGreaterThanOrEqualTo(packetsThen + 9000);
      System.out.printf("[figures] %s mode: first RTT %.3f ms, later median RTT %.3f ms, packet-ins for a"
              + " 10,000-packet flow: %d%n", mode(), first.path("first_rtt_ms").asDouble(),
          rest.path("median_rtt_ms").asDouble(), after - before);
    } finally {
      harness.kill(server);
    }
  }

  @Test
  @Order(9)
  void everyNewFlowThatReachesTheControllerIsOffloadedOnce() throws Exception {
    String server = serve("vb", "udp", 5008);
    try {
      PartitionCounters.Snapshot before = controller.partition().counters();
      var portBefore = harness.portStats(BRIDGE).get("p-va");
      long started = System.nanoTime();
      CommandResult spray = harness.cmd("va", "/usr/bin/python3 " + probe + " spray " + VB + " 5008 500",
          Duration.ofSeconds(60));
      assertThat(spray.succeeded()).as(spray.output()).isTrue();
      // Not every packet of a burst of 500 new flows reaches the controller: in runs here OVS took in
      // all 500 on va's port (rx 500, 0 dropped), counted no overflow of its queue to the controller
      // (rconn_overflow 0), and still sent 429-500 packet-ins (448 in one proactive run; 271 the
      // fewest on record, under heavy load, before one packet-in per connection and the batched miss
      // path). The loss is inside OVS and does not depend on the controller: wait until the
      // controller has handled all that arrived.
      long[] last = {-1, System.nanoTime()};
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
        long offloads = controller.partition().counters().offloads();
        if (offloads != last[0]) {
          last[0] = offloads;
          last[1] = System.nanoTime();
        }
        return offloads - before.offloads() >= 500 || System.nanoTime() - last[1] > 2_000_000_000L;
      });
      PartitionCounters.Snapshot after = controller.partition().counters();
      long offloaded = after.offloads() - before.offloads();
      long packetIns = after.packetIns() - before.packetIns();

      // Half: below the fewest ever seen here (271), so a run under load passes, while a controller
      // that stalls or sheds misses fails.
      assertThat(offloaded).as("new flows offloaded out of 500 sent").isGreaterThanOrEqualTo(250);
      assertThat(packetIns).as("every packet-in was offloaded or a duplicate of one being offloaded")
          .isEqualTo(offloaded + after.duplicateMisses() - before.duplicateMisses());
      var portAfter = harness.portStats(BRIDGE).get("p-va");
      System.out.printf("[burst] %s: OVS port p-va rx %d packets, rx dropped %d; packet-ins %d, offloaded %d%n", mode(),
          portAfter.rxPackets() - portBefore.rxPackets(), portAfter.rxDropped() - portBefore.rxDropped(), packetIns,
          offloaded);
      double seconds = (last[1] - started) / 1e9;
      System.out.printf("[figures] %s mode: %d of 500 new flows reached the controller and were offloaded in"
          + " %.2f s (%.0f misses/s end to end)%n", mode(), offloaded, seconds, offloaded / seconds);
    } finally {
      harness.kill(server);
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  boolean connect(String vm, String proto, String host, int port) {
    return harness.cmd(vm, "/usr/bin/python3 " + probe + " connect " + proto + " " + host + " " + port
        + " --timeout 2", SHORT).succeeded();
  }

  JsonNode pingpong(int count) throws Exception {
    CommandResult r = harness.cmd("va", "/usr/bin/python3 " + probe + " pingpong " + VB + " 5007 " + count
        + " --source-port 41007", Duration.ofSeconds(180));
    assertThat(r.succeeded()).as(r.output()).isTrue();
    String last = r.output().strip().lines().reduce((a, b) -> b).orElse("{}");
    return json.readTree(last);
  }

}
