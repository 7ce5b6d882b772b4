package org.nicflow.compiler.flow;

import java.util.Objects;

/**
 * One part of a {@link FlowAction.Learn}: what the learned flow matches, or what it loads. OVS's
 * {@code learn} can only build matches, register loads and outputs; nicflow uses matches and loads
 * into metadata (docs/semantics.md, "Connection state in the NIC").
 */
public sealed interface LearnSpec {

  /** The learned flow matches {@code field} exactly against a constant. */
  record MatchValue(MatchField field, long value) implements LearnSpec {
    public MatchValue {
      Objects.requireNonNull(field, "field");
      if (field == MatchField.IN_PORT) {
        throw new IllegalArgumentException("learned flows match the source VM in the metadata, not in_port");
      }
      if ((value & ~field.fullMask()) != 0) {
        throw new IllegalArgumentException(field + " value wider than its field");
      }
    }
  }

  /**
   * The learned flow matches bits {@code [dstOffset, dstOffset + bits)} of {@code dst} against bits
   * {@code [srcOffset, srcOffset + bits)} of {@code src} as the learning packet has them.
   */
  record MatchCopy(MatchField dst, int dstOffset, MatchField src, int srcOffset, int bits) implements LearnSpec {
    public MatchCopy {
      Objects.requireNonNull(dst, "dst");
      Objects.requireNonNull(src, "src");
      if (dst == MatchField.IN_PORT || src == MatchField.IN_PORT) {
        throw new IllegalArgumentException("in_port is a port name here, not copyable bits");
      }
      checkRange(dst, dstOffset, bits);
      checkRange(src, srcOffset, bits);
    }

    /** The whole of {@code src} into the whole of {@code dst} (fields of one width). */
    public static MatchCopy whole(MatchField dst, MatchField src) {
      return new MatchCopy(dst, 0, src, 0, dst.bits());
    }

    /** The learned match's mask on {@code dst}. */
    public long dstMask() {
      return bitMask(bits) << dstOffset;
    }
  }

  /** The learned flow loads {@code value} into metadata bits {@code [offset, offset + bits)}. */
  record LoadMetadata(long value, int offset, int bits) implements LearnSpec {
    public LoadMetadata {
      checkRange(MatchField.METADATA, offset, bits);
      if ((value & ~bitMask(bits)) != 0) {
        throw new IllegalArgumentException("value " + value + " wider than " + bits + " bits");
      }
    }

    public long mask() {
      return bitMask(bits) << offset;
    }
  }

  private static void checkRange(MatchField f, int offset, int bits) {
    if (bits < 1 || offset < 0 || offset + bits > f.bits()) {
      throw new IllegalArgumentException(f + "[" + offset + ".." + (offset + bits - 1) + "] is outside the field");
    }
  }

  private static long bitMask(int bits) {
    return bits == 64 ? -1L : (1L << bits) - 1;
  }
}
