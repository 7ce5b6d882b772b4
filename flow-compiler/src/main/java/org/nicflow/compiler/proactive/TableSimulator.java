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
import org.nicflow.compiler.flow.FlowMatch;
import org.nicflow.compiler.flow.LearnSpec;
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
 *
 * <p>Nicira extensions: {@code resubmit(,T)} looks the packet up in table T, applies that flow's
 * actions and write-metadata there and then goes on with the rest of the resubmitting flow's
 * actions (nothing when T has no matching flow); {@code learn} builds a flow from the packet as it
 * is at that point, reported in {@link SimResult#learned()} (a simulator is immutable: {@link
 * #withFlows} gives one that holds them, replacing flows of equal identity as the switch does).
 */
public final class TableSimulator {

  private final Map<String, List<FlowEntry>> tables;

  private static final int MAX_RESUBMIT_DEPTH = 8;

  private final List<FlowEntry> flows;

  public TableSimulator(List<FlowEntry> flows) {
    this.flows = List.copyOf(flows);
    Map<String, List<FlowEntry>> byTable = new LinkedHashMap<>();
    for (FlowEntry f : flows) {
      Pipeline.table(f.table());
      byTable.computeIfAbsent(f.table(), t -> new ArrayList<>()).add(f);
    }
    byTable.replaceAll((t, l) -> l.stream().sorted(Comparator.comparingInt(FlowEntry::priority).reversed()).toList());
    this.tables = Map.copyOf(byTable);
  }

  /** A simulator with {@code more} added; each replaces a flow of the same identity. */
  public TableSimulator withFlows(List<FlowEntry> more) {
    Map<FlowEntry.FlowKey, FlowEntry> all = new LinkedHashMap<>();
    for (FlowEntry f : flows) {
      all.put(f.key(), f);
    }
    for (FlowEntry f : more) {
      all.put(f.key(), f);
    }
    return new TableSimulator(List.copyOf(all.values()));
  }

  /** The flows of {@code table}, highest priority first. */
  public List<FlowEntry> flowsOf(String table) {
    return tables.getOrDefault(table, List.of());
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
    List<FlowEntry> learned = new ArrayList<>();
    Run run = new Run(inPort, state, outputs, path, learned);
    String table = Pipeline.CLASSIFY;
    while (table != null) {
      FlowEntry hit = lookup(table, inPort, state);
      if (hit == null) {
        break;
      }
      path.add(new SimStep(table, hit.priority(), hit.cookie()));
      hit.meterId().ifPresent(meters::add);
      for (FlowAction action : hit.actions()) {
        apply(action, run, 0);
      }
      writeMetadata(hit, state);
      String next = hit.gotoTable().orElse(null);
      if (next != null && Pipeline.number(next) <= Pipeline.number(table)) {
        throw new IllegalStateException("flow in " + table + " goes back to " + next);
      }
      table = next;
    }
    return new SimResult(outputs, path, meters, learned);
  }

  /** The mutable state of one packet's run. */
  private record Run(String inPort, Map<MatchField, Long> state, List<SimOutput> outputs, List<SimStep> path,
      List<FlowEntry> learned) {}

  private static void writeMetadata(FlowEntry hit, Map<MatchField, Long> state) {
    hit.writeMetadata().ifPresent(w -> state.put(MatchField.METADATA,
        (state.get(MatchField.METADATA) & ~w.mask()) | (w.value() & w.mask())));
  }

  private void apply(FlowAction action, Run run, int depth) {
    String inPort = run.inPort();
    Map<MatchField, Long> state = run.state();
    List<SimOutput> outputs = run.outputs();
    if (action instanceof FlowAction.Resubmit r) {
      if (depth >= MAX_RESUBMIT_DEPTH) {
        throw new IllegalStateException("resubmit nested deeper than " + MAX_RESUBMIT_DEPTH);
      }
      FlowEntry hit = lookup(r.table(), inPort, state);
      if (hit == null) {
        return;
      }
      if (hit.gotoTable().isPresent() || hit.meterId().isPresent()) {
        throw new IllegalStateException("a flow reached by resubmit in " + r.table() + " has goto or meter");
      }
      run.path().add(new SimStep(r.table(), hit.priority(), hit.cookie()));
      for (FlowAction a : hit.actions()) {
        apply(a, run, depth + 1);
      }
      writeMetadata(hit, state);
    } else if (action instanceof FlowAction.Learn l) {
      run.learned().add(learn(l, state));
    } else if (action instanceof FlowAction.LoadMetadata m) {
      state.put(MatchField.METADATA, (state.get(MatchField.METADATA) & ~m.mask()) | m.value());
    } else if (action instanceof FlowAction.Output o) {
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

  /** The flow a learn action adds for a packet with fields {@code state}. */
  private static FlowEntry learn(FlowAction.Learn l, Map<MatchField, Long> state) {
    Map<MatchField, long[]> match = new EnumMap<>(MatchField.class);
    List<FlowAction> actions = new ArrayList<>();
    for (LearnSpec spec : l.specs()) {
      if (spec instanceof LearnSpec.MatchValue v) {
        match.put(v.field(), new long[] {v.value(), v.field().fullMask()});
      } else if (spec instanceof LearnSpec.MatchCopy c) {
        Long src = state.get(c.src());
        if (src == null) {
          throw new IllegalStateException("learn copies " + c.src().ovsName() + ", which the packet lacks");
        }
        long bits = (src >>> c.srcOffset()) & (c.dstMask() >>> c.dstOffset());
        long[] vm = match.computeIfAbsent(c.dst(), f -> new long[2]);
        vm[0] = (vm[0] & ~c.dstMask()) | (bits << c.dstOffset());
        vm[1] |= c.dstMask();
      } else if (spec instanceof LearnSpec.LoadMetadata m) {
        actions.add(new FlowAction.LoadMetadata(m.value() << m.offset(), m.mask()));
      }
    }
    FlowMatch.Builder b = FlowMatch.builder();
    match.forEach((f, vm) -> b.masked(f, vm[0], vm[1]));
    return FlowEntry.builder(l.table(), l.priority()).match(b.build()).actions(actions).cookie(l.cookie())
        .idleTimeout(l.idleTimeout()).build();
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
