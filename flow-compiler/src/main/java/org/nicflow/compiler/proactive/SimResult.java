package org.nicflow.compiler.proactive;

import java.util.List;
import java.util.Optional;

/**
 * What a simulated pipeline did with one packet: where copies went (in order), the flows it
 * matched, and the meters it passed.
 */
public record SimResult(List<SimOutput> outputs, List<SimStep> path, List<Long> meters) {

  public SimResult {
    outputs = List.copyOf(outputs);
    path = List.copyOf(path);
    meters = List.copyOf(meters);
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
}
