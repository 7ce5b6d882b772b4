package org.nicflow.controller.openflow;

import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.types.DatapathId;

/** A request failed: the switch answered it with an OpenFlow ERROR. */
public final class OpenFlowErrorException extends RuntimeException {
  private final transient OFErrorMsg error;

  public OpenFlowErrorException(DatapathId dpid, OFErrorMsg error) {
    super("switch " + dpid + " answered with " + error);
    this.error = error;
  }

  public OFErrorMsg error() {
    return error;
  }
}
