package org.nicflow.bench;

import java.util.Objects;
import org.nicflow.compiler.eval.Ingress;
import org.nicflow.compiler.packet.PacketHeaders;

/** One packet the benchmarks hand to the evaluator, with where it entered a bridge. */
public record Probe(Ingress ingress, PacketHeaders packet) {

  public Probe {
    Objects.requireNonNull(ingress, "ingress");
    Objects.requireNonNull(packet, "packet");
  }
}
