package org.nicflow.controller.openflow.translate;

/**
 * A flow names a port the switch does not have (yet): a VM port not attached, a tunnel port not
 * created. The flow cannot be sent until the port appears.
 */
public final class UnresolvedPortException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String portName;

  public UnresolvedPortException(String portName) {
    super("switch has no port named '" + portName + "'");
    this.portName = portName;
  }

  public String portName() {
    return portName;
  }
}
