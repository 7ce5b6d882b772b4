package org.nicflow.compiler.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.TreeSet;
import org.nicflow.compiler.model.Direction;
import org.nicflow.compiler.model.Ipv4Prefix;
import org.nicflow.compiler.model.Layer;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.model.Rule;
import org.nicflow.compiler.packet.PacketHeaders;

/**
 * The winning rule of one layer for packets of one direction (docs/semantics.md, "Layers": highest
 * priority, then the one listed first), found without scanning every rule.
 *
 * <p>Built once per (rule set, layer, direction). Rules are bucketed by IP protocol (a rule of
 * {@code proto: any} sits in every bucket), then grouped by their pair of prefix lengths (tuple
 * space search: one hash probe per (source length, destination length) pair, on the masked
 * addresses). Inside a cell, rules with a destination port range are found through an index of
 * elementary port intervals; the rest are kept in rank order. Tuples are visited best rank first and
 * the search stops as soon as no remaining tuple can beat the best match found.
 */
public final class LayerClassifier {

  private static final int[] NO_RULES = new int[0];

  private final List<Rule> rules;
  private final int[] rank;
  private final Bucket tcp;
  private final Bucket udp;
  private final Bucket icmp;
  private final Bucket other;

  private LayerClassifier(List<Rule> rules, Direction direction) {
    this.rules = List.copyOf(rules);
    List<Integer> applicable = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      if (rules.get(i).direction().appliesTo(direction)) {
        applicable.add(i);
      }
    }
    applicable.sort(Comparator.<Integer>comparingInt(i -> -rules.get(i).priority()).thenComparingInt(i -> i));
    this.rank = new int[rules.size()];
    Arrays.fill(rank, Integer.MAX_VALUE);
    for (int r = 0; r < applicable.size(); r++) {
      rank[applicable.get(r)] = r;
    }
    this.tcp = bucket(applicable, Protocol.TCP);
    this.udp = bucket(applicable, Protocol.UDP);
    this.icmp = bucket(applicable, Protocol.ICMP);
    this.other = bucket(applicable, Protocol.ANY);
  }

  /** The classifier of {@code layer} for packets travelling {@code direction} (IN or OUT). */
  public static LayerClassifier of(Layer layer, Direction direction) {
    Objects.requireNonNull(layer, "layer");
    if (direction == Direction.BOTH) {
      throw new IllegalArgumentException("a packet travels in or out, not both");
    }
    return new LayerClassifier(layer.rules(), direction);
  }

  /** The index (in its layer) of the rule that decides {@code packet}, empty when none matches. */
  public OptionalInt classify(PacketHeaders packet) {
    Bucket bucket = switch (packet.ipProto()) {
      case Protocol.IPPROTO_TCP -> tcp;
      case Protocol.IPPROTO_UDP -> udp;
      case Protocol.IPPROTO_ICMP -> icmp;
      default -> other;
    };
    int best = bucket.find(packet, this);
    return best < 0 ? OptionalInt.empty() : OptionalInt.of(best);
  }

  /** Whether {@code rule} matches {@code packet} on every key (direction aside). */
  static boolean matches(Rule rule, PacketHeaders packet) {
    if (!rule.proto().matches(packet.ipProto())) {
      return false;
    }
    if (!rule.src().contains(packet.nwSrc()) || !rule.dst().contains(packet.nwDst())) {
      return false;
    }
    if (rule.proto().hasPorts()
        && (!rule.srcPort().contains(packet.tpSrc()) || !rule.dstPort().contains(packet.tpDst()))) {
      return false;
    }
    return rule.icmpType().isEmpty() || rule.icmpType().getAsInt() == packet.tpSrc();
  }

  private Bucket bucket(List<Integer> applicableByRank, Protocol proto) {
    // Tuples keyed by (source length, destination length), in order of their best rule.
    Map<Integer, Map<Long, List<Integer>>> tuples = new LinkedHashMap<>();
    for (int index : applicableByRank) {
      Rule rule = rules.get(index);
      boolean inBucket = rule.proto() == Protocol.ANY || (proto != Protocol.ANY && rule.proto() == proto);
      if (!inBucket) {
        continue;
      }
      int tupleKey = (rule.src().length() << 8) | rule.dst().length();
      long cellKey = cellKey(rule.src().network().bits(), rule.dst().network().bits());
      tuples.computeIfAbsent(tupleKey, k -> new HashMap<>()).computeIfAbsent(cellKey, k -> new ArrayList<>())
          .add(index);
    }
    List<Tuple> built = new ArrayList<>();
    for (Map.Entry<Integer, Map<Long, List<Integer>>> e : tuples.entrySet()) {
      int srcLen = e.getKey() >>> 8;
      int dstLen = e.getKey() & 0xff;
      CellTable cells = new CellTable(e.getValue().size());
      int bestRank = Integer.MAX_VALUE;
      for (Map.Entry<Long, List<Integer>> c : e.getValue().entrySet()) {
        cells.put(c.getKey(), new Cell(c.getValue(), rules));
        bestRank = Math.min(bestRank, rank[c.getValue().get(0)]);
      }
      built.add(new Tuple(Ipv4Prefix.maskBits(srcLen), Ipv4Prefix.maskBits(dstLen), cells, bestRank));
    }
    built.sort(Comparator.comparingInt(Tuple::bestRank));
    return new Bucket(built);
  }

  private static long cellKey(int src, int dst) {
    return ((long) src << 32) | (dst & 0xffffffffL);
  }

  /**
   * Rules that can match one protocol: the tuples in order of their best rank, held in parallel
   * arrays so that a lookup, which may probe every tuple, walks memory in order.
   */
  private static final class Bucket {
    private final int[] srcMasks;
    private final int[] dstMasks;
    private final int[] bestRanks;
    private final CellTable[] cells;

    Bucket(List<Tuple> tuples) {
      int n = tuples.size();
      srcMasks = new int[n];
      dstMasks = new int[n];
      bestRanks = new int[n];
      cells = new CellTable[n];
      for (int t = 0; t < n; t++) {
        Tuple tuple = tuples.get(t);
        srcMasks[t] = tuple.srcMask();
        dstMasks[t] = tuple.dstMask();
        bestRanks[t] = tuple.bestRank();
        cells[t] = tuple.cells();
      }
    }

    int find(PacketHeaders packet, LayerClassifier owner) {
      int src = packet.nwSrc().bits();
      int dst = packet.nwDst().bits();
      int best = -1;
      int bestRank = Integer.MAX_VALUE;
      for (int t = 0; t < bestRanks.length; t++) {
        if (bestRanks[t] >= bestRank) {
          break;
        }
        Cell cell = cells[t].get(cellKey(src & srcMasks[t], dst & dstMasks[t]));
        if (cell == null) {
          continue;
        }
        int hit = cell.find(packet, owner.rules);
        if (hit >= 0 && owner.rank[hit] < bestRank) {
          best = hit;
          bestRank = owner.rank[hit];
        }
      }
      return best;
    }
  }

  /** Rules sharing a prefix-length pair, by their masked (source, destination) pair. */
  private record Tuple(int srcMask, int dstMask, CellTable cells, int bestRank) {}

  /**
   * The cells of one tuple by their {@link #cellKey}: open addressing on primitive keys, so a probe
   * neither boxes the key nor follows a chain. Filled once while building, read-only afterwards.
   */
  private static final class CellTable {
    private final long[] keys;
    private final Cell[] cells;
    private final int mask;

    CellTable(int expected) {
      int capacity = Integer.highestOneBit(Math.max(2, expected) * 2 - 1) * 2;
      keys = new long[capacity];
      cells = new Cell[capacity];
      mask = capacity - 1;
    }

    private static int slot(long key) {
      long h = key * 0x9E3779B97F4A7C15L;
      return (int) (h >>> 32);
    }

    void put(long key, Cell cell) {
      int i = slot(key) & mask;
      while (cells[i] != null) {
        if (keys[i] == key) {
          throw new IllegalStateException("cell key " + key + " added twice");
        }
        i = (i + 1) & mask;
      }
      keys[i] = key;
      cells[i] = cell;
    }

    Cell get(long key) {
      int i = slot(key) & mask;
      Cell cell;
      while ((cell = cells[i]) != null) {
        if (keys[i] == key) {
          return cell;
        }
        i = (i + 1) & mask;
      }
      return null;
    }
  }

  /**
   * Rules sharing the same source and destination prefixes, in rank order. Rules with a destination
   * port range are indexed by elementary intervals of the port space; lists hold rule indices in
   * rank order, so the first full match of a list is that list's winner.
   */
  private static final class Cell {
    private final int[] unranged;
    private final int[] starts;
    private final int[][] ranged;

    Cell(List<Integer> byRank, List<Rule> rules) {
      List<Integer> plain = new ArrayList<>();
      List<Integer> withRange = new ArrayList<>();
      TreeSet<Integer> bounds = new TreeSet<>();
      bounds.add(0);
      for (int index : byRank) {
        Rule rule = rules.get(index);
        if (rule.proto().hasPorts() && !rule.dstPort().isAny()) {
          withRange.add(index);
          bounds.add(rule.dstPort().lo());
          if (rule.dstPort().hi() < 65535) {
            bounds.add(rule.dstPort().hi() + 1);
          }
        } else {
          plain.add(index);
        }
      }
      this.unranged = plain.stream().mapToInt(Integer::intValue).toArray();
      if (withRange.isEmpty()) {
        this.starts = new int[] {0};
        this.ranged = new int[][] {NO_RULES};
        return;
      }
      this.starts = bounds.stream().mapToInt(Integer::intValue).toArray();
      this.ranged = new int[starts.length][];
      for (int i = 0; i < starts.length; i++) {
        int port = starts[i];
        ranged[i] = withRange.stream().filter(idx -> rules.get(idx).dstPort().contains(port))
            .mapToInt(Integer::intValue).toArray();
      }
    }

    /** The best matching rule of this cell (lowest rank), or -1. */
    int find(PacketHeaders packet, List<Rule> rules) {
      int a = firstMatch(unranged, packet, rules);
      int slot = Arrays.binarySearch(starts, packet.tpDst());
      if (slot < 0) {
        slot = -slot - 2;
      }
      int b = firstMatch(ranged[slot], packet, rules);
      if (a < 0) {
        return b;
      }
      if (b < 0) {
        return a;
      }
      // Both lists are in rank order; rank order is priority descending then index ascending.
      Rule ra = rules.get(a);
      Rule rb = rules.get(b);
      if (ra.priority() != rb.priority()) {
        return ra.priority() > rb.priority() ? a : b;
      }
      return Math.min(a, b);
    }

    private static int firstMatch(int[] candidates, PacketHeaders packet, List<Rule> rules) {
      for (int index : candidates) {
        if (matches(rules.get(index), packet)) {
          return index;
        }
      }
      return -1;
    }
  }
}
