package org.nicflow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nicflow.controller.mininet.MininetHarness;
import org.nicflow.controller.mininet.RepoRoot;
import org.nicflow.controller.mininet.MininetHarness.CommandResult;
import org.nicflow.controller.mininet.MininetHarness.TcpDelivery;
import org.nicflow.controller.mininet.MininetHarness.Topology;

/**
 * The demo topology as the harness builds it, with no controller listening: bridges, ports,
 * VM addressing, a VXLAN path between the hosts (static flows), and complete clean-up.
 */
@ExtendWith(RootOnly.class)
class MininetHarnessSmokeIT {

  private static final Duration SHORT = Duration.ofSeconds(10);
  private static final String GATEWAY_MAC = "02:00:00:00:00:01";

  private final Path demo = RepoRoot.find().resolve("mininet-topologies/fixtures/demo.yaml");

  @Test
  void buildsOneSecureUserspaceBridgePerHostAndRemovesEverythingOnStop() {
    try (MininetHarness harness = MininetHarness.launch()) {
      String controller = deadController();
      Topology topology = harness.start(demo, controller);

      assertThat(topology.bridges()).containsExactly("host1", "host2");
      assertThat(vsctl(harness, "get-controller", "host2")).isEqualTo("tcp:" + controller);
      assertThat(vsctl(harness, "list-ports", "host1").split("\n"))
          .containsExactlyInAnyOrder("p-web1", "p-db1", "p-red1", "host1-up", "tun-host2");
      assertThat(vsctl(harness, "list-ports", "host2").split("\n"))
          .containsExactlyInAnyOrder("p-web2", "p-red2", "host2-up", "tun-host1");
      assertThat(vsctl(harness, "get", "bridge", "host1", "fail_mode")).isEqualTo("secure");
      assertThat(vsctl(harness, "get", "bridge", "host1", "datapath_type")).isEqualTo("netdev");
      assertThat(vsctl(harness, "get", "bridge", "host2", "other-config:datapath-id"))
          .isEqualTo("\"0000000000000002\"");
      assertThat(vsctl(harness, "get", "bridge", "host1", "protocols"))
          .contains("OpenFlow13", "OpenFlow14", "OpenFlow15");
      assertThat(vsctl(harness, "get", "interface", "tun-host2", "options"))
          .contains("remote_ip=\"192.168.50.2\"", "key=flow");

      CommandResult address = harness.cmd("red2", "ip -o -4 addr show dev red2-eth0; ip route",
          SHORT);
      assertThat(address.output())
          .contains("10.1.0.12/24", "default via 10.1.0.1 dev red2-eth0");
      assertThat(harness.cmd("web1", "cat /sys/class/net/web1-eth0/address", SHORT).output())
          .isEqualToIgnoringNewLines("02:00:00:00:01:0b");

      assertThatThrownBy(() -> harness.awaitControllerConnection(Duration.ofMillis(500)))
          .hasMessageContaining("not connected").hasMessageContaining("host1");

      harness.stop();

      assertThat(vsctl(harness, "list-br").split("\n"))
          .doesNotContain("host1", "host2", "nfm-underlay");
      assertThat(harness.ofctl("ovs-vsctl", "port-to-br", "p-web1").exit()).isNotZero();
    }
  }

  @Test
  void reportsWhenEveryBridgeHasConnectedToTheController() throws IOException {
    try (HelloOnlyController controller = new HelloOnlyController();
        MininetHarness harness = MininetHarness.launch()) {
      harness.start(demo, "127.0.0.1:" + controller.port());

      assertThat(harness.awaitControllerConnection(Duration.ofSeconds(30)))
          .containsExactlyInAnyOrderEntriesOf(Map.of("host1", true, "host2", true));
    }
  }

  @Test
  void vxlanTunnelCarriesTrafficBetweenHosts() {
    try (MininetHarness harness = MininetHarness.launch()) {
      Topology topology = harness.start(demo, deadController());
      assertThat(topology.tunnelsRoutable()).isTrue();
      // No controller here: static flows stand in for it, VNI 5001 (blue) both ways.
      addFlow(harness, "host1", "priority=10,in_port=p-web1,ip,"
          + "actions=set_field:5001->tun_id,output:tun-host2");
      addFlow(harness, "host1", "priority=10,in_port=tun-host2,tun_id=5001,ip,nw_dst=10.1.0.11,"
          + "actions=set_field:" + GATEWAY_MAC + "->eth_src,"
          + "set_field:02:00:00:00:01:0b->eth_dst,output:p-web1");
      addFlow(harness, "host2", "priority=10,in_port=p-web2,ip,"
          + "actions=set_field:5001->tun_id,output:tun-host1");
      addFlow(harness, "host2", "priority=10,in_port=tun-host1,tun_id=5001,ip,nw_dst=10.1.0.12,"
          + "actions=set_field:" + GATEWAY_MAC + "->eth_src,"
          + "set_field:02:00:00:00:01:0c->eth_dst,output:p-web2");
      neighbourViaGateway(harness, "web1", "10.1.0.12");
      neighbourViaGateway(harness, "web2", "10.1.0.11");

      CommandResult ping = harness.cmd("web1", "ping -c3 -i0.2 -W2 10.1.0.12", SHORT);
      assertThat(ping.succeeded()).as(ping.output()).isTrue();

      TcpDelivery tcp = harness.sendTcp("web1", "web2", "10.1.0.12", 8000, "across-the-tunnel");
      assertThat(tcp.connected()).as(tcp.clientOutput()).isTrue();
      assertThat(tcp.received()).contains("across-the-tunnel");

      assertThat(harness.portStats("host2").get("tun-host1").rxPackets()).isPositive();
      assertThat(harness.dumpFlows("nfm-underlay"))
          .anySatisfy(flow -> {
            assertThat(flow.actions()).isEqualTo("IN_PORT");
            assertThat(flow.packets()).isPositive();
          });
    }
  }

  @Test
  void externalEndpointReachesTheSnatAddressThroughItsHostsUplink() {
    try (MininetHarness harness = MininetHarness.launch()) {
      harness.start(demo, deadController(), List.of("198.51.100.1/24"));
      // Static stand-in for the controller's SNAT of web1 to 203.0.113.10 (fixture rule set).
      addFlow(harness, "host1", "priority=10,in_port=p-web1,ip,nw_dst=198.51.100.0/24,"
          + "actions=set_field:203.0.113.10->ip_src,set_field:02:00:00:00:fe:01->eth_dst,"
          + "output:host1-up");
      addFlow(harness, "host1", "priority=10,in_port=host1-up,ip,nw_dst=203.0.113.10,"
          + "actions=set_field:10.1.0.11->ip_dst,set_field:" + GATEWAY_MAC + "->eth_src,"
          + "set_field:02:00:00:00:01:0b->eth_dst,output:p-web1");
      neighbourViaGateway(harness, "web1", "10.1.0.1");

      CommandResult ping = harness.cmd("web1", "ping -c2 -i0.2 -W2 198.51.100.1", SHORT);
      assertThat(ping.succeeded()).as(ping.output()).isTrue();
      CommandResult seen = harness.cmd("nfm-ext", "ip neigh show 203.0.113.10", SHORT);
      assertThat(seen.output()).contains("02:00:00:00:fd:01"); // host1's uplink

      TcpDelivery tcp = harness.sendTcp("web1", "nfm-ext", "198.51.100.1", 9000, "behind-snat");
      assertThat(tcp.connected()).as(tcp.clientOutput()).isTrue();
      assertThat(tcp.received()).contains("behind-snat");
      assertThat(harness.portStats("host1").get("host1-up").rxPackets()).isPositive();
      assertThat(harness.portStats("host2").get("host2-up").rxPackets()).isZero();
    }
  }

  @Test
  void secondHarnessRefusesTheBridgesOfARunningNetwork() {
    try (MininetHarness first = MininetHarness.launch();
        MininetHarness second = MininetHarness.launch()) {
      first.start(demo, deadController());

      assertThatThrownBy(() -> second.start(demo, deadController()))
          .hasMessageContaining("in use by pid " + first.pid());
      assertThat(vsctl(first, "list-ports", "host1")).contains("p-web1");
    }
  }

  @Test
  void endOfInputRemovesTheNetworkAndBackgroundProcesses() throws Exception {
    MininetHarness harness = MininetHarness.launch();
    try (harness) {
      long sleeper = startNetworkWithSleeper(harness);
      harness.endOfInput(); // as when the test JVM dies: no "stop", just EOF
      assertThat(harness.awaitExit(Duration.ofSeconds(60))).isTrue();
      assertNetworkGone(sleeper);
    }
  }

  @Test
  void sigtermRemovesTheNetworkAndBackgroundProcesses() throws Exception {
    MininetHarness harness = MininetHarness.launch();
    try (harness) {
      long sleeper = startNetworkWithSleeper(harness);
      ProcessHandle.of(harness.pid()).orElseThrow().destroy();
      assertThat(harness.awaitExit(Duration.ofSeconds(60))).isTrue();
      assertNetworkGone(sleeper);
    }
  }

  private long startNetworkWithSleeper(MininetHarness harness) {
    harness.start(demo, deadController());
    assertThat(vsctl(harness, "list-br").split("\n")).contains("host1", "host2");
    long sleeper = harness.call(harness.request("popen").put("host", "web1")
        .put("cmd", "sleep 600"), SHORT).path("pid").asLong();
    assertThat(ProcessHandle.of(sleeper)).isPresent();
    return sleeper;
  }

  private static void assertNetworkGone(long backgroundPid) {
    assertThat(ProcessHandle.of(backgroundPid).filter(ProcessHandle::isAlive)).isEmpty();
    try (MininetHarness check = MininetHarness.launch()) {
      assertThat(vsctl(check, "list-br").split("\n"))
          .doesNotContain("host1", "host2", "nfm-underlay");
      assertThat(check.ofctl("ovs-vsctl", "port-to-br", "p-web1").exit()).isNotZero();
    }
  }

  private static String vsctl(MininetHarness harness, String... args) {
    String[] argv = new String[args.length + 1];
    argv[0] = "ovs-vsctl";
    System.arraycopy(args, 0, argv, 1, args.length);
    CommandResult result = harness.ofctl(argv);
    assertThat(result.exit()).as(result.output()).isZero();
    return result.output().strip();
  }

  /** What the controller's ARP answers would do: {@code ip} resolves to the gateway MAC. */
  private static void neighbourViaGateway(MininetHarness harness, String vm, String ip) {
    CommandResult result = harness.cmd(vm,
        "ip neigh replace " + ip + " lladdr " + GATEWAY_MAC + " dev " + vm + "-eth0", SHORT);
    assertThat(result.succeeded()).as(result.output()).isTrue();
  }

  private static void addFlow(MininetHarness harness, String bridge, String flow) {
    CommandResult result = harness.ofctl("-O", "OpenFlow13", "add-flow", bridge, flow);
    assertThat(result.exit()).as(result.output()).isZero();
  }

  /** A local port where nothing listens: the bridges stay in secure mode without a controller. */
  private static String deadController() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return "127.0.0.1:" + socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
