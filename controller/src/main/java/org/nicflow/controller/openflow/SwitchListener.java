package org.nicflow.controller.openflow;

import java.util.Optional;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFlowRemoved;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPacketIn;

/**
 * What the host-partition logic hears from switches. Called on a per-switch executor, never on the
 * Netty event loop, in the order the switch sent the messages.
 */
public interface SwitchListener {

  /** Handshake done: features, port description and config are known. */
  void switchConnected(SwitchConnection sw);

  void switchDisconnected(SwitchConnection sw);

  /** A port appeared ({@code added}) or disappeared; {@code sw.ports()} is already updated. */
  void portChanged(SwitchConnection sw, String portName, boolean added);

  void packetIn(SwitchConnection sw, OFPacketIn packetIn);

  void flowRemoved(SwitchConnection sw, OFFlowRemoved removed);

  /** An OpenFlow ERROR, with the request it answers when the xid is known. */
  void error(SwitchConnection sw, OFErrorMsg error, Optional<OFMessage> request);
}
