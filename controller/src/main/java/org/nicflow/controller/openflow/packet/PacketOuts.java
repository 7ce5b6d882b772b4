package org.nicflow.controller.openflow.packet;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.projectfloodlight.openflow.protocol.OFPacketOut;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.action.OFAction;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.U64;

/**
 * Packet-outs the controller sends: re-injecting a packet-in through the pipeline after its flows
 * are installed, and sending a frame out of one port.
 *
 * <p>Re-injection outputs to OFPP_TABLE with the packet-in's {@code in_port}, so the packet runs
 * the pipeline from table 0 as if it had just arrived. The whole frame is carried (no switch
 * buffer); only when the switch sent a truncated frame and kept the packet in a buffer is that
 * buffer referenced instead. A packet that came in on a tunnel carries its {@code tun_id}: before output:TABLE a
 * set-field restores it, since an OpenFlow 1.3 packet-out has no other way to hold tunnel
 * metadata (OVS applies the set-field to the packet the table then sees). OpenFlow 1.5 puts the
 * in_port in the packet-out's match instead of its in_port field.
 */
public final class PacketOuts {

  private PacketOuts() {}

  /**
   * The packet of {@code packetIn}, sent back through the pipeline from its original in_port.
   *
   * @throws IllegalArgumentException when the packet-in carries no in_port, or holds a truncated
   *     frame without a switch buffer
   */
  public static OFPacketOut reinject(OFFactory factory, OFPacketIn packetIn) {
    Objects.requireNonNull(packetIn, "packetIn");
    OFPort inPort = inPort(packetIn);
    List<OFAction> actions = new ArrayList<>(2);
    if (packetIn.getVersion().compareTo(OFVersion.OF_12) >= 0) {
      U64 tunnelId = packetIn.getMatch().get(MatchField.TUNNEL_ID);
      if (tunnelId != null) {
        actions.add(factory.actions().setField(factory.oxms().tunnelId(tunnelId)));
      }
    }
    actions.add(factory.actions().output(OFPort.TABLE, 0));
    byte[] data = packetIn.getData();
    if (data.length >= packetIn.getTotalLen()) {
      return build(factory, inPort, actions, OFBufferId.NO_BUFFER, data);
    }
    if (!packetIn.getBufferId().equals(OFBufferId.NO_BUFFER)) {
      return build(factory, inPort, actions, packetIn.getBufferId(), new byte[0]);
    }
    throw new IllegalArgumentException("packet-in holds " + data.length + " of " + packetIn.getTotalLen()
        + " bytes and no switch buffer: the packet cannot be re-injected whole");
  }

  /** The frame {@code data}, sent out of {@code out} as if from the controller. */
  public static OFPacketOut send(OFFactory factory, OFPort out, byte[] data) {
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(data, "data");
    return build(factory, OFPort.CONTROLLER, List.of(factory.actions().output(out, 0)), OFBufferId.NO_BUFFER, data);
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
