package org.nicflow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.flow.Cookie;
import org.nicflow.compiler.flow.FlowKind;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.controller.mininet.MininetHarness.CommandResult;
import org.nicflow.controller.mininet.MininetHarness.DumpedFlow;
import org.nicflow.controller.mininet.MininetHarness.PortCounters;

/**
 * Two hosts joined by VXLAN, an endpoint on the physical network ({@code nfm-ext}) and two
 * tenants whose address spaces overlap, on real Open vSwitch and Mininet with the controller in
 * this JVM: traffic between hosts, tenant isolation, SNAT to the outside, a load-balanced VIP
 * reached from the outside, and the drop of tenant traffic to an address with no VM. Subclasses
 * pick the offload mode. Every test fails if a switch sent an OpenFlow ERROR or the controller
 * threw.
 *
 * <p>Fixture {@code two-hosts.yaml}: blue xa (nfx1, client, SNAT to 203.0.113.71 off the VNET),
 * xb (nfx2) and xc (nfx1) servers and the backends of 203.0.113.81:80; red ra (nfx2) and rb (nfx1)
 * with the addresses of xa and xb.
 */
abstract class TwoHostScenario extends NetworkScenario {

  static final String HOST1 = "nfx1";
  static final String HOST2 = "nfx2";
  static final String XA = "10.71.0.10";
  static final String XB = "10.71.0.11";
  static final String XC = "10.71.0.12";
  static final String NO_VM = "10.71.0.99";
  static final String EXTERNAL = "198.51.100.1";
  static final String SNAT_ADDRESS = "203.0.113.71";
  static final String VIP = "203.0.113.81";
  static final String GATEWAY_MAC = "02:00:00:00:00:01";
  private static final Pattern ANNOUNCED = Pattern.compile("^(\\S+) (\\d+\\.\\d+\\.\\d+\\.\\d+):(\\d+)$",
      Pattern.MULTILINE);

  @Override
  String fixtureName() {
    return "two-hosts.yaml";
  }

  @Override
  List<String> externalAddresses() {
    return List.of(EXTERNAL + "/24");
  }

  // ---- between hosts ------------------------------------------------------------------------

  @Test
  @Order(1)
  void pingCrossesTheTunnelBothWays() {
    assertThat(topology.tunnelsRoutable()).as("the harness routes the underlay").isTrue();
    Map<String, PortCounters> before = harness.portStats(HOST1);

    assertThat(ping("xa", XB)).as("xa (nfx1) -> xb (nfx2): rule icmp-in of xb").isTrue();
    assertThat(ping("xb", XA)).as("xb (nfx2) -> xa (nfx1): rule icmp-in of xa").isTrue();

    Map<String, PortCounters> after = harness.portStats(HOST1);
    assertThat(after.get("tun-nfx2").txPackets()).as("nfx1 sent through tun-nfx2")
        .isGreaterThan(before.get("tun-nfx2").txPackets());
    assertThat(after.get("tun-nfx2").rxPackets()).as("nfx1 received from tun-nfx2")
        .isGreaterThan(before.get("tun-nfx2").rxPackets());
  }

  @Test
  @Order(2)
  void tcpAcrossTheTunnelFollowsTheReceiversRules() {
    String inRange = serve("xb", 8080, "xb");
    String outOfRange = serve("xb", 9000, "xb");
    try {
      assertThat(ask("xa", XB, 8080).map(Answer::seen)).as("xa -> xb:8080, rule web-in of xb")
          .contains("xb saw " + XA);
      assertThat(ask("xa", XB, 9000)).as("xa -> xb:9000, default deny of xb's acl").isEmpty();
    } finally {
      harness.kill(inRange);
      harness.kill(outOfRange);
    }
  }

  @Test
  @Order(3)
  void statefulReplyReturnsAcrossTheTunnelButUnsolicitedInboundTcpDoesNot() {
    String onXb = serve("xb", 8081, "xb");
    String onXa = serve("xa", 8082, "xa");
    try {
      assertThat(ask("xa", XB, 8081).map(Answer::seen))
          .as("xa opens to xb on the other host: the reply passes although xa's acl denies inbound TCP")
          .contains("xb saw " + XA);
      assertThat(replyFlowsFrom(HOST2, "p-xb", 8081))
          .as("the reply's flow on nfx2, installed with the connection: xa's acl there would deny it")
          .isNotEmpty();
      assertThat(ask("xb", XA, 8082)).as("xb's unsolicited connection to xa is dropped").isEmpty();
    } finally {
      harness.kill(onXb);
      harness.kill(onXa);
    }
  }

  @Test
  @Order(4)
  void overlappingTenantsStayApartAcrossHosts() {
    String blue = serve("xb", 8083, "xb");
    String red = serve("rb", 8083, "rb");
    try {
      assertThat(ask("xa", XB, 8083).map(Answer::seen))
          .as("blue xa (nfx1) -> 10.71.0.11 reaches blue xb on nfx2, not red rb on nfx1")
          .contains("xb saw " + XA);
      assertThat(ask("ra", XB, 8083).map(Answer::seen))
          .as("red ra (nfx2) -> 10.71.0.11 reaches red rb on nfx1, not blue xb on nfx2")
          .contains("rb saw " + XA);
    } finally {
      harness.kill(blue);
      harness.kill(red);
    }
  }

  // ---- to and from the physical network -----------------------------------------------------

  @Test
  @Order(5)
  void snatHidesTheVmBehindItsPublicAddressAndTheReplyComesBack() {
    String server = serve("nfm-ext", 9000, "ext");
    try {
      Optional<Answer> answer = ask("xa", EXTERNAL, 9000);

      assertThat(answer).as("xa -> 198.51.100.1:9000 through rule snat").isPresent();
      assertThat(answer.get().name()).isEqualTo("ext");
      assertThat(answer.get().peer()).as("the source the server sees").isEqualTo(SNAT_ADDRESS);
      assertThat(answer.get().port()).as("an allocated source port").isBetween(1024, 65535);
      Optional<Answer> second = ask("xa", EXTERNAL, 9000, 41_002);
      Optional<Answer> third = ask("xa", EXTERNAL, 9000, 41_003);
      assertThat(second).map(Answer::peer).contains(SNAT_ADDRESS);
      assertThat(third).map(Answer::peer).contains(SNAT_ADDRESS);
      assertThat(second.get().port()).as("live mappings to one remote endpoint never share a public port")
          .isNotEqualTo(third.get().port());
    } finally {
      harness.kill(server);
    }
  }

  @Test
  @Order(6)
  void snatAppliesToPingToo() {
    assertThat(ping("xa", EXTERNAL)).as("xa pings the outside through rule snat").isTrue();
  }

  @Test
  @Order(7)
  void vipSpreadsConnectionsFromOutsideOverBothBackendsAndAnswersFromTheVip() {
    String onXb = serve("xb", 8080, "xb");
    String onXc = serve("xc", 8080, "xc");
    try {
      // A TCP client only accepts segments from the address it dialled: every answer proves the
      // replies came back from VIP:80.
      List<Answer> answers = new ArrayList<>();
      for (int sourcePort = 40_001; sourcePort <= 40_016; sourcePort++) {
        Optional<Answer> answer = ask("nfm-ext", VIP, 80, sourcePort);
        assertThat(answer).as("connection from source port %d to %s:80", sourcePort, VIP).isPresent();
        assertThat(answer.get().peer()).as("the backend sees the client unchanged").isEqualTo(EXTERNAL);
        assertThat(answer.get().port()).isEqualTo(sourcePort);
        answers.add(answer.get());
      }

      assertThat(answers).extracting(Answer::name).as("backends that answered").containsOnly("xb", "xc")
          .contains("xb", "xc");
    } finally {
      harness.kill(onXb);
      harness.kill(onXc);
    }
  }

  @Test
  @Order(8)
  void vipIsTheOnlyWayInFromOutside() {
    String server = serve("xb", 8084, "xb");
    try {
      assertThat(ask("nfm-ext", VIP, 8084)).as("the VIP serves port 80 only").isEmpty();
    } finally {
      harness.kill(server);
    }
  }

  // ---- dropped, counted, never leaked ---------------------------------------------------------

  @Test
  @Order(9)
  void trafficToAnAddressOfTheVnetWithoutVmNeverLeavesTheHost() {
    // Nobody answers ARP for an address without a VM: point it at the gateway so packets go out.
    harness.cmd("xa", "ip neigh replace " + NO_VM + " lladdr " + GATEWAY_MAC + " dev xa-eth0", SHORT);
    try {
      Map<String, PortCounters> before = harness.portStats(HOST1);
      long droppedBefore = droppedPackets(HOST1);

      assertThat(harness.cmd("xa", "ping -c3 -i0.2 -W1 " + NO_VM, SHORT).succeeded()).isFalse();
      assertThat(ask("xa", NO_VM, 8080)).isEmpty();

      Map<String, PortCounters> after = harness.portStats(HOST1);
      assertThat(after.get("nfx1-up").txPackets()).as("packets out of the uplink")
          .isEqualTo(before.get("nfx1-up").txPackets());
      assertThat(after.get("tun-nfx2").txPackets()).as("packets into the tunnel")
          .isEqualTo(before.get("tun-nfx2").txPackets());
      assertThat(droppedPackets(HOST1)).as("packets counted by drop flows").isGreaterThan(droppedBefore);

      assertThat(ping("xa", EXTERNAL)).as("control: traffic off the VNET does leave").isTrue();
      assertThat(harness.portStats(HOST1).get("nfx1-up").txPackets()).as("control: the uplink counter counts")
          .isGreaterThan(after.get("nfx1-up").txPackets());
    } finally {
      harness.cmd("xa", "ip neigh del " + NO_VM + " dev xa-eth0", SHORT);
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** A server's answer: its name and the peer address and port it saw. */
  record Answer(String name, String peer, int port) {
    /** Who answered and whom it saw, without the port. */
    String seen() {
      return name + " saw " + peer;
    }
  }

  /** A TCP server that answers each connection with its name and the peer it sees. */
  String serve(String vm, int port, String name) {
    String proc = harness.popen(vm, "/usr/bin/python3 " + probe + " serve tcp " + port + " --announce " + name);
    await().atMost(SHORT).until(() -> harness.output(proc).output().contains("listening"));
    return proc;
  }

  Optional<Answer> ask(String vm, String host, int port) {
    return ask(vm, host, port, 0);
  }

  Optional<Answer> ask(String vm, String host, int port, int sourcePort) {
    CommandResult r = harness.cmd(vm, "/usr/bin/python3 " + probe + " connect tcp " + host + " " + port
        + " --timeout 2 --show" + (sourcePort > 0 ? " --source-port " + sourcePort : ""), SHORT);
    if (!r.succeeded()) {
      return Optional.empty();
    }
    Matcher m = ANNOUNCED.matcher(r.output());
    assertThat(m.find()).as("an announcement in %s", r.output()).isTrue();
    return Optional.of(new Answer(m.group(1), m.group(2), Integer.parseInt(m.group(3))));
  }

  /** Reverse unified flows on {@code bridge} for TCP replies from source port {@code port} on {@code inPort}. */
  List<DumpedFlow> replyFlowsFrom(String bridge, String inPort, int port) {
    return harness.dumpFlows(bridge).stream()
        .filter(f -> f.table() == Pipeline.number(Pipeline.UNIFIED))
        .filter(f -> f.match().contains("in_port=" + inPort) && f.match().contains("tp_src=" + port))
        .filter(f -> Cookie.decode(Long.decode(f.cookie())).kind() == FlowKind.REVERSE)
        .toList();
  }

  /** Packets counted by the flows of a bridge that drop. */
  long droppedPackets(String bridge) {
    return harness.dumpFlows(bridge).stream()
        .filter(f -> f.actions().isBlank() || f.actions().equals("drop"))
        .mapToLong(DumpedFlow::packets)
        .sum();
  }

}
