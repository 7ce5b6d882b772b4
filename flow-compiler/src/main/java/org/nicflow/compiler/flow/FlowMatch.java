package org.nicflow.compiler.flow;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/** A set of field matches, at most one per field, kept in {@link MatchField} order. */
public final class FlowMatch {

  public static final FlowMatch ANY = new FlowMatch(new EnumMap<>(MatchField.class));

  private final Map<MatchField, FieldMatch> fields;

  private FlowMatch(EnumMap<MatchField, FieldMatch> fields) {
    this.fields = Collections.unmodifiableMap(fields);
  }

  public static Builder builder() {
    return new Builder();
  }

  public Map<MatchField, FieldMatch> fields() {
    return fields;
  }

  public Optional<FieldMatch> get(MatchField field) {
    return Optional.ofNullable(fields.get(field));
  }

  public boolean has(MatchField field) {
    return fields.containsKey(field);
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.fields.putAll(fields);
    return b;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FlowMatch other && fields.equals(other.fields);
  }

  @Override
  public int hashCode() {
    return fields.hashCode();
  }

  @Override
  public String toString() {
    return fields.values().toString();
  }

  /** Collects field matches; a field set twice is an error. */
  public static final class Builder {
    private final EnumMap<MatchField, FieldMatch> fields = new EnumMap<>(MatchField.class);

    public Builder add(FieldMatch match) {
      if (fields.putIfAbsent(match.field(), match) != null) {
        throw new IllegalArgumentException("field " + match.field() + " matched twice");
      }
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
      fields.put(match.field(), match);
      return this;
    }

    public FlowMatch build() {
      return new FlowMatch(new EnumMap<>(fields));
    }
  }
}
