package org.nicflow.compiler.diff;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nicflow.compiler.flow.Cookie;
import org.nicflow.compiler.flow.FieldMatch;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.FlowMatch;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.compiler.flow.TableSpec;

/**
 * Computes the minimal change from the flows a switch holds ({@code actual}) to the flows nicflow
 * wants ({@code desired}). The same differ serves rule-set changes, reconnects and audits.
 *
 * <ul>
 *   <li>Identity is {@link FlowEntry#key()} (table, priority, match). A key in both sets whose
 *       flows differ in anything else (meter, actions, metadata write, goto, cookie, timeouts,
 *       flow-removed flag) is a <em>modify</em> carrying the desired flow; a key only in desired is
 *       an <em>add</em>; a key only in actual is a <em>delete</em>, but only when the actual flow's
 *       cookie is nicflow's ({@link Cookie#isOurs}). Foreign flows are never deleted.
 *   <li>A desired flow whose key is held by a foreign flow replaces it (a modify): one key can hold
 *       one flow, and nicflow owns the tables it declares. Foreign flows at other keys stay.
 *   <li>Minimal: a key is never both deleted and added; equal flows produce nothing.
 * </ul>
 *
 * <p>Order, which is the order to send the messages in: first {@link FlowDiff#add()}, then
 * {@link FlowDiff#modify()}, then {@link FlowDiff#delete()}. New flows are in place before the old
 * ones go, so no packet meets an empty table mid-change (no black hole). Adds are sorted downstream
 * first (descending table number), so a flow's goto target is populated before the flow that jumps
 * there; modifies and deletes are sorted upstream first (ascending table number), so the entry
 * points stop leading into a table before its flows go. Within a table: priority descending, then
 * match text, then cookie, so the output is deterministic whatever the input order.
 *
 * <p>A modify carries the whole desired flow. A strict OFPFC_MODIFY keeps the flow's counters but
 * changes only its instructions; when the cookie, a timeout or the flow-removed flag changed, the
 * flow must be re-added instead (the controller's translator decides this from the installed flow).
 */
public final class FlowDiffer {

  private static final Comparator<FlowEntry> WITHIN_TABLE = Comparator
      .comparingInt(FlowEntry::priority).reversed()
      .thenComparing(FlowEntry::match, FlowDiffer::compareMatchText)
      .thenComparingLong(FlowEntry::cookie);

  private final Map<String, Integer> tableNumbers;

  public FlowDiffer() {
    Map<String, Integer> numbers = new LinkedHashMap<>();
    for (TableSpec t : Pipeline.tables()) {
      numbers.put(t.name(), t.number());
    }
    this.tableNumbers = Map.copyOf(numbers);
  }

  /**
   * The change turning {@code actual} into {@code desired} plus the foreign flows of {@code
   * actual}. Throws {@link IllegalArgumentException} when either collection holds two flows with
   * the same key (a switch cannot, and a compiler must not).
   */
  public FlowDiff diff(Collection<FlowEntry> desired, Collection<FlowEntry> actual) {
    KeyTable table = new KeyTable(desired.size() + actual.size());
    for (FlowEntry f : desired) {
      int i = table.slotOf(f);
      if (table.desired[i] != null) {
        throw new IllegalArgumentException("desired flows hold key " + f.key() + " twice");
      }
      table.desired[i] = f;
    }
    for (FlowEntry f : actual) {
      int i = table.slotOf(f);
      if (table.installed[i] != null) {
        throw new IllegalArgumentException("actual flows hold key " + f.key() + " twice");
      }
      table.installed[i] = f;
    }
    List<FlowEntry> add = new ArrayList<>();
    List<FlowEntry> modify = new ArrayList<>();
    List<FlowEntry> delete = new ArrayList<>();
    for (int i = 0; i < table.desired.length; i++) {
      FlowEntry want = table.desired[i];
      FlowEntry have = table.installed[i];
      if (want == null) {
        if (have != null && Cookie.isOurs(have.cookie())) {
          delete.add(have);
        }
      } else if (have == null) {
        add.add(want);
      } else if (!have.equals(want)) {
        modify.add(want);
      }
    }
    Comparator<FlowEntry> upstreamFirst = Comparator.comparingInt(this::tableRank)
        .thenComparing(FlowEntry::table)
        .thenComparing(WITHIN_TABLE);
    Comparator<FlowEntry> downstreamFirst = Comparator.comparingInt(this::tableRank).reversed()
        .thenComparing(FlowEntry::table)
        .thenComparing(WITHIN_TABLE);
    add.sort(downstreamFirst);
    modify.sort(upstreamFirst);
    delete.sort(upstreamFirst);
    return new FlowDiff(add, modify, delete);
  }

  /** Pipeline number of a table; tables the pipeline does not declare sort after all others. */
  private int tableRank(FlowEntry flow) {
    return tableNumbers.getOrDefault(flow.table(), Integer.MAX_VALUE);
  }

  /**
   * The order of {@code a.toString()} and {@code b.toString()} (the match text), without building
   * the text: a match's text is its field matches' texts, {@code FieldMatch[field=F, value=V,
   * mask=M, portName=P]}, in field order between brackets and separated by {@code ", "}.
   */
  static int compareMatchText(FlowMatch a, FlowMatch b) {
    Iterator<FieldMatch> as = a.fields().values().iterator();
    Iterator<FieldMatch> bs = b.fields().values().iterator();
    while (as.hasNext() && bs.hasNext()) {
      int c = compareFieldText(as.next(), bs.next());
      if (c != 0) {
        return c;
      }
    }
    if (as.hasNext() == bs.hasNext()) {
      return 0;
    }
    // After equal fields the shorter list ends with ']' where the longer goes on with ',' (smaller).
    return as.hasNext() ? -1 : 1;
  }

  /** The order of two field matches' texts, each read up to the character after it (',' or ']'). */
  private static int compareFieldText(FieldMatch a, FieldMatch b) {
    if (a.field() != b.field()) {
      return compareText(a.field().toString(), b.field().toString(), ',');
    }
    if (a.value() != b.value()) {
      return compareText(Long.toString(a.value()), Long.toString(b.value()), ',');
    }
    if (a.mask() != b.mask()) {
      return compareText(Long.toString(a.mask()), Long.toString(b.mask()), ',');
    }
    return compareText(String.valueOf(a.portName()), String.valueOf(b.portName()), ']');
  }

  /** The order of {@code a + next} and {@code b + next} as text, where {@code next} follows each. */
  private static int compareText(String a, String b, char next) {
    int common = Math.min(a.length(), b.length());
    for (int i = 0; i < common; i++) {
      if (a.charAt(i) != b.charAt(i)) {
        return Character.compare(a.charAt(i), b.charAt(i));
      }
    }
    if (a.length() == b.length()) {
      return 0;
    }
    return a.length() < b.length() ? Character.compare(next, b.charAt(common)) : Character.compare(a.charAt(common), next);
  }

  /**
   * The desired and the installed flow of each key, in two arrays indexed by the key's slot (open
   * addressing on {@link FlowEntry#key()}'s fields, without allocating a key per flow). Lives for
   * one diff.
   */
  private static final class KeyTable {
    final FlowEntry[] desired;
    final FlowEntry[] installed;
    private final int mask;

    KeyTable(int flows) {
      int capacity = Integer.highestOneBit(Math.max(2, flows) * 2 - 1) * 2;
      desired = new FlowEntry[capacity];
      installed = new FlowEntry[capacity];
      mask = capacity - 1;
    }

    /** The slot of {@code f}'s key: where a flow of that key already is, else a free one. */
    int slotOf(FlowEntry f) {
      int h = (f.table().hashCode() * 31 + f.priority()) * 31 + f.match().hashCode();
      int i = (h ^ (h >>> 16)) & mask;
      while (true) {
        FlowEntry there = desired[i] != null ? desired[i] : installed[i];
        if (there == null || sameKey(there, f)) {
          return i;
        }
        i = (i + 1) & mask;
      }
    }

    private static boolean sameKey(FlowEntry a, FlowEntry b) {
      return a.priority() == b.priority() && a.table().equals(b.table()) && a.match().equals(b.match());
    }
  }

}
