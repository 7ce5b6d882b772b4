package org.nicflow.controller.openflow;

import org.projectfloodlight.openflow.types.DatapathId;

/** A request was pending, or made, while its switch's connection closed. */
public final class SwitchDisconnectedException extends RuntimeException {
  public SwitchDisconnectedException(DatapathId dpid) {
    super("switch " + dpid + " disconnected");
  }
}
