package org.nicflow.compiler.proactive;

import java.util.List;
import java.util.Optional;
import org.nicflow.compiler.eval.Decision;
import org.nicflow.compiler.eval.Output;
import org.nicflow.compiler.flow.FlowEntry;

/**
 * What a simulated pipeline did with one packet: where copies went (in order), the flows it
 * matched, the meters it passed, and the flows its {@code learn} actions added to the switch.
 */
public record SimResult(List<SimOutput> outputs, List<SimStep> path, List<Long> meters, List<FlowEntry> learned) {

  public SimResult {
    outputs = List.copyOf(outputs);
    path = List.copyOf(path);
    meters = List.copyOf(meters);
    learned = List.copyOf(learned);
  }

  /** A result that learned nothing. */
  public SimResult(List<SimOutput> outputs, List<SimStep> path, List<Long> meters) {
    this(outputs, path, meters, List.of());
  }

  /** No copy left the bridge and none went to the controller. */
  public boolean dropped() {
    return outputs.isEmpty();
  }

  public boolean toController() {
    return outputs.stream().anyMatch(o -> o.kind() == SimOutput.Kind.CONTROLLER);
  }

  /** The only output, when there is exactly one. */
  public Optional<SimOutput> single() {
    return outputs.size() == 1 ? Optional.of(outputs.get(0)) : Optional.empty();
  }

  /** The tables the packet went through, in order. */
  public List<String> tables() {
    return path.stream().map(SimStep::table).toList();
  }

  /**
   * How this result differs from the reference evaluator's decision for the same packet, empty
   * when they agree: both drop, or one output to the decision's port (through in_port when that
   * is where the packet came in) with the decision's headers and, for a tunnel, its VNI as tun_id.
   * A result that went to the controller is not compared (the controller evaluates it with
   * connection state); check {@link #toController()} first.
   */
  public Optional<String> disagreementWith(Decision decision) {
    if (toController()) {
      throw new IllegalStateException("sent to the controller; nothing to compare");
    }
    if (!decision.allowed()) {
      return dropped() ? Optional.empty()
          : Optional.of("evaluator drops (" + decision.dropReason().orElse("") + "), tables output " + outputs);
    }
    Output want = decision.output().orElseThrow();
    if (outputs.size() != 1) {
      return Optional.of("evaluator outputs to " + want + ", tables " + (dropped() ? "drop" : "output " + outputs)
          + " via " + path);
    }
    SimOutput got = outputs.get(0);
    if (got.kind() == SimOutput.Kind.CONTROLLER || !got.port().equals(want.port())) {
      return Optional.of("evaluator outputs to " + want.port() + ", tables to " + got.kind() + " " + got.port()
          + " via " + path);
    }
    if (!got.packet().equals(decision.packet())) {
      return Optional.of("headers differ: evaluator " + decision.packet() + ", tables " + got.packet());
    }
    if (want.kind() == Output.Kind.TUNNEL && got.tunId().orElse(-1) != want.vni()) {
      return Optional.of("tunnel key differs: evaluator " + want.vni() + ", tables " + got.tunId());
    }
    return Optional.empty();
  }
}
