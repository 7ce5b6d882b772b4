package org.nicflow.compiler.eval;

/**
 * Which of the numbers 0-65535 (source ports, or ICMP query identifiers) are taken towards one
 * destination, answering "the first free number in a range" in constant time whatever the
 * occupancy. Few numbers are kept in a short list; past {@value #LIST_MAX}, in a bitmap of 16 blocks
 * of 64 words, allocated block by block as numbers are taken, with a summary of full words per
 * block and of full blocks: a search looks at one word, one summary and one block summary at most
 * per level instead of probing number after number. Not thread-safe: its owner serialises use.
 */
final class TakenNumbers {

  static final int SPACE = 65536;
  /** Numbers kept in the list before the bitmap is built. */
  static final int LIST_MAX = 8;
  private static final int BLOCKS = 16;
  private static final int WORDS_PER_BLOCK = 64;
  private static final int ALL_BLOCKS = (1 << BLOCKS) - 1;

  private int[] list = new int[LIST_MAX];
  private int count;
  /** The bitmap once built: block, word; a null block has no number taken. */
  private long[][] blocks;
  /** Per block, bit w: word w of the block is full. */
  private long[] fullWords;
  /** Bit b: block b is full. */
  private int fullBlocks;

  int size() {
    return count;
  }

  boolean isEmpty() {
    return count == 0;
  }

  boolean contains(int n) {
    check(n);
    if (blocks == null) {
      for (int i = 0; i < count; i++) {
        if (list[i] == n) {
          return true;
        }
      }
      return false;
    }
    long[] block = blocks[n >>> 12];
    return block != null && (block[(n >>> 6) & 63] & (1L << n)) != 0;
  }

  /** Takes {@code n}; returns false when it was already taken. */
  boolean add(int n) {
    if (contains(n)) {
      return false;
    }
    count++;
    if (blocks == null && count <= LIST_MAX) {
      list[count - 1] = n;
      return true;
    }
    if (blocks == null) {
      blocks = new long[BLOCKS][];
      fullWords = new long[BLOCKS];
      for (int i = 0; i < count - 1; i++) {
        set(list[i]);
      }
      list = null;
    }
    set(n);
    return true;
  }

  /** Frees {@code n}; returns false when it was not taken. */
  boolean remove(int n) {
    if (!contains(n)) {
      return false;
    }
    count--;
    if (blocks == null) {
      int i = 0;
      while (list[i] != n) {
        i++;
      }
      list[i] = list[count];
      return true;
    }
    int b = n >>> 12;
    int w = (n >>> 6) & 63;
    blocks[b][w] &= ~(1L << n);
    fullWords[b] &= ~(1L << w);
    fullBlocks &= ~(1 << b);
    if (count == 0) {
      blocks = null;
      fullWords = null;
      list = new int[LIST_MAX];
    }
    return true;
  }

  /** The first number of {@code from..to} not taken, or -1 when all are taken (or the range is empty). */
  int firstFree(int from, int to) {
    check(from);
    check(to);
    if (from > to) {
      return -1;
    }
    int n = blocks == null ? firstFreeInList(from) : firstFreeInBitmap(from);
    return n >= 0 && n <= to ? n : -1;
  }

  /**
   * The first number of {@code lo..hi} at or after {@code start}, wrapping round to {@code lo}, that
   * is not taken; -1 when all are taken.
   */
  int firstFreeFrom(int start, int lo, int hi) {
    rangeSize(start, lo, hi);
    int n = firstFree(start, hi);
    return n >= 0 ? n : start > lo ? firstFree(lo, start - 1) : -1;
  }

  /** At most {@link #LIST_MAX} numbers are listed, so this looks at most that many more. */
  private int firstFreeInList(int from) {
    int n = from;
    for (int i = 0; i < count; i++) {
      if (n >= SPACE || !contains(n)) {
        break;
      }
      n++;
    }
    return n < SPACE && !contains(n) ? n : -1;
  }

  private int firstFreeInBitmap(int from) {
    int b = from >>> 12;
    int w = (from >>> 6) & 63;
    long[] block = blocks[b];
    if (block == null) {
      return from;
    }
    long free = ~block[w] & (-1L << from); // a shift counts modulo 64: from & 63
    if (free != 0) {
      return (b << 12) | (w << 6) | Long.numberOfTrailingZeros(free);
    }
    long openWords = w == 63 ? 0 : ~fullWords[b] & (-1L << (w + 1));
    if (openWords != 0) {
      return firstFreeInWord(b, Long.numberOfTrailingZeros(openWords));
    }
    int openBlocks = ~fullBlocks & ALL_BLOCKS & (-1 << (b + 1));
    if (openBlocks == 0) {
      return -1;
    }
    int next = Integer.numberOfTrailingZeros(openBlocks);
    if (blocks[next] == null) {
      return next << 12;
    }
    return firstFreeInWord(next, Long.numberOfTrailingZeros(~fullWords[next]));
  }

  private int firstFreeInWord(int b, int w) {
    return (b << 12) | (w << 6) | Long.numberOfTrailingZeros(~blocks[b][w]);
  }

  private void set(int n) {
    int b = n >>> 12;
    int w = (n >>> 6) & 63;
    if (blocks[b] == null) {
      blocks[b] = new long[WORDS_PER_BLOCK];
    }
    long word = blocks[b][w] | (1L << n);
    blocks[b][w] = word;
    if (word == -1L) {
      fullWords[b] |= 1L << w;
      if (fullWords[b] == -1L) {
        fullBlocks |= 1 << b;
      }
    }
  }

  /** The size of {@code lo..hi}, after checking that {@code start} is inside it. */
  static int rangeSize(int start, int lo, int hi) {
    if (lo > hi || start < lo || start > hi) {
      throw new IllegalArgumentException("start " + start + " is outside " + lo + "-" + hi);
    }
    return hi - lo + 1;
  }

  private static void check(int n) {
    if (n < 0 || n >= SPACE) {
      throw new IllegalArgumentException("number " + n + " is outside 0-" + (SPACE - 1));
    }
  }
}
