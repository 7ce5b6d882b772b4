package org.nicflow.compiler.eval;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Live connections, safe for concurrent use: lookups read {@link ConcurrentHashMap}s without
 * locking; adds and removes are serialised so that the indexes never disagree for long. There is no
 * clock here: a connection lives until the
 * caller removes it (when its unified flows are removed after their idle timeout). Adding a
 * connection that is already present changes nothing. Lookups list connections in the order they
 * were added. The translated tuples in {@code public} scope are also kept by destination (the tuple
 * without its source port, and an echo tuple without its query identifier), so that SNAT finds a
 * free port or identifier in constant time ({@link #freeSourcePort}, {@link #freeQueryId}).
 */
public final class ConnectionTable implements ConnectionLookup {

  private final AtomicLong sequence = new AtomicLong();
  private final ConcurrentHashMap<Connection, Long> entries = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<FlowTuple, List<Connection>> byReply = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<FlowTuple, List<Connection>> byOriginal = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<FlowTuple, List<Connection>> byTranslated = new ConcurrentHashMap<>();
  /** ICMP echo sessions only, by their tuples without the query identifier. */
  private final ConcurrentHashMap<FlowTuple, List<Connection>> byReplyPair = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<FlowTuple, List<Connection>> byOriginalPair = new ConcurrentHashMap<>();
  /** Public translated tuples without their source port: the ports taken. Guarded by this. */
  private final Map<FlowTuple, TakenNumbers> portsTaken = new HashMap<>();
  /** Public translated echo tuples without their query identifier: the identifiers taken. Guarded by this. */
  private final Map<FlowTuple, TakenNumbers> queryIdsTaken = new HashMap<>();

  public ConnectionTable() {}

  /** A table holding {@code connections}. */
  public static ConnectionTable of(Collection<Connection> connections) {
    ConnectionTable table = new ConnectionTable();
    connections.forEach(table::add);
    return table;
  }

  /** Adds a connection; returns false when it was already present. */
  public synchronized boolean add(Connection connection) {
    Objects.requireNonNull(connection, "connection");
    if (entries.putIfAbsent(connection, sequence.incrementAndGet()) != null) {
      return false;
    }
    index(byReply, connection.replyKey(), connection);
    index(byOriginal, connection.original(), connection);
    index(byTranslated, connection.translated(), connection);
    if (connection.original().isIcmpEcho()) {
      index(byReplyPair, connection.replyKey().pair(), connection);
      index(byOriginalPair, connection.original().pair(), connection);
    }
    FlowTuple t = connection.translated();
    if (t.scope() == FlowTuple.PUBLIC) {
      portsTaken.computeIfAbsent(t.withSrcPort(0), k -> new TakenNumbers()).add(t.srcPort());
      if (t.isIcmpEcho()) {
        queryIdsTaken.computeIfAbsent(t.pair(), k -> new TakenNumbers()).add(t.queryId());
      }
    }
    return true;
  }

  /** Removes a connection; returns false when it was not present. */
  public synchronized boolean remove(Connection connection) {
    Objects.requireNonNull(connection, "connection");
    if (entries.remove(connection) == null) {
      return false;
    }
    unindex(byReply, connection.replyKey(), connection);
    unindex(byOriginal, connection.original(), connection);
    unindex(byTranslated, connection.translated(), connection);
    if (connection.original().isIcmpEcho()) {
      unindex(byReplyPair, connection.replyKey().pair(), connection);
      unindex(byOriginalPair, connection.original().pair(), connection);
    }
    FlowTuple t = connection.translated();
    if (t.scope() == FlowTuple.PUBLIC && !byTranslated.containsKey(t)) { // two connections may share it
      free(portsTaken, t.withSrcPort(0), t.srcPort());
      if (t.isIcmpEcho()) {
        free(queryIdsTaken, t.pair(), t.queryId());
      }
    }
    return true;
  }

  /** Removes every connection owned by {@code vm}; returns them. */
  public synchronized List<Connection> removeOwnedBy(String vm) {
    Objects.requireNonNull(vm, "vm");
    List<Connection> removed = new ArrayList<>();
    for (Connection c : all()) {
      if (c.ownerVm().equals(vm) && remove(c)) {
        removed.add(c);
      }
    }
    return List.copyOf(removed);
  }

  public boolean contains(Connection connection) {
    return entries.containsKey(connection);
  }

  public int size() {
    return entries.size();
  }

  /** Every live connection, in the order added. */
  public List<Connection> all() {
    return entries.entrySet().stream().sorted(Map.Entry.comparingByValue(Comparator.naturalOrder()))
        .map(Map.Entry::getKey).toList();
  }

  /** A live connection and its place in the order connections were added. */
  public record Numbered(long sequence, Connection connection) {}

  /**
   * At most {@code limit} live connections added after the one numbered {@code afterSequence}, in
   * the order added: a page of the table, and a walk goes on from the last one's sequence. Costs
   * one pass over the table and memory for {@code limit} entries, whatever the table's size.
   */
  public List<Numbered> page(long afterSequence, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1: " + limit);
    }
    PriorityQueue<Numbered> lowest = new PriorityQueue<>(Comparator.comparingLong(Numbered::sequence).reversed());
    entries.forEach((connection, sequence) -> {
      if (sequence > afterSequence) {
        lowest.add(new Numbered(sequence, connection));
        if (lowest.size() > limit) {
          lowest.poll();
        }
      }
    });
    List<Numbered> page = new ArrayList<>(lowest);
    page.sort(Comparator.comparingLong(Numbered::sequence));
    return List.copyOf(page);
  }

  @Override
  public boolean translatedInUse(FlowTuple translated) {
    return byTranslated.containsKey(translated);
  }

  /** Constant time for a tuple in {@code public} scope, whatever the share of ports taken. */
  @Override
  public synchronized OptionalInt freeSourcePort(FlowTuple translated, int lo, int hi) {
    if (translated.scope() != FlowTuple.PUBLIC) {
      return ConnectionLookup.super.freeSourcePort(translated, lo, hi);
    }
    return firstFree(portsTaken.get(translated.withSrcPort(0)), translated.srcPort(), lo, hi);
  }

  /** Constant time for an echo tuple in {@code public} scope, whatever the share of identifiers taken. */
  @Override
  public synchronized OptionalInt freeQueryId(FlowTuple translated, int lo, int hi) {
    if (translated.scope() != FlowTuple.PUBLIC || !translated.isIcmpEcho()) {
      return ConnectionLookup.super.freeQueryId(translated, lo, hi);
    }
    return firstFree(queryIdsTaken.get(translated.pair()), translated.queryId(), lo, hi);
  }

  private static OptionalInt firstFree(TakenNumbers taken, int start, int lo, int hi) {
    TakenNumbers.rangeSize(start, lo, hi);
    int n = taken == null ? start : taken.firstFreeFrom(start, lo, hi);
    return n < 0 ? OptionalInt.empty() : OptionalInt.of(n);
  }

  private static void free(Map<FlowTuple, TakenNumbers> index, FlowTuple key, int n) {
    TakenNumbers taken = index.get(key);
    if (taken != null && taken.remove(n) && taken.isEmpty()) {
      index.remove(key);
    }
  }

  @Override
  public List<Connection> allByReplyKey(FlowTuple replyKey) {
    return byReply.getOrDefault(replyKey, List.of());
  }

  @Override
  public List<Connection> allByReplyPair(FlowTuple replyPair) {
    return byReplyPair.getOrDefault(replyPair, List.of());
  }

  @Override
  public List<Connection> allByOriginalPair(FlowTuple originalPair) {
    return byOriginalPair.getOrDefault(originalPair, List.of());
  }

  @Override
  public List<Connection> allByOriginal(FlowTuple original) {
    return byOriginal.getOrDefault(original, List.of());
  }

  private static void index(ConcurrentHashMap<FlowTuple, List<Connection>> map, FlowTuple key, Connection c) {
    map.compute(key, (k, old) -> {
      if (old == null) {
        return List.of(c);
      }
      if (old.contains(c)) {
        return old;
      }
      List<Connection> grown = new ArrayList<>(old);
      grown.add(c);
      return List.copyOf(grown);
    });
  }

  private static void unindex(ConcurrentHashMap<FlowTuple, List<Connection>> map, FlowTuple key, Connection c) {
    map.computeIfPresent(key, (k, old) -> {
      List<Connection> shrunk = new ArrayList<>(old);
      shrunk.remove(c);
      return shrunk.isEmpty() ? null : List.copyOf(shrunk);
    });
  }
}
