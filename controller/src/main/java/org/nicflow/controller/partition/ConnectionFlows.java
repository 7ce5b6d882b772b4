package org.nicflow.controller.partition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nicflow.compiler.eval.Connection;
import org.nicflow.compiler.eval.ConnectionTable;
import org.nicflow.compiler.flow.FlowEntry.FlowKey;

/**
 * Ties connections to the unified flows installed with them: a connection lives while at least one
 * of its flows is in a switch (docs/semantics.md, "Connections": connections live until
 * their unified flows idle out), and is forgotten when the last one is removed.
 */
final class ConnectionFlows {

  /** A flow in one switch. */
  record SwitchFlow(long dpid, FlowKey key) {}

  private final ConnectionTable table;
  private final Map<SwitchFlow, List<Connection>> byFlow = new HashMap<>();
  private final Map<Connection, Integer> liveFlows = new HashMap<>();
  /** Connections that lost their last flow but wait, until a deadline (nanoTime), to be carried again. */
  private final Map<Connection, Long> waiting = new HashMap<>();

  ConnectionFlows(ConnectionTable table) {
    this.table = table;
  }

  /** Records new connections, carried by {@code flows} of switch {@code dpid}. */
  synchronized void opened(long dpid, List<Connection> connections, List<FlowKey> flows) {
    if (connections.isEmpty()) {
      return;
    }
    for (Connection c : connections) {
      table.add(c);
      waiting.remove(c);
      liveFlows.merge(c, flows.size(), Integer::sum);
    }
    for (FlowKey k : flows) {
      byFlow.computeIfAbsent(new SwitchFlow(dpid, k), x -> new ArrayList<>()).addAll(connections);
    }
    for (Connection c : connections) {
      if (liveFlows.get(c) <= 0) {
        liveFlows.remove(c);
        table.remove(c);
      }
    }
  }

  /**
   * Ties {@code connections} to {@code flows} of switch {@code dpid} that are already installed
   * (the controller-path flows of a pair of ICMP echo sessions, which carry every session of the
   * pair: docs/semantics.md, "ICMP echo sessions"). A connection already tied to a flow is not
   * tied twice, so a session whose every packet comes this way costs nothing more per packet.
   */
  synchronized void carry(long dpid, List<Connection> connections, List<FlowKey> flows) {
    for (FlowKey k : flows) {
      List<Connection> carried = byFlow.computeIfAbsent(new SwitchFlow(dpid, k), x -> new ArrayList<>());
      for (Connection c : connections) {
        if (!carried.contains(c)) {
          carried.add(c);
          table.add(c);
          waiting.remove(c);
          liveFlows.merge(c, 1, Integer::sum);
        }
      }
    }
  }

  /**
   * Claims the new connections of a decision before its flows are sent, so that a decision taken
   * at the same time on another switch's thread sees them. Returns false, claiming nothing, when a
   * SNAT translation of one of them is held by another live connection: the decision was taken
   * against a table that has changed since, and must be taken again.
   */
  synchronized boolean claim(List<Connection> connections) {
    for (Connection c : connections) {
      if (c.kind() == Connection.Kind.SNAT && table.translatedInUse(c.translated()) && !table.contains(c)) {
        return false;
      }
    }
    connections.forEach(table::add);
    return true;
  }

  /** Gives back claimed connections that no flow ended up carrying. */
  synchronized void release(List<Connection> connections) {
    for (Connection c : connections) {
      if (!liveFlows.containsKey(c) && !waiting.containsKey(c)) {
        table.remove(c);
      }
    }
  }

  /**
   * Keeps {@code connections}, which no flow carries, in the table until {@code deadline} (the
   * partition's clock), or later if they already wait longer: connections the controller serves
   * by sending their packets on itself because they could not get a flow. A connection that a flow
   * carries is not touched; it lives while its flows do.
   */
  synchronized void hold(List<Connection> connections, long deadline) {
    for (Connection c : connections) {
      if (!liveFlows.containsKey(c)) {
        table.add(c);
        waiting.merge(c, deadline, (a, b) -> b - a > 0 ? b : a);
      }
    }
  }

  /** The connections the flow {@code key} of switch {@code dpid} carries; a copy. */
  synchronized List<Connection> carriedBy(long dpid, FlowKey key) {
    return List.copyOf(byFlow.getOrDefault(new SwitchFlow(dpid, key), List.of()));
  }

  /** How many connections no flow carries wait in the table for their deadline. */
  synchronized int waitingCount() {
    return waiting.size();
  }

  /** A flow left the switch; returns the connections that ended with it. */
  synchronized List<Connection> flowGone(long dpid, FlowKey key) {
    return flowGone(dpid, key, c -> false, 0);
  }

  /**
   * As {@link #flowGone(long, FlowKey)}, except that a connection for which {@code keep} holds does
   * not end with its last flow: it stays in the table, carried by nothing, until {@code deadline}
   * ({@link System#nanoTime}) for new flows to carry it again — the connections of a VM that moved
   * to another host, whose packets will miss there. Returns the connections that ended.
   */
  synchronized List<Connection> flowGone(long dpid, FlowKey key, java.util.function.Predicate<Connection> keep,
      long deadline) {
    List<Connection> carried = byFlow.remove(new SwitchFlow(dpid, key));
    List<Connection> ended = new ArrayList<>();
    if (carried == null) {
      return ended;
    }
    for (Connection c : carried) {
      Integer left = liveFlows.computeIfPresent(c, (x, n) -> n - 1);
      if (left != null && left <= 0) {
        liveFlows.remove(c);
        if (keep.test(c)) {
          waiting.put(c, deadline);
        } else {
          table.remove(c);
          ended.add(c);
        }
      }
    }
    return ended;
  }

  /** Ends the waiting connections whose deadline has passed; returns them. */
  synchronized List<Connection> expireWaiting(long now) {
    List<Connection> expired = new ArrayList<>();
    waiting.entrySet().removeIf(e -> {
      if (e.getValue() - now <= 0) {
        table.remove(e.getKey());
        expired.add(e.getKey());
        return true;
      }
      return false;
    });
    return expired;
  }

  /**
   * Ends, at once, every connection the flow {@code key} of switch {@code dpid} carried (a flow the
   * switch refused), however many other flows carry it too. Returns those other flows, which carry
   * nothing any more and should leave their switches.
   */
  synchronized List<SwitchFlow> endConnectionsOf(long dpid, FlowKey key) {
    List<Connection> carried = byFlow.remove(new SwitchFlow(dpid, key));
    if (carried == null || carried.isEmpty()) {
      return List.of();
    }
    carried.forEach(c -> {
      liveFlows.remove(c);
      table.remove(c);
    });
    List<SwitchFlow> orphans = new ArrayList<>();
    for (var e : List.copyOf(byFlow.entrySet())) {
      List<Connection> left = new ArrayList<>(e.getValue());
      if (left.removeAll(carried)) {
        if (left.isEmpty()) {
          byFlow.remove(e.getKey());
          orphans.add(e.getKey());
        } else {
          byFlow.put(e.getKey(), left);
        }
      }
    }
    return orphans;
  }

  /** A switch went away: its flows carry nothing any more. */
  synchronized void switchGone(long dpid) {
    List<SwitchFlow> gone = byFlow.keySet().stream().filter(f -> f.dpid() == dpid).toList();
    for (SwitchFlow f : gone) {
      flowGone(f.dpid(), f.key());
    }
  }

  synchronized int size() {
    return liveFlows.size();
  }
}
