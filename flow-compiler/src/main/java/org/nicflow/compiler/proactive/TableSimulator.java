package org.nicflow.compiler.proactive;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import org.nicflow.compiler.flow.FieldMatch;
import org.nicflow.compiler.flow.FlowAction;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.MatchField;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.compiler.packet.PacketHeaders;

/**
 * Runs packets through a set of flows with OpenFlow 1.3 semantics: start at {@code classify}, take
 * the highest-priority matching flow of the table (masked matches; a field the packet lacks never
 * matches), record its meter, apply its actions in order (rewrites are visible to later actions and
 * tables), write metadata, go to the next table; a table with no matching flow drops. As in
 * OpenFlow, output to a named port that is the packet's in_port sends nothing (only the in_port
 * action hairpins). Two flows of
 * equal priority that both match with different instructions are a compiler bug (OpenFlow leaves
 * the choice undefined) and raise {@link IllegalStateException}, as does a set-field on a field the
 * packet lacks or a goto that does not go forward.
 */
public final class TableSimulator {

  private final Map<String, List<FlowEntry>> tables;

  public TableSimulator(List<FlowEntry> flows) {
    Map<String, List<FlowEntry>> byTable = new LinkedHashMap<>();
    for (FlowEntry f : flows) {
      Pipeline.table(f.table());
      byTable.computeIfAbsent(f.table(), t -> new ArrayList<>()).add(f);
    }
    byTable.replaceAll((t, l) -> l.stream().sorted(Comparator.comparingInt(FlowEntry::priority).reversed()).toList());
    this.tables = Map.copyOf(byTable);
  }

  /**
   * Runs an IPv4 packet that entered on {@code inPort}.
   *
   * @param tunId the tunnel key of a packet decapsulated from a tunnel port
   */
  public SimResult run(String inPort, OptionalLong tunId, PacketHeaders packet) {
    return execute(inPort, SimFields.of(packet, tunId));
  }

  /** Runs an IPv4 packet entering at {@code ingress} (see {@link SimIngress#of}). */
  public SimResult run(SimIngress ingress, PacketHeaders packet) {
    return run(ingress.port(), ingress.tunId(), packet);
  }

  /** Runs an ARP frame that entered on {@code inPort}. */
  public SimResult runArp(String inPort, ArpPacket arp) {
    return execute(inPort, SimFields.of(arp));
  }

  private SimResult execute(String inPort, Map<MatchField, Long> initial) {
    Objects.requireNonNull(inPort, "inPort");
    Map<MatchField, Long> state = new EnumMap<>(initial);
    List<SimOutput> outputs = new ArrayList<>();
    List<SimStep> path = new ArrayList<>();
    List<Long> meters = new ArrayList<>();
    String table = Pipeline.CLASSIFY;
    while (table != null) {
      FlowEntry hit = lookup(table, inPort, state);
      if (hit == null) {
        break;
      }
      path.add(new SimStep(table, hit.priority(), hit.cookie()));
      hit.meterId().ifPresent(meters::add);
      for (FlowAction action : hit.actions()) {
        apply(action, inPort, state, outputs);
      }
      hit.writeMetadata().ifPresent(w -> state.put(MatchField.METADATA,
          (state.get(MatchField.METADATA) & ~w.mask()) | (w.value() & w.mask())));
      String next = hit.gotoTable().orElse(null);
      if (next != null && Pipeline.number(next) <= Pipeline.number(table)) {
        throw new IllegalStateException("flow in " + table + " goes back to " + next);
      }
      table = next;
    }
    return new SimResult(outputs, path, meters);
  }

  private static void apply(FlowAction action, String inPort, Map<MatchField, Long> state, List<SimOutput> outputs) {
    if (action instanceof FlowAction.Output o) {
      if (!o.port().equals(inPort)) {
        outputs.add(new SimOutput(SimOutput.Kind.PORT, o.port(), state));
      }
    } else if (action instanceof FlowAction.OutputInPort) {
      outputs.add(new SimOutput(SimOutput.Kind.IN_PORT, inPort, state));
    } else if (action instanceof FlowAction.OutputController) {
      outputs.add(new SimOutput(SimOutput.Kind.CONTROLLER, SimOutput.CONTROLLER_PORT, state));
    } else if (action instanceof FlowAction.SetField s) {
      if (!state.containsKey(s.field())) {
        throw new IllegalStateException("set_field on " + s.field().ovsName() + ", which the packet lacks");
      }
      state.put(s.field(), s.value());
    }
  }

  private FlowEntry lookup(String table, String inPort, Map<MatchField, Long> state) {
    List<FlowEntry> flows = tables.getOrDefault(table, List.of());
    for (int i = 0; i < flows.size(); i++) {
      FlowEntry f = flows.get(i);
      if (!matches(f, inPort, state)) {
        continue;
      }
      for (int j = i + 1; j < flows.size() && flows.get(j).priority() == f.priority(); j++) {
        FlowEntry g = flows.get(j);
        if (matches(g, inPort, state) && !sameInstructions(f, g)) {
          throw new IllegalStateException("ambiguous match in " + table + " at priority " + f.priority() + ": "
              + f.match() + " and " + g.match());
        }
      }
      return f;
    }
    return null;
  }

  private static boolean sameInstructions(FlowEntry a, FlowEntry b) {
    return a.actions().equals(b.actions()) && a.gotoTable().equals(b.gotoTable())
        && a.writeMetadata().equals(b.writeMetadata()) && a.meterId().equals(b.meterId());
  }

  private static boolean matches(FlowEntry flow, String inPort, Map<MatchField, Long> state) {
    for (FieldMatch m : flow.match().fields().values()) {
      if (m.field() == MatchField.IN_PORT) {
        if (!m.portName().equals(inPort)) {
          return false;
        }
        continue;
      }
      Long v = state.get(m.field());
      if (v == null || (v & m.mask()) != m.value()) {
        return false;
      }
    }
    return true;
  }
}
