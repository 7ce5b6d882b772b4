package org.nicflow.controller.trace;

import java.util.List;
import java.util.Optional;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Vm;

/** A trace request the user can correct: an unknown VM or a packet that does not parse. */
public final class TraceInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The VM names of the config, when the VM was unknown (for a message that lists them). */
  private final transient Optional<List<String>> knownVms;
  private final String vmName;

  private TraceInputException(String message, String vmName, Optional<List<String>> knownVms) {
    super(message);
    this.vmName = vmName;
    this.knownVms = knownVms;
  }

  static TraceInputException unknownVm(String name, Config config) {
    return new TraceInputException("no VM named '" + name + "'", name,
        Optional.of(config.vms().stream().map(Vm::name).toList()));
  }

  static TraceInputException badPacket(String spec, String why) {
    return new TraceInputException("bad packet '" + spec + "': " + why, null, Optional.empty());
  }

  /**
   * The message for a user who named the config {@code source}: an unknown VM also names the
   * source and lists the VMs it has.
   */
  public String messageFor(String source) {
    return knownVms.map(vms -> "no VM named '" + vmName + "' in " + source + " (VMs: " + String.join(", ", vms) + ")")
        .orElse(getMessage());
  }
}
