package org.nicflow.controller.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.diff.FlowDiffer;
import org.nicflow.compiler.eval.ConnectionTable;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.packet.PacketHeaders;
import org.nicflow.controller.openflow.CapturedLogs;
import org.nicflow.controller.openflow.packet.FrameBuilder;
import org.nicflow.controller.openflow.packet.FrameParser;
import org.nicflow.controller.policy.PolicySnapshot;
import org.projectfloodlight.openflow.protocol.OFPacketOut;

/** A VM that uses up its SNAT share (docs/config.md, {@code snat_ports}): its drops are counted and logged. */
class HostPartitionSnatShareTest {

  private static final MacAddress WEB1_MAC = MacAddress.parse("02:00:00:00:01:0b");
  private static final Ipv4 WEB1 = Ipv4.parse("10.1.0.11");
  private static final Ipv4 INTERNET = Ipv4.parse("198.51.100.7");

  private final long[] now = {0};
  private HostPartition partition;
  private FakeBridge host1;

  /** The demo, where web1 and web2 SNAT to 203.0.113.10, with web1 holding two of its ports. */
  @BeforeEach
  void setUp() throws Exception {
    Config demo = new ConfigLoader().load(Path.of("../examples/demo.yaml"));
    List<Vm> vms = demo.vms().stream().map(v -> !v.name().equals("web1") ? v : new Vm(v.name(), v.host(), v.port(),
        v.mac(), v.ip(), v.vnet(), v.ruleset(), v.meterKbps(), v.missRatePps(), v.missBurst(), OptionalInt.of(2)))
        .toList();
    Config config = new Config(demo.controller(), demo.hosts(), demo.vnets(), vms, demo.rulesets(),
        demo.loadBalancers());
    partition = new HostPartition(PolicySnapshot.of(0, config),
        new FlowReconciler(new FlowDiffer(), Duration.ofSeconds(5)), new FrameParser(), new ConnectionTable(),
        new RuleStatistics(), () -> now[0]);
    host1 = new FakeBridge("host1", 1L, Map.of("p-web1", 1, "p-db1", 2, "p-red1", 3, "host1-up", 4, "tun-host2", 5));
    partition.switchConnected(host1);
    host1.clearSent();
  }

  private void webOut(int sport) {
    partition.packetIn(host1, host1.packetIn(1,
        FrameBuilder.ipv4(PacketHeaders.tcp(WEB1_MAC, MacAddress.DEFAULT_GATEWAY, WEB1, INTERNET, sport, 443)).build()));
  }

  @Test
  void connectionsPastAVmsShareAreDroppedCountedAndLoggedOncePerInterval() {
    try (CapturedLogs logs = new CapturedLogs()) {
      webOut(40000);
      webOut(40001);
      assertThat(host1.sentOf(OFPacketOut.class)).as("two ports: two connections").hasSize(2);
      webOut(40002);
      webOut(40003);
      now[0] += Duration.ofSeconds(30).toNanos();
      webOut(40004);

      assertThat(partition.snatExhausted()).containsExactly(Map.entry("web1", 3L));
      assertThat(partition.snatExhausted("web2")).isZero();
      assertThat(partition.connections().size()).isEqualTo(2);
      assertThat(host1.sentOf(OFPacketOut.class)).as("none of the dropped first packets sent on").hasSize(2);
      assertThat(logs.containing("web1's share 1024-1025")).as("one line per minute, the rest counted").hasSize(1);

      now[0] += HostPartition.SNAT_LOG_INTERVAL.toNanos();
      webOut(40005);
      assertThat(logs.containing("web1's share 1024-1025")).hasSize(2);
      assertThat(logs.containing("web1's share").get(1).getFormattedMessage())
          .contains("no free SNAT port on 203.0.113.10 towards 198.51.100.7:443")
          .contains("(2 more like this since the last such line)");
    }
  }
}
