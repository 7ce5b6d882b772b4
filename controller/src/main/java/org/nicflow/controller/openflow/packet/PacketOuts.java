package org.nicflow.controller.openflow.packet;

import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.projectfloodlight.openflow.protocol.OFPacketOut;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.action.OFAction;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFMetadata;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.U64;

/**
 * Packet-outs the controller sends: a packet-in's packet sent on with the actions the controller
 * decided for it, and a frame sent out of one port.
 *
 * <p>The packet-in's packet is sent with explicit actions (its unified flow's rewrites and output)
 * rather than through output:TABLE: that works the same for packets that came from a tunnel,
 * whose tunnel id an OpenFlow 1.3 packet-out could not carry into the pipeline. The whole frame is
 * carried (no switch buffer); only when the switch sent a truncated frame and kept the packet in a
 * buffer is that buffer referenced instead. OpenFlow 1.5 puts the in_port in the packet-out's
 * match instead of its in_port field.
 */
public final class PacketOuts {

  private PacketOuts() {}

  /**
   * The packet of {@code packetIn}, sent from the controller with {@code actions}.
   *
   * @throws IllegalArgumentException when the packet-in holds a truncated frame without a switch
   *     buffer
   */
  public static OFPacketOut apply(OFFactory factory, List<OFAction> actions, OFPacketIn packetIn) {
    Objects.requireNonNull(actions, "actions");
    Objects.requireNonNull(packetIn, "packetIn");
    byte[] data = packetIn.getData();
    if (data.length >= packetIn.getTotalLen()) {
      return build(factory, OFPort.CONTROLLER, actions, OFBufferId.NO_BUFFER, data);
    }
    if (!packetIn.getBufferId().equals(OFBufferId.NO_BUFFER)) {
      return build(factory, OFPort.CONTROLLER, actions, packetIn.getBufferId(), new byte[0]);
    }
    throw new IllegalArgumentException("packet-in holds " + data.length + " of " + packetIn.getTotalLen()
        + " bytes and no switch buffer: the packet cannot be sent on whole");
  }

  /**
   * The packet of {@code packetIn} with its ICMP echo identifier set to {@code echoId} (which the
   * switch cannot rewrite: {@link EchoIdentifier}), sent from the controller with {@code actions}.
   *
   * @throws IllegalArgumentException when the packet-in does not hold the whole frame, or the frame
   *     is not an ICMP echo
   */
  public static OFPacketOut applyWithEchoId(OFFactory factory, List<OFAction> actions, OFPacketIn packetIn,
      int echoId) {
    Objects.requireNonNull(actions, "actions");
    byte[] data = packetIn.getData();
    if (data.length < packetIn.getTotalLen()) {
      throw new IllegalArgumentException("packet-in holds " + data.length + " of " + packetIn.getTotalLen()
          + " bytes: an echo identifier cannot be rewritten in part of a frame");
    }
    return build(factory, OFPort.CONTROLLER, actions, OFBufferId.NO_BUFFER, EchoIdentifier.rewrite(data, echoId));
  }

  /** The frame {@code data}, sent out of {@code out} as if from the controller. */
  public static OFPacketOut send(OFFactory factory, OFPort out, byte[] data) {
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(data, "data");
    return build(factory, OFPort.CONTROLLER, List.of(factory.actions().output(out, 0)), OFBufferId.NO_BUFFER, data);
  }

  /** The tunnel id a packet-in reports with a packet that came from a tunnel port. */
  public static OptionalLong tunnelId(OFPacketIn packetIn) {
    if (packetIn.getVersion().compareTo(OFVersion.OF_12) < 0) {
      return OptionalLong.empty();
    }
    U64 tunnel = packetIn.getMatch().get(MatchField.TUNNEL_ID);
    return tunnel == null ? OptionalLong.empty() : OptionalLong.of(tunnel.getValue());
  }

  /**
   * The pipeline metadata a packet-in reports in its match (Open vSwitch includes it, when not 0,
   * from OpenFlow 1.2 on; see docs/controller.md): 0 when absent.
   */
  public static long metadata(OFPacketIn packetIn) {
    if (packetIn.getVersion().compareTo(OFVersion.OF_12) < 0) {
      return 0L;
    }
    OFMetadata metadata = packetIn.getMatch().get(MatchField.METADATA);
    return metadata == null ? 0L : metadata.getValue().getValue();
  }

  /** The in_port a packet-in reports: in its match from OpenFlow 1.2, in its header before. */
  public static OFPort inPort(OFPacketIn packetIn) {
    OFPort port = packetIn.getVersion().compareTo(OFVersion.OF_12) >= 0
        ? packetIn.getMatch().get(MatchField.IN_PORT)
        : packetIn.getInPort();
    if (port == null) {
      throw new IllegalArgumentException("packet-in without an in_port");
    }
    return port;
  }

  private static OFPacketOut build(OFFactory factory, OFPort inPort, List<OFAction> actions, OFBufferId buffer,
      byte[] data) {
    OFPacketOut.Builder b = factory.buildPacketOut()
        .setBufferId(buffer)
        .setActions(actions)
        .setData(data);
    if (factory.getVersion().compareTo(OFVersion.OF_15) >= 0) {
      Match match = factory.buildMatch().setExact(MatchField.IN_PORT, inPort).build();
      b.setMatch(match);
    } else {
      b.setInPort(inPort);
    }
    return b.build();
  }
}
