package org.nicflow.compiler.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.testing.PropertyRun;

class TakenNumbersTest {

  @Test
  void aFewTakenNumbersAreSkippedInTheList() {
    TakenNumbers taken = new TakenNumbers();
    taken.add(1024);
    taken.add(1025);
    taken.add(1027);
    assertThat(taken.firstFree(1024, 65535)).isEqualTo(1026);
    assertThat(taken.firstFree(1027, 65535)).isEqualTo(1028);
    assertThat(taken.firstFree(1024, 1025)).isEqualTo(-1);
    assertThat(taken.firstFreeFrom(1027, 1024, 1027)).isEqualTo(1026);
  }

  @Test
  void aFullRangeHasNoFreeNumberAndFreeingOneFindsItAgain() {
    TakenNumbers taken = new TakenNumbers();
    for (int n = 1024; n <= 65535; n++) {
      taken.add(n);
    }
    assertThat(taken.firstFreeFrom(30000, 1024, 65535)).isEqualTo(-1);
    assertThat(taken.firstFree(0, 65535)).isEqualTo(0);
    taken.remove(4242);
    assertThat(taken.firstFreeFrom(30000, 1024, 65535)).isEqualTo(4242);
    assertThat(taken.firstFreeFrom(4242, 1024, 65535)).isEqualTo(4242);
    assertThat(taken.size()).isEqualTo(64511);
  }

  @Test
  void emptiedSetForgetsItsBitmap() {
    TakenNumbers taken = new TakenNumbers();
    for (int n = 0; n < 100; n++) {
      taken.add(n * 600);
    }
    for (int n = 0; n < 100; n++) {
      assertThat(taken.remove(n * 600)).isTrue();
    }
    assertThat(taken.isEmpty()).isTrue();
    assertThat(taken.remove(0)).isFalse();
    assertThat(taken.firstFree(0, 0)).isEqualTo(0);
  }

  @Test
  void numbersOutsideTheSpaceAreRefused() {
    TakenNumbers taken = new TakenNumbers();
    assertThatThrownBy(() -> taken.add(65536)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> taken.firstFreeFrom(5, 10, 20)).isInstanceOf(IllegalArgumentException.class);
  }

  /** Random takes and frees, dense and sparse, checked against a plain bit set searched number by number. */
  @Test
  void agreesWithANumberByNumberSearch() {
    PropertyRun.of("TakenNumbers", 30).forEach((seed, rnd) -> {
      TakenNumbers taken = new TakenNumbers();
      BitSet model = new BitSet(TakenNumbers.SPACE);
      int lo = rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(65536);
      int hi = lo + rnd.nextInt(Math.min(65536 - lo, rnd.nextBoolean() ? 200 : 65536));
      int steps = rnd.nextInt(4) == 0 ? 70000 : 3000;
      for (int step = 0; step < steps; step++) {
        int n = lo + rnd.nextInt(hi - lo + 1);
        boolean fill = rnd.nextInt(10) < 8;
        if (fill) {
          assertThat(taken.add(n)).isEqualTo(!model.get(n));
          model.set(n);
        } else {
          assertThat(taken.remove(n)).isEqualTo(model.get(n));
          model.clear(n);
        }
        if (step % 7 == 0) {
          int start = lo + rnd.nextInt(hi - lo + 1);
          assertThat(taken.firstFreeFrom(start, lo, hi)).as("from %d in %d-%d", start, lo, hi)
              .isEqualTo(search(model, start, lo, hi));
          assertThat(taken.firstFree(start, hi)).isEqualTo(search(model, start, start, hi));
        }
      }
      assertThat(taken.size()).isEqualTo(model.cardinality());
      fillAndCheck(taken, model, rnd, lo, hi);
    });
  }

  private static void fillAndCheck(TakenNumbers taken, BitSet model, Random rnd, int lo, int hi) {
    for (int n = lo; n <= hi; n++) {
      if (rnd.nextInt(50) != 0) {
        taken.add(n);
        model.set(n);
      }
    }
    for (int i = 0; i < 200; i++) {
      int start = lo + rnd.nextInt(hi - lo + 1);
      assertThat(taken.firstFreeFrom(start, lo, hi)).isEqualTo(search(model, start, lo, hi));
    }
  }

  private static int search(BitSet model, int start, int lo, int hi) {
    int size = hi - lo + 1;
    for (int i = 0; i < size; i++) {
      int n = lo + (start - lo + i) % size;
      if (!model.get(n)) {
        return n;
      }
    }
    return -1;
  }
}
