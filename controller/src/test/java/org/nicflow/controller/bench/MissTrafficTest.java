package org.nicflow.controller.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.eval.ConnectionTable;
import org.nicflow.compiler.eval.Ingress;
import org.nicflow.compiler.eval.ReferenceEvaluator;
import org.nicflow.compiler.model.Config;
import org.nicflow.controller.openflow.packet.FrameParser;
import org.nicflow.controller.openflow.packet.ParsedFrame;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.projectfloodlight.openflow.protocol.OFPortDescStatsReply;
import org.projectfloodlight.openflow.protocol.OFFeaturesReply;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.OFPort;

/** What the emulated switches send: readable OpenFlow, distinct allowed connections, ids that round-trip. */
class MissTrafficTest {

  private static final Path DEMO = Path.of("..", "examples", "demo.yaml");

  private static OFMessage decode(ByteBuffer written) {
    written.flip();
    try {
      return OFFactories.getGenericReader().readFrom(Unpooled.wrappedBuffer(written));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void packetsOfAConfigAreDistinctConnectionsItsRuleSetsAllow() throws Exception {
    Config config = new ConfigLoader().load(DEMO);
    var plans = MissTraffic.fromConfig(config, 2, 200, 3);
    var evaluator = new ReferenceEvaluator(config);
    var parser = new FrameParser();
    for (MissTraffic.SwitchPlan plan : plans) {
      Set<Object> tuples = new HashSet<>();
      String host = config.hostByDpid(plan.dpid()).orElseThrow().name();
      for (MissPacket p : plan.packets()) {
        var frame = (ParsedFrame.Ipv4Frame) parser.parse(p.frame());
        String port = plan.ports().stream().filter(x -> x.number() == p.inPort()).findFirst().orElseThrow().name();
        var vm = config.vmsOnHost(host).stream().filter(v -> v.port().equals(port)).findFirst().orElseThrow();
        assertThat(evaluator.evaluate(new Ingress.VmPort(host, vm.name()), frame.headers(), new ConnectionTable())
            .allowed()).isTrue();
        assertThat(tuples.add(frame.headers())).isTrue();
      }
      assertThat(plan.packets()).hasSize(200);
    }
  }

  @Test
  void aPacketInCarriesItsPortAndFrameAndTheFrameItsId() {
    MissPacket p = MissTraffic.plain(1, 20, 1).get(0).packets().get(13);
    ByteBuffer out = ByteBuffer.allocate(256);
    SwitchWire.packetIn(out, 99, p.inPort(), p.frame());

    OFPacketIn in = (OFPacketIn) decode(out);

    assertThat(in.getXid()).isEqualTo(99);
    assertThat(in.getMatch().get(MatchField.IN_PORT)).isEqualTo(OFPort.of(p.inPort()));
    assertThat(in.getData()).isEqualTo(p.frame());
    assertThat(MissPacket.idOf(ByteBuffer.wrap(p.frame()), 0, p.frame().length)).hasValue(13);
  }

  @Test
  void handshakeRepliesAreWhatOpenflowjReads() {
    var plan = MissTraffic.plain(1, 1, 1).get(0);
    ByteBuffer out = ByteBuffer.allocate(2048);
    SwitchWire.featuresReply(out, 5, 42);
    assertThat(((OFFeaturesReply) decode(out)).getDatapathId().getLong()).isEqualTo(42);

    ByteBuffer request = ByteBuffer.allocate(16);
    request.put((byte) 4).put((byte) SwitchWire.MULTIPART_REQUEST).putShort((short) 16).putInt(6)
        .putShort((short) SwitchWire.MP_PORT_DESC).putShort((short) 0).putInt(0);
    ByteBuffer reply = ByteBuffer.allocate(2048);
    SwitchWire.multipartReply(reply, request, 0, plan.ports());
    var ports = (OFPortDescStatsReply) decode(reply);
    assertThat(ports.getXid()).isEqualTo(6);
    assertThat(ports.getEntries()).extracting(e -> e.getName())
        .containsExactlyElementsOf(plan.ports().stream().map(SwitchWire.Port::name).toList());
  }

  @Test
  void moreSwitchesThanHostsIsRefused() throws Exception {
    Config config = new ConfigLoader().load(DEMO);
    assertThatThrownBy(() -> MissTraffic.fromConfig(config, 3, 10, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 hosts");
    assertThat(List.of(MissTraffic.plain(3, 5, 1).size())).containsExactly(3);
  }
}
