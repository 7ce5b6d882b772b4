package org.nicflow.controller.partition;

import java.util.Set;
import java.util.TreeSet;
import org.nicflow.compiler.flow.FlowAction;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.MatchField;
import org.nicflow.controller.openflow.PortMap;

/** The port names a flow refers to, and whether a switch has them all. */
final class FlowPorts {

  private FlowPorts() {}

  static Set<String> names(FlowEntry flow) {
    Set<String> names = new TreeSet<>();
    flow.match().get(MatchField.IN_PORT).map(m -> m.portName()).ifPresent(names::add);
    for (FlowAction a : flow.actions()) {
      if (a instanceof FlowAction.Output out) {
        names.add(out.port());
      }
    }
    return names;
  }

  /** Checked per flow of every miss: looks each name up where it stands, without collecting them first. */
  static boolean resolvable(FlowEntry flow, PortMap ports) {
    String inPort = flow.match().get(MatchField.IN_PORT).map(m -> m.portName()).orElse(null);
    if (inPort != null && !ports.byName().containsKey(inPort)) {
      return false;
    }
    for (FlowAction a : flow.actions()) {
      if (a instanceof FlowAction.Output out && !ports.byName().containsKey(out.port())) {
        return false;
      }
    }
    return true;
  }

  static boolean refersTo(FlowEntry flow, String port) {
    return names(flow).contains(port);
  }
}
