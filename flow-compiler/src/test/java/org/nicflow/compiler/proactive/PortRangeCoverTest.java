package org.nicflow.compiler.proactive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PortRangeCoverTest {

  @Test
  void coversAThousandPortsWithSevenBlocks() {
    List<PortRangeCover.Block> blocks = PortRangeCover.of(1000, 1999);
    assertThat(blocks).containsExactly(
        new PortRangeCover.Block(1000, 0xfff8), new PortRangeCover.Block(1008, 0xfff0),
        new PortRangeCover.Block(1024, 0xfe00), new PortRangeCover.Block(1536, 0xff00),
        new PortRangeCover.Block(1792, 0xff80), new PortRangeCover.Block(1920, 0xffc0),
        new PortRangeCover.Block(1984, 0xfff0));
  }

  @Test
  void singlePortIsOneExactBlock() {
    assertThat(PortRangeCover.of(22, 22)).containsExactly(new PortRangeCover.Block(22, 0xffff));
  }

  @Test
  void wholePortSpaceIsOneBlockWithEmptyMask() {
    assertThat(PortRangeCover.of(0, 65535)).containsExactly(new PortRangeCover.Block(0, 0));
  }

  @Test
  void upperHalfIsOneBlock() {
    assertThat(PortRangeCover.of(32768, 65535)).containsExactly(new PortRangeCover.Block(32768, 0x8000));
  }

  @Test
  void rejectsInvertedRange() {
    assertThatThrownBy(() -> PortRangeCover.of(10, 9)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void coverIsExactDisjointAndMinimalForRandomRanges() {
    long seed = new Random().nextLong();
    Random rnd = new Random(seed);
    for (int i = 0; i < 300; i++) {
      int a = randomPort(rnd);
      int b = randomPort(rnd);
      int lo = Math.min(a, b);
      int hi = Math.max(a, b);
      List<PortRangeCover.Block> blocks = PortRangeCover.of(lo, hi);
      int[] hits = new int[65536];
      for (PortRangeCover.Block blk : blocks) {
        int size = (~blk.mask() & 0xffff) + 1;
        assertThat(Integer.bitCount(size)).as("seed %d: %s is a prefix mask", seed, blk).isEqualTo(1);
        for (int p = blk.value(); p < blk.value() + size; p++) {
          hits[p]++;
        }
      }
      for (int p = 0; p < 65536; p++) {
        if (hits[p] != (p >= lo && p <= hi ? 1 : 0)) {
          fail("seed %d range %d-%d: port %d covered %d times", seed, lo, hi, p, hits[p]);
        }
      }
      assertThat(blocks.size()).as("seed %d range %d-%d minimal", seed, lo, hi).isEqualTo(minimalCount(lo, hi));
    }
  }

  private static int randomPort(Random rnd) {
    return switch (rnd.nextInt(4)) {
      case 0 -> rnd.nextInt(65536);
      case 1 -> rnd.nextInt(2048);
      case 2 -> 65535 - rnd.nextInt(2048);
      default -> 1 << rnd.nextInt(16);
    };
  }

  /** Fewest aligned power-of-two blocks that tile [lo, hi] exactly, by dynamic programming. */
  private static int minimalCount(int lo, int hi) {
    int[] best = new int[hi - lo + 2];
    Arrays.fill(best, Integer.MAX_VALUE);
    best[hi - lo + 1] = 0;
    for (int x = hi; x >= lo; x--) {
      for (int k = 0; k <= 16; k++) {
        long size = 1L << k;
        if (x % size != 0 || x + size - 1 > hi) {
          break;
        }
        int rest = best[(int) (x + size - lo)];
        if (rest != Integer.MAX_VALUE) {
          best[x - lo] = Math.min(best[x - lo], 1 + rest);
        }
      }
    }
    return best[0];
  }
}
