package org.nicflow.controller.openflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFErrorType;
import org.projectfloodlight.openflow.protocol.OFType;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.DatapathId;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/**
 * Against the local Open vSwitch (userspace datapath): a bridge pointed at the server reaches
 * READY. Runs whenever the tests run as root and {@code ovs-vsctl} answers; skipped, saying why,
 * otherwise. The bridge (and its datapath id) is this test JVM's own, {@code nfhs<pid mod 1000>},
 * and is deleted by name after each test.
 */
class RealOvsHandshakeTest {

  static final long PID = ProcessHandle.current().pid() % 1000;
  static final String BRIDGE = "nfhs" + PID;
  static final String PORT = BRIDGE + "p1";
  static final DatapathId DPID = DatapathId.of(0x4e0000L + PID);

  @BeforeAll
  static void needsRootAndOpenVswitch() {
    assumeTrue(isRoot(), "RealOvsHandshakeTest skipped: not running as root");
    String reason = ovsUnavailable();
    assumeTrue(reason == null, () -> "RealOvsHandshakeTest skipped: ovs-vsctl does not work: " + reason);
  }

  @AfterEach
  void deleteTheBridge() throws Exception {
    ovsVsctl("--if-exists", "del-br", BRIDGE);
  }

  @Test
  void anOvsBridgeCompletesTheHandshakeOverOpenFlow15() throws Exception {
    var listener = new RecordingListener();
    var server =
        new OpenFlowServer(
            Map.of(DPID, BRIDGE),
            listener,
            new OpenFlowSettings("127.0.0.1", 0, Duration.ofSeconds(2), Duration.ofSeconds(6)));
    server.start();
    try {
      ovsVsctl(
          "--may-exist",
          "add-br",
          BRIDGE,
          "--",
          "set",
          "bridge",
          BRIDGE,
          "datapath_type=netdev",
          "fail_mode=secure",
          "protocols=OpenFlow13,OpenFlow14,OpenFlow15",
          "other-config:datapath-id=" + dpidHex(),
          "--",
          "set-controller",
          BRIDGE,
          "tcp:127.0.0.1:" + server.boundPort());
      await().atMost(Duration.ofSeconds(30)).until(() -> listener.connected.size() == 1);

      SwitchConnection sw = listener.connected.get(0).sw();
      assertThat(sw.dpid()).isEqualTo(DPID);
      assertThat(sw.factory().getVersion()).isEqualTo(OFVersion.OF_14);
      assertThat(sw.ports().number(BRIDGE)).contains(OFPort.LOCAL);

      sw.barrier().get(5, TimeUnit.SECONDS);
      var flows = sw.flowStats().get(5, TimeUnit.SECONDS);

      // a flow-mod into a table that does not exist must come back as an ERROR naming it
      var f = sw.factory();
      var bad =
          f.buildFlowAdd()
              .setTableId(TableId.of(254))
              .setPriority(1)
              .setCookie(U64.of(0x4e))
              .setMatch(f.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(1)).build())
              .build();
      sw.send(bad);
      sw.barrier().get(5, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(5)).until(() -> !listener.errors.isEmpty());
      var error = listener.errors.get(0);

      // a port added on the bridge arrives as PORT_STATUS
      ovsVsctl("add-port", BRIDGE, PORT, "--", "set", "interface", PORT, "type=internal");
      await().atMost(Duration.ofSeconds(10)).until(() -> sw.ports().number(PORT).isPresent());

      var stats = server.stats().of(DPID);
      System.out.printf(
          "OVS: version %s, ports %s, %d flows, error %s answering %s, stats in %s out %s%n",
          sw.factory().getVersion(),
          sw.ports().byName(),
          flows.size(),
          error.error(),
          error.request().map(m -> m.getType() + " xid " + m.getXid()).orElse("?"),
          stats.messagesIn(),
          stats.messagesOut());
      assertThat(error.error().getErrType())
          .isIn(OFErrorType.FLOW_MOD_FAILED, OFErrorType.BAD_REQUEST);
      assertThat(error.request())
          .hasValueSatisfying(m -> assertThat(m.getType()).isEqualTo(OFType.FLOW_MOD));
      assertThat(stats.illegalMessages()).isZero();
      assertThat(stats.malformedCloses()).isZero();
    } finally {
      ovsVsctl("--if-exists", "del-br", BRIDGE);
      server.close();
    }
    assertThat(listener.disconnected).hasSize(1);
  }

  @Test
  void anOpenFlow13OnlyBridgeIsSpokenTo13() throws Exception {
    var listener = new RecordingListener();
    var server =
        new OpenFlowServer(Map.of(DPID, BRIDGE), listener, OpenFlowSettings.of("127.0.0.1", 0));
    server.start();
    try {
      addBridge("OpenFlow13", server.boundPort());
      await().atMost(Duration.ofSeconds(30)).until(() -> listener.connected.size() == 1);
      assertThat(listener.connected.get(0).sw().factory().getVersion()).isEqualTo(OFVersion.OF_13);
    } finally {
      ovsVsctl("--if-exists", "del-br", BRIDGE);
      server.close();
    }
  }

  @Test
  void anOpenFlow10OnlyBridgeIsRefusedWithHelloFailed() throws Exception {
    var listener = new RecordingListener();
    var server =
        new OpenFlowServer(Map.of(DPID, BRIDGE), listener, OpenFlowSettings.of("127.0.0.1", 0));
    server.start();
    try {
      addBridge("OpenFlow10", server.boundPort());
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> server.stats().global().out(OFType.ERROR) >= 1);
      assertThat(server.stats().global().in(OFType.HELLO)).isPositive();
      assertThat(listener.calls).isEmpty();
    } finally {
      ovsVsctl("--if-exists", "del-br", BRIDGE);
      server.close();
    }
  }

  private static String dpidHex() {
    return String.format("%016x", DPID.getLong());
  }

  private static boolean isRoot() {
    try {
      return "0".equals(run("id", "-u").strip());
    } catch (IOException e) {
      return false;
    }
  }

  /** Null when {@code ovs-vsctl} answers, else why not. */
  private static String ovsUnavailable() {
    try {
      ovsVsctl("show");
      return null;
    } catch (IOException e) {
      return e.getMessage();
    }
  }

  private static void addBridge(String protocols, int port) throws Exception {
    ovsVsctl(
        "--may-exist",
        "add-br",
        BRIDGE,
        "--",
        "set",
        "bridge",
        BRIDGE,
        "datapath_type=netdev",
        "fail_mode=secure",
        "protocols=" + protocols,
        "other-config:datapath-id=" + dpidHex(),
        "--",
        "set-controller",
        BRIDGE,
        "tcp:127.0.0.1:" + port);
  }

  private static void ovsVsctl(String... args) throws IOException {
    run(Stream.concat(Stream.of("ovs-vsctl", "--timeout=10"), Stream.of(args)).toArray(String[]::new));
  }

  private static String run(String... command) throws IOException {
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("timed out: " + List.of(command));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + List.of(command), e);
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      throw new IOException(List.of(command) + " failed: " + output.strip());
    }
    return output;
  }
}
