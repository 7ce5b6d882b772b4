package org.nicflow.controller.partition;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;
import org.nicflow.compiler.eval.ConnectionLookup;
import org.nicflow.compiler.flow.FlowAction;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.FlowEntry.FlowKey;
import org.nicflow.compiler.packet.PacketHeaders;

/**
 * Re-decides the unified flows a switch holds for live connections under a new policy (the
 * reactive half of a live update). Each miss that installed flows is evaluated again, as its first
 * packet, with the live connections (so a SNAT port or a load-balancer choice stays what it is):
 * when every flow it installed comes out with the same match and the same actions, the flows stay
 * in the switch and only a changed cookie is rewritten in place; otherwise all of them are deleted,
 * the connections they carried end, and the connection's next packet misses and is decided afresh.
 * Pure: returns what to send, does no I/O.
 */
public final class FlowRedecider {

  /**
   * What one miss installed on this switch and that the switch still holds: the flows of a miss on
   * this switch, or the reply flows a miss on another host's switch put here.
   *
   * @param host the host whose bridge the first packet missed on
   * @param inPort the port the first packet came in by
   * @param tunnelId the tunnel id it came with, for a packet from a tunnel
   * @param packet the first packet as it arrived
   * @param decided the flows its decision wanted on this switch, sent or not (a flow naming a port
   *     the switch lacks, or whose key another miss's flow held, was not)
   * @param flows the flows that miss sent to this switch and that are still there
   * @param whole the whole decision, on every bridge ({@link #whole})
   * @param learnedOwners for a miss that adopted connections the switch learned ({@link
   *     Miss.Offload#adopted}), their owner VMs with the generation of each one's rule set then:
   *     the switch ends a VM's learned connections when its rule set changes, and so does the
   *     controller with the misses that adopted them
   */
  public record Installed(String host, String inPort, OptionalLong tunnelId, PacketHeaders packet,
      List<FlowEntry> decided, List<FlowEntry> flows, Set<Placed> whole, Map<String, Integer> learnedOwners) {
    public Installed {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(inPort, "inPort");
      Objects.requireNonNull(tunnelId, "tunnelId");
      Objects.requireNonNull(packet, "packet");
      decided = List.copyOf(decided);
      flows = List.copyOf(flows);
      whole = Set.copyOf(whole);
      learnedOwners = Map.copyOf(learnedOwners);
    }

    /** A miss that adopted no learned connection. */
    public Installed(String host, String inPort, OptionalLong tunnelId, PacketHeaders packet,
        List<FlowEntry> decided, List<FlowEntry> flows, Set<Placed> whole) {
      this(host, inPort, tunnelId, packet, decided, flows, whole, Map.of());
    }

    /** The same miss, holding {@code now} on this switch. */
    public Installed withFlows(List<FlowEntry> now) {
      return new Installed(host, inPort, tunnelId, packet, decided, now, whole, learnedOwners);
    }

    /** The same miss on another switch (or decided anew here): wanting {@code wanted}, holding {@code now}. */
    public Installed with(List<FlowEntry> wanted, List<FlowEntry> now) {
      return new Installed(host, inPort, tunnelId, packet, wanted, now, whole, learnedOwners);
    }
  }

  /** One flow of a decision, as it acts, on the bridge of {@code host}. */
  public record Placed(String host, Object shape) {}

  /**
   * The whole of a decision — the flows of a miss on {@code origin}'s bridge and the reply flows it
   * puts on other bridges — as they act (cookies and timeouts aside). Every switch holding flows of
   * the miss compares the same whole, so they all keep the miss or all end it.
   */
  public Set<Placed> whole(String origin, Miss.Offload offload) {
    return whole(origin, offload, missHandler.remoteReplyFlows(offload));
  }

  /** {@link #whole(String, Miss.Offload)} when the miss's remote reply flows are already known. */
  public static Set<Placed> whole(String origin, Miss.Offload offload, Map<String, List<FlowEntry>> remoteReplies) {
    Set<Placed> out = new java.util.HashSet<>();
    offload.flows().forEach(f -> out.add(new Placed(origin, Shape.of(f))));
    remoteReplies.forEach((host, flows) -> flows.forEach(f -> out.add(new Placed(host, Shape.of(f)))));
    return out;
  }

  private record Shape(FlowKey key, OptionalLong meterId, List<FlowAction> actions, Optional<?> writeMetadata,
      Optional<String> gotoTable) {
    static Shape of(FlowEntry f) {
      return new Shape(f.key(), f.meterId(), f.actions(), f.writeMetadata(), f.gotoTable());
    }
  }

  /**
   * What to do.
   *
   * @param rewrite flows kept whose cookie (or timeouts) changed: sent as an ADD of the same match,
   *     which OVS applies in place, counters kept
   * @param delete flows whose miss now decides otherwise
   * @param ended the misses whose flows are deleted
   * @param kept the misses whose flows stay, with their flows as they are now
   */
  public record Outcome(List<FlowEntry> rewrite, List<FlowEntry> delete, List<Installed> ended, List<Installed> kept) {
    public Outcome {
      rewrite = List.copyOf(rewrite);
      delete = List.copyOf(delete);
      ended = List.copyOf(ended);
      kept = List.copyOf(kept);
    }

    public boolean isEmpty() {
      return rewrite.isEmpty() && delete.isEmpty();
    }
  }

  private final MissHandler missHandler;

  /** Decides with {@code missHandler}: the new policy's. */
  public FlowRedecider(MissHandler missHandler) {
    this.missHandler = Objects.requireNonNull(missHandler, "missHandler");
  }

  public Outcome redecide(String host, Collection<Installed> live, ConnectionLookup connections) {
    List<FlowEntry> rewrite = new ArrayList<>();
    List<FlowEntry> delete = new ArrayList<>();
    List<Installed> ended = new ArrayList<>();
    List<Installed> kept = new ArrayList<>();
    for (Installed installed : live) {
      if (!missHandler.rulesetsUnchanged(installed.learnedOwners())) {
        delete.addAll(installed.flows());
        ended.add(installed);
        continue;
      }
      Miss miss = missHandler.handle(installed.host(), Optional.of(installed.inPort()), installed.tunnelId(),
          installed.packet(), connections);
      List<FlowEntry> fresh = miss instanceof Miss.Offload offload ? flowsHere(host, installed.host(), offload)
          : List.of();
      // Same verdict and actions: the new decision wants exactly the flows the old one did, on
      // every bridge (a rule that now keeps state wants reverse flows too; a changed reply flow on
      // another host ends the miss here as well), and the flows sent stay as they act.
      Optional<List<FlowEntry>> same = miss instanceof Miss.Offload offload
          && installed.whole().equals(whole(installed.host(), offload))
          ? sameFlows(installed.flows(), fresh) : Optional.empty();
      if (same.isEmpty()) {
        delete.addAll(installed.flows());
        ended.add(installed);
        continue;
      }
      for (int i = 0; i < installed.flows().size(); i++) {
        if (!installed.flows().get(i).equals(same.get().get(i))) {
          rewrite.add(same.get().get(i));
        }
      }
      kept.add(installed.with(fresh, same.get()));
    }
    return new Outcome(rewrite, delete, ended, kept);
  }

  /** The flows {@code offload}, a miss on {@code origin}'s bridge, puts on {@code host}'s bridge. */
  private List<FlowEntry> flowsHere(String host, String origin, Miss.Offload offload) {
    return host.equals(origin) ? offload.flows() : missHandler.remoteReplyFlows(offload).getOrDefault(host, List.of());
  }

  /**
   * The new flows standing for {@code old}, in its order, when each has the same key and actions
   * (a cookie or timeout may differ); empty when any flow is gone or acts otherwise.
   */
  private static Optional<List<FlowEntry>> sameFlows(List<FlowEntry> old, List<FlowEntry> fresh) {
    Map<FlowKey, FlowEntry> byKey = new LinkedHashMap<>();
    fresh.forEach(f -> byKey.putIfAbsent(f.key(), f));
    List<FlowEntry> out = new ArrayList<>();
    for (FlowEntry f : old) {
      FlowEntry now = byKey.get(f.key());
      if (now == null || !Shape.of(now).equals(Shape.of(f))) {
        return Optional.empty();
      }
      out.add(now);
    }
    return Optional.of(out);
  }
}
