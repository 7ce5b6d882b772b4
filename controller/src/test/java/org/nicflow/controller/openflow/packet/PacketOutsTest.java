package org.nicflow.controller.openflow.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.packet.PacketHeaders;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.projectfloodlight.openflow.protocol.OFPacketInReason;
import org.projectfloodlight.openflow.protocol.OFPacketOut;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.action.OFAction;
import org.projectfloodlight.openflow.protocol.action.OFActionOutput;
import org.projectfloodlight.openflow.protocol.action.OFActionSetField;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

class PacketOutsTest {

  private static final byte[] FRAME = FrameBuilder.ipv4(PacketHeaders.tcp(MacAddress.parse("02:00:00:00:01:0b"),
      MacAddress.DEFAULT_GATEWAY, Ipv4.parse("10.1.0.11"), Ipv4.parse("10.1.0.12"), 40000, 80)).build();

  private static OFPacketIn packetIn(OFFactory f, OFPort inPort, U64 tunnelId) {
    var match = f.buildMatch().setExact(MatchField.IN_PORT, inPort);
    if (tunnelId != null) {
      match.setExact(MatchField.TUNNEL_ID, tunnelId);
    }
    return f.buildPacketIn().setBufferId(OFBufferId.NO_BUFFER).setTotalLen(FRAME.length)
        .setReason(OFPacketInReason.NO_MATCH).setTableId(TableId.of(1)).setMatch(match.build())
        .setData(FRAME).build();
  }

  @SuppressWarnings("unchecked")
  private static <T extends OFMessage> T throughTheWire(T message) throws Exception {
    ByteBuf buf = Unpooled.buffer();
    try {
      message.writeTo(buf);
      return (T) OFFactories.getGenericReader().readFrom(buf);
    } finally {
      buf.release();
    }
  }

  private static OFPort inPortOf(OFPacketOut out) {
    return out.getVersion().compareTo(OFVersion.OF_15) >= 0 ? out.getMatch().get(MatchField.IN_PORT)
        : out.getInPort();
  }

  private static List<OFAction> rewriteAndOutput(OFFactory f) {
    return List.of(f.actions().setField(f.oxms().ethDst(org.projectfloodlight.openflow.types.MacAddress.of(
        "02:00:00:00:01:0c"))), f.actions().output(OFPort.of(2), 0));
  }

  @ParameterizedTest
  @EnumSource(value = OFVersion.class, names = {"OF_13", "OF_14", "OF_15"})
  void applySendsTheWholeFrameFromTheControllerWithTheGivenActions(OFVersion version) throws Exception {
    OFFactory f = OFFactories.getFactory(version);
    OFPacketIn in = throughTheWire(packetIn(f, OFPort.of(3), null));
    OFPacketOut out = throughTheWire(PacketOuts.apply(f, rewriteAndOutput(f), in));
    assertThat(out.getBufferId()).isEqualTo(OFBufferId.NO_BUFFER);
    assertThat(inPortOf(out)).isEqualTo(OFPort.CONTROLLER);
    assertThat(out.getData()).isEqualTo(FRAME);
    assertThat(out.getActions()).hasSize(2);
    assertThat(out.getActions().get(0)).isInstanceOf(OFActionSetField.class);
    assertThat(((OFActionOutput) out.getActions().get(1)).getPort()).isEqualTo(OFPort.of(2));
  }

  @Test
  void packetInReportsItsInPortAndTunnelId() {
    OFFactory f = OFFactories.getFactory(OFVersion.OF_13);
    OFPacketIn tunnelled = packetIn(f, OFPort.of(12), U64.of(5001));
    assertThat(PacketOuts.inPort(tunnelled)).isEqualTo(OFPort.of(12));
    assertThat(PacketOuts.tunnelId(tunnelled)).hasValue(5001);
    assertThat(PacketOuts.tunnelId(packetIn(f, OFPort.of(3), null))).isEmpty();
  }

  @Test
  void packetInWithoutInPortHasNoPortToName() {
    OFFactory f = OFFactories.getFactory(OFVersion.OF_13);
    OFPacketIn noPort = f.buildPacketIn().setBufferId(OFBufferId.NO_BUFFER).setReason(OFPacketInReason.NO_MATCH)
        .setMatch(f.buildMatch().build()).setData(FRAME).build();
    assertThatThrownBy(() -> PacketOuts.inPort(noPort)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void truncatedPacketInIsSentOnFromItsSwitchBuffer() throws Exception {
    OFFactory f = OFFactories.getFactory(OFVersion.OF_13);
    OFPacketIn truncated = packetIn(f, OFPort.of(3), null).createBuilder().setBufferId(OFBufferId.of(77))
        .setData(java.util.Arrays.copyOf(FRAME, 20)).build();
    OFPacketOut out = throughTheWire(PacketOuts.apply(f, rewriteAndOutput(f), truncated));
    assertThat(out.getBufferId()).isEqualTo(OFBufferId.of(77));
    assertThat(out.getData()).isEmpty();
    OFPacketIn lost = truncated.createBuilder().setBufferId(OFBufferId.NO_BUFFER).build();
    assertThatThrownBy(() -> PacketOuts.apply(f, rewriteAndOutput(f), lost))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("20 of " + FRAME.length);
  }

  @ParameterizedTest
  @EnumSource(value = OFVersion.class, names = {"OF_13", "OF_14", "OF_15"})
  void sendOutputsTheFrameToOnePortFromTheController(OFVersion version) throws Exception {
    OFFactory f = OFFactories.getFactory(version);
    OFPacketOut out = throughTheWire(PacketOuts.send(f, OFPort.of(7), FRAME));
    assertThat(inPortOf(out)).isEqualTo(OFPort.CONTROLLER);
    assertThat(out.getData()).isEqualTo(FRAME);
    assertThat(out.getActions()).singleElement().isInstanceOfSatisfying(OFActionOutput.class,
        o -> assertThat(o.getPort()).isEqualTo(OFPort.of(7)));
  }
}
