package org.nicflow.controller.openflow;

import java.util.Optional;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFlowRemoved;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPacketIn;

/** A listener that keeps nothing: for fuzz targets, where a recording one would grow without end. */
final class QuietListener implements SwitchListener {

  @Override
  public void switchConnected(SwitchConnection sw) {}

  @Override
  public void switchDisconnected(SwitchConnection sw) {}

  @Override
  public void portChanged(SwitchConnection sw, String portName, boolean added) {}

  @Override
  public void packetIn(SwitchConnection sw, OFPacketIn packetIn) {}

  @Override
  public void flowRemoved(SwitchConnection sw, OFFlowRemoved removed) {}

  @Override
  public void error(SwitchConnection sw, OFErrorMsg error, Optional<OFMessage> request) {}
}
