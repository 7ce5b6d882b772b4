package org.nicflow.compiler.proactive;

import java.util.ArrayList;
import java.util.List;
import org.nicflow.compiler.model.PortRange;

/**
 * The minimal set of value/mask pairs over 16-bit ports whose union is exactly an inclusive range:
 * the range split into maximal aligned power-of-two blocks (a port range 1000-1999 gives 7 pairs).
 * The whole port space gives one block with mask 0, which a flow expresses by leaving the field out.
 */
public final class PortRangeCover {

  private static final int FULL = 0xffff;

  private PortRangeCover() {}

  /** One aligned block: ports {@code p} with {@code (p & mask) == value}. */
  public record Block(int value, int mask) {
    public Block {
      if ((value & ~FULL) != 0 || (mask & ~FULL) != 0) {
        throw new IllegalArgumentException("port block wider than 16 bits");
      }
      if ((value & ~mask) != 0) {
        throw new IllegalArgumentException("port block value has bits outside its mask");
      }
    }

    public boolean contains(int port) {
      return (port & mask) == value;
    }

    /** Whether this block is one port. */
    public boolean isExact() {
      return mask == FULL;
    }
  }

  public static List<Block> of(PortRange range) {
    return of(range.lo(), range.hi());
  }

  /** The blocks covering {@code [lo, hi]}, in ascending port order. */
  public static List<Block> of(int lo, int hi) {
    if (lo < 0 || hi > FULL || lo > hi) {
      throw new IllegalArgumentException("port range " + lo + "-" + hi + " is not inside 0-65535");
    }
    List<Block> blocks = new ArrayList<>();
    long next = lo;
    while (next <= hi) {
      long size = next == 0 ? 1L << 16 : Long.lowestOneBit(next);
      while (next + size - 1 > hi) {
        size >>= 1;
      }
      blocks.add(new Block((int) next, (int) (FULL & ~(size - 1))));
      next += size;
    }
    return List.copyOf(blocks);
  }
}
