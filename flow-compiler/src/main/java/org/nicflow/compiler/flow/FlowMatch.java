package org.nicflow.compiler.flow;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;

/**
 * A set of field matches, at most one per field, kept in {@link MatchField} order.
 *
 * <p>Held in an array indexed by field, with the hash computed once: matches are the keys of the
 * flow differ's maps and of the switch's tables, so hashing and comparing them must not walk a map.
 */
public final class FlowMatch {

  private static final MatchField[] FIELDS = MatchField.values();

  public static final FlowMatch ANY = new FlowMatch(new FieldMatch[FIELDS.length]);

  /** The match of each field by ordinal, null where the field is not matched; never changed. */
  private final FieldMatch[] byField;
  private final int size;
  private final int hash;

  private FlowMatch(FieldMatch[] byField) {
    this.byField = byField;
    int n = 0;
    int h = 1;
    for (FieldMatch m : byField) {
      if (m != null) {
        n++;
        h = 31 * h + hashOf(m);
      }
    }
    this.size = n;
    this.hash = h;
  }

  private static int hashOf(FieldMatch m) {
    int h = m.field().ordinal();
    h = 31 * h + Long.hashCode(m.value());
    h = 31 * h + Long.hashCode(m.mask());
    return m.portName() == null ? h : 31 * h + m.portName().hashCode();
  }

  public static Builder builder() {
    return new Builder(new FieldMatch[FIELDS.length]);
  }

  /** The field matches in {@link MatchField} order (an unmodifiable view). */
  public Map<MatchField, FieldMatch> fields() {
    return new FieldView();
  }

  public Optional<FieldMatch> get(MatchField field) {
    return Optional.ofNullable(byField[field.ordinal()]);
  }

  public boolean has(MatchField field) {
    return byField[field.ordinal()] != null;
  }

  public Builder toBuilder() {
    return new Builder(byField.clone());
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    return o instanceof FlowMatch other && hash == other.hash && size == other.size
        && Arrays.equals(byField, other.byField);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  /** The field matches as a list in field order, {@code [FieldMatch[...], ...]}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("[");
    for (FieldMatch m : byField) {
      if (m != null) {
        if (sb.length() > 1) {
          sb.append(", ");
        }
        sb.append(m);
      }
    }
    return sb.append(']').toString();
  }

  /** The matched fields as a map in field order, without copying. */
  private final class FieldView extends AbstractMap<MatchField, FieldMatch> {

    @Override
    public FieldMatch get(Object key) {
      return key instanceof MatchField f ? byField[f.ordinal()] : null;
    }

    @Override
    public boolean containsKey(Object key) {
      return get(key) != null;
    }

    @Override
    public int size() {
      return size;
    }

    @Override
    public Set<Map.Entry<MatchField, FieldMatch>> entrySet() {
      return new AbstractSet<>() {
        @Override
        public Iterator<Map.Entry<MatchField, FieldMatch>> iterator() {
          return new Iterator<>() {
            private int next = advance(0);

            private int advance(int from) {
              int i = from;
              while (i < byField.length && byField[i] == null) {
                i++;
              }
              return i;
            }

            @Override
            public boolean hasNext() {
              return next < byField.length;
            }

            @Override
            public Map.Entry<MatchField, FieldMatch> next() {
              if (!hasNext()) {
                throw new NoSuchElementException();
              }
              Map.Entry<MatchField, FieldMatch> e = Map.entry(FIELDS[next], byField[next]);
              next = advance(next + 1);
              return e;
            }
          };
        }

        @Override
        public int size() {
          return size;
        }
      };
    }
  }

  /** Collects field matches; a field set twice is an error. */
  public static final class Builder {
    private final FieldMatch[] fields;

    private Builder(FieldMatch[] fields) {
      this.fields = fields;
    }

    public Builder add(FieldMatch match) {
      int i = match.field().ordinal();
      if (fields[i] != null) {
        throw new IllegalArgumentException("field " + match.field() + " matched twice");
      }
      fields[i] = match;
      return this;
    }

    public Builder exact(MatchField field, long value) {
      return add(FieldMatch.exact(field, value));
    }

    public Builder masked(MatchField field, long value, long mask) {
      return add(FieldMatch.masked(field, value, mask));
    }

    public Builder inPort(String portName) {
      return add(FieldMatch.inPort(portName));
    }

    public Builder replace(FieldMatch match) {
      fields[match.field().ordinal()] = match;
      return this;
    }

    public FlowMatch build() {
      return new FlowMatch(fields.clone());
    }
  }
}
