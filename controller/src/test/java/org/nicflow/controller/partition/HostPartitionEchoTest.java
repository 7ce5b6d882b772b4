package org.nicflow.controller.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.diff.FlowDiffer;
import org.nicflow.compiler.eval.ConnectionTable;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.packet.PacketHeaders;
import org.nicflow.compiler.unified.UnifiedFlowBuilder;
import org.nicflow.controller.openflow.packet.FrameBuilder;
import org.nicflow.controller.openflow.packet.FrameParser;
import org.nicflow.controller.openflow.packet.ParsedFrame;
import org.nicflow.controller.policy.PolicySnapshot;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFPacketOut;
import org.projectfloodlight.openflow.protocol.action.OFActionOutput;
import org.projectfloodlight.openflow.types.OFPort;

/**
 * ICMP echo through the host partition: two VMs behind one SNAT address ping one remote host with
 * the same identifier. Requests and the shared replies go through the controller, which rewrites the
 * identifier in the frame it sends on; each VM gets its own replies with its own identifier.
 */
class HostPartitionEchoTest {

  private static final MacAddress GATEWAY = MacAddress.DEFAULT_GATEWAY;
  private static final MacAddress NEXT_HOP = MacAddress.parse("02:00:00:00:fe:01");
  private static final Ipv4 REMOTE = Ipv4.parse("198.51.100.7");
  private static final Ipv4 PUBLIC = Ipv4.parse("203.0.113.10");
  private static final int UNIFIED = Pipeline.number(Pipeline.UNIFIED);
  private static final int WEB1_PORT = 1;
  private static final int DB1_PORT = 2;
  private static final int UPLINK = 4;
  /**
   * An identifier in web1's share of 203.0.113.10's identifiers: db1, web1 and web2 SNAT to it and,
   * in the order of their names, have 0-21844, 21845-43689 and 43690-65534 (docs/semantics.md, "SNAT shares").
   */
  private static final int WEB1_ID = 30_000;

  private Config config;
  private HostPartition partition;
  private FakeBridge host1;

  @BeforeEach
  void setUp() throws Exception {
    // db1 gets web1's rule set: both SNAT to 203.0.113.10 towards the physical network.
    String demo = Files.readString(Path.of("../examples/demo.yaml"))
        .replace("vnet: blue, ruleset: db}", "vnet: blue, ruleset: web}");
    config = new ConfigLoader().parse(demo, "demo.yaml with db1 on the web rule set");
    partition = new HostPartition(PolicySnapshot.of(0, config),
        new FlowReconciler(new FlowDiffer(), Duration.ofSeconds(5)), new FrameParser(), new ConnectionTable(),
        new RuleStatistics());
    host1 = new FakeBridge("host1", 1L,
        Map.of("p-web1", WEB1_PORT, "p-db1", DB1_PORT, "p-red1", 3, "host1-up", UPLINK, "tun-host2", 5));
    partition.switchConnected(host1);
    host1.clearSent();
  }

  @Test
  void twoVmsPingingOneHostThroughOneSnatAddressWithOneIdentifierEachGetTheirOwnReplies() {
    OFPacketOut webOut = send(WEB1_PORT, request("web1", WEB1_ID));
    OFPacketOut dbOut = send(DB1_PORT, request("db1", WEB1_ID));

    int webQueryId = echoIdOf(webOut);
    int dbQueryId = echoIdOf(dbOut);
    assertThat(webQueryId).as("web1's identifier is free and in its share: kept").isEqualTo(WEB1_ID);
    assertThat(dbQueryId).as("db1's is taken, and not in its share: translated").isNotEqualTo(WEB1_ID);
    assertThat(outputOf(webOut)).isEqualTo(UPLINK);
    assertThat(webOut.getActions().toString()).contains("203.0.113.10");
    assertThat(dbOut.getActions().toString()).contains("203.0.113.10");

    OFPacketOut toDb = send(UPLINK, reply(dbQueryId));
    OFPacketOut toWeb = send(UPLINK, reply(webQueryId));
    assertThat(outputOf(toWeb)).isEqualTo(WEB1_PORT);
    assertThat(echoIdOf(toWeb)).isEqualTo(WEB1_ID);
    assertThat(outputOf(toDb)).isEqualTo(DB1_PORT);
    assertThat(echoIdOf(toDb)).as("db1's reply carries the identifier db1 sent").isEqualTo(WEB1_ID);
    assertThat(toDb.getActions().toString()).contains("10.1.0.21");

    assertThat(partition.connections().size()).isEqualTo(2);
    assertThat(partition.counters().controllerPathPackets()).isEqualTo(4);
    // The switch holds flows sending these pairs to the controller, not rewrites it cannot do right.
    List<OFFlowMod> unified = host1.flowsIn(UNIFIED).stream()
        .filter(m -> m.getPriority() == UnifiedFlowBuilder.PRIORITY).toList();
    assertThat(unified).as("web1's and db1's requests, the shared replies").hasSize(3);
    assertThat(unified).allSatisfy(m -> assertThat(m.getInstructions().toString()).contains("port=controller, maxLen=65535"));
  }

  @Test
  void laterPacketsOfASessionOnTheControllersPathAddNoFlowsAndKeepTheirMapping() {
    send(WEB1_PORT, request("web1", WEB1_ID));
    int dbQueryId = echoIdOf(send(DB1_PORT, request("db1", WEB1_ID)));
    int flowMods = host1.sentOf(OFFlowMod.class).size();

    for (int i = 0; i < 5; i++) {
      assertThat(echoIdOf(send(DB1_PORT, request("db1", WEB1_ID)))).isEqualTo(dbQueryId);
      assertThat(echoIdOf(send(UPLINK, reply(dbQueryId)))).isEqualTo(WEB1_ID);
    }

    assertThat(host1.sentOf(OFFlowMod.class)).hasSize(flowMods);
    assertThat(partition.connections().size()).isEqualTo(2);
    assertThat(partition.counters().duplicateMisses()).isZero();
  }

  private OFPacketOut send(int port, byte[] frame) {
    int before = host1.sentOf(OFPacketOut.class).size();
    partition.packetIn(host1, host1.packetIn(port, frame));
    List<OFPacketOut> outs = host1.sentOf(OFPacketOut.class);
    assertThat(outs).as("one packet-out for the packet-in").hasSize(before + 1);
    return outs.get(before);
  }

  private byte[] request(String vm, int id) {
    var v = config.vm(vm).orElseThrow();
    return FrameBuilder.ipv4(new PacketHeaders(v.mac(), GATEWAY, Protocol.IPPROTO_ICMP, v.ip(), REMOTE,
        PacketHeaders.ICMP_ECHO_REQUEST, 0, 0, id)).build();
  }

  private static byte[] reply(int id) {
    return FrameBuilder.ipv4(new PacketHeaders(NEXT_HOP, GATEWAY, Protocol.IPPROTO_ICMP, REMOTE, PUBLIC,
        PacketHeaders.ICMP_ECHO_REPLY, 0, 0, id)).build();
  }

  private static int echoIdOf(OFPacketOut out) {
    ParsedFrame parsed = new FrameParser().parse(out.getData());
    assertThat(parsed).isInstanceOf(ParsedFrame.Ipv4Frame.class);
    return ((ParsedFrame.Ipv4Frame) parsed).headers().icmpId();
  }

  private static int outputOf(OFPacketOut out) {
    OFPort port = out.getActions().stream().filter(a -> a instanceof OFActionOutput)
        .map(a -> ((OFActionOutput) a).getPort()).findFirst().orElseThrow();
    return port.getPortNumber();
  }
}
