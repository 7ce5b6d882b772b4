package org.nicflow.controller.openflow;

import java.util.Map;
import java.util.Optional;
import org.projectfloodlight.openflow.types.OFPort;

/** A switch's ports by name, as port description and PORT_STATUS report them; immutable. */
public record PortMap(Map<String, OFPort> byName) {
  public static final PortMap EMPTY = new PortMap(Map.of());

  public PortMap {
    byName = Map.copyOf(byName);
  }

  public Optional<OFPort> number(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  public Optional<String> name(OFPort port) {
    for (Map.Entry<String, OFPort> e : byName.entrySet()) { // a handful of ports, asked once per packet-in
      if (e.getValue().equals(port)) {
        return Optional.of(e.getKey());
      }
    }
    return Optional.empty();
  }

  public PortMap with(String name, OFPort port) {
    var copy = new java.util.HashMap<>(byName);
    copy.values().remove(port);
    copy.put(name, port);
    return new PortMap(copy);
  }

  public PortMap without(String name) {
    var copy = new java.util.HashMap<>(byName);
    copy.remove(name);
    return new PortMap(copy);
  }
}
