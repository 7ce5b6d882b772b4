package org.nicflow.compiler.proactive;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.nicflow.compiler.eval.Connection;
import org.nicflow.compiler.eval.FlowTuple;
import org.nicflow.compiler.eval.Ingress;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.model.Vnet;
import org.nicflow.compiler.packet.PacketHeaders;

/**
 * What the learned-state markers in a packet's metadata ({@link Pipeline#SKIP_OUT},
 * {@link Pipeline#SKIP_IN}) say about a connection the switch learned (docs/semantics.md,
 * "Connection state in the NIC"): the packet is the reply of a live stateful connection owned by
 * its sender ({@code SKIP_OUT}) or by its receiver ({@code SKIP_IN}). The controller reads them from
 * a packet-in's match and decides the packet with those connections, as the evaluator would.
 *
 * <p>Only the switch's own tables write metadata (never a VM), so a marker is trusted; but it must
 * make sense in the config the controller holds: a learned entry is looked up only for packets from
 * a VM port, the sender's marker must name the VM of that port (metadata bits 0-15, index + 1) and
 * the receiver's must name a VM at the packet's destination in the sender's VNET (bits 16-31 when
 * routing has set them). Anything else — an index out of range, a VM of an older config — is a
 * {@link Reading.Rejected}, which the caller drops and counts.
 *
 * <p>Pure: values in, values out.
 */
public final class LearnedReply {

  private LearnedReply() {}

  /** What the markers of one packet say. */
  public sealed interface Reading {

    /** No marker: the packet is no reply of a connection the switch learned. */
    record None() implements Reading {}

    /**
     * The packet is the reply of these learned connections (one per marker): stateful, owned by
     * the VM the marker names, original and translated tuple both the reply reversed, in the
     * sender's VNET scope (the switch learns only connections it delivered to a VM port, unrewritten).
     */
    record Adopt(List<Connection> connections) implements Reading {
      public Adopt {
        connections = List.copyOf(connections);
      }
    }

    /** The markers name no VM that can own the connection: drop the packet. */
    record Rejected(String reason) implements Reading {
      public Rejected {
        Objects.requireNonNull(reason, "reason");
      }
    }
  }

  /** Reads the markers of {@code metadata}, which came with {@code packet} entering at {@code ingress}. */
  public static Reading read(Config config, Ingress ingress, PacketHeaders packet, long metadata) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(ingress, "ingress");
    Objects.requireNonNull(packet, "packet");
    boolean senderOwns = (metadata & Pipeline.SKIP_OUT) != 0;
    boolean receiverOwns = (metadata & Pipeline.SKIP_IN) != 0;
    if (!senderOwns && !receiverOwns) {
      return new Reading.None();
    }
    if (!(ingress instanceof Ingress.VmPort port)) {
      return new Reading.Rejected("learned-connection marker on a packet that entered at " + ingress);
    }
    Optional<Vm> sender = config.vm(port.vm());
    if (sender.isEmpty()) {
      return new Reading.Rejected("learned-connection marker on a packet of unknown VM " + port.vm());
    }
    Vnet vnet = config.vnetOf(sender.get());
    FlowTuple original = FlowTuple.of(packet, vnet.vni()).reversed();
    List<Connection> adopted = new ArrayList<>();
    if (senderOwns) {
      long marked = metadata & Pipeline.SRC_VM_MASK;
      Optional<Vm> named = vmNumbered(config, marked);
      if (named.isEmpty() || !named.get().name().equals(sender.get().name())) {
        return new Reading.Rejected("sender's learned-connection marker names VM number " + (marked - 1)
            + ", not " + sender.get().name() + " whose port the packet came from");
      }
      adopted.add(new Connection(original, original, sender.get().name(), Connection.Kind.STATEFUL));
    }
    if (receiverOwns) {
      Optional<Vm> receiver = config.vms().stream()
          .filter(v -> v.vnet().equals(vnet.name()) && v.ip().equals(packet.nwDst())).findFirst();
      if (receiver.isEmpty()) {
        return new Reading.Rejected("receiver's learned-connection marker on a packet to " + packet.nwDst()
            + ", no VM of VNET " + vnet.name());
      }
      long marked = (metadata & Pipeline.DST_VM_MASK) >>> 16;
      if (marked != 0) {
        Optional<Vm> named = vmNumbered(config, marked);
        if (named.isEmpty() || !named.get().name().equals(receiver.get().name())) {
          return new Reading.Rejected("receiver's learned-connection marker names VM number " + (marked - 1)
              + ", not " + receiver.get().name() + " at " + packet.nwDst());
        }
      }
      adopted.add(new Connection(original, original, receiver.get().name(), Connection.Kind.STATEFUL));
    }
    return new Reading.Adopt(adopted);
  }

  /** The VM whose metadata number (index + 1) is {@code marked}; empty for 0 and unknown numbers. */
  private static Optional<Vm> vmNumbered(Config config, long marked) {
    if (marked <= 0) {
      return Optional.empty();
    }
    return config.ids().vmName((int) (marked - 1)).flatMap(config::vm);
  }
}
