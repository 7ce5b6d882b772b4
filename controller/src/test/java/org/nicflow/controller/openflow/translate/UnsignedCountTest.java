package org.nicflow.controller.openflow.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UnsignedCountTest {

  private static final BigInteger LIMIT = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  @Test
  void allOnesIsTheLargestCountNotMinusOne() {
    assertThat(UnsignedCount.MAX).hasToString("18446744073709551615");
    assertThat(UnsignedCount.MAX.toBigInteger()).isEqualTo(LIMIT);
    assertThat(new UnsignedCount(Long.MIN_VALUE)).isGreaterThan(new UnsignedCount(Long.MAX_VALUE));
  }

  @Test
  void sumsStopAtTheLargestCountInsteadOfWrapping() {
    assertThat(UnsignedCount.MAX.plus(UnsignedCount.of(1))).isEqualTo(UnsignedCount.MAX);
    assertThat(new UnsignedCount(Long.MIN_VALUE).plus(new UnsignedCount(Long.MIN_VALUE))).isEqualTo(UnsignedCount.MAX);
    assertThat(UnsignedCount.of(Long.MAX_VALUE).plus(UnsignedCount.of(1))).hasToString("9223372036854775808");
    assertThat(UnsignedCount.of(2).plus(UnsignedCount.ZERO)).isEqualTo(UnsignedCount.of(2));
  }

  /** Against BigInteger arithmetic, capped: the sum is exact below 2^64 and 2^64-1 from there on. */
  @Test
  void saturatingAddAgreesWithExactArithmeticCapped() {
    Random random = new Random(64);
    long[] edges = {0, 1, -1L, -2L, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1};
    for (int i = 0; i < 10_000; i++) {
      long a = i < 49 ? edges[i % 7] : random.nextLong();
      long b = i < 49 ? edges[i / 7] : random.nextLong() >>> random.nextInt(64);
      BigInteger exact = new UnsignedCount(a).toBigInteger().add(new UnsignedCount(b).toBigInteger()).min(LIMIT);
      assertThat(new UnsignedCount(UnsignedCount.saturatingAdd(a, b)).toBigInteger()).as("%s + %s",
          Long.toUnsignedString(a), Long.toUnsignedString(b)).isEqualTo(exact);
    }
  }

  @Test
  void jsonIsAPlainUnsignedNumber() throws Exception {
    ObjectMapper json = new ObjectMapper();
    record Flow(UnsignedCount packets) {}

    assertThat(json.writeValueAsString(new Flow(UnsignedCount.MAX))).isEqualTo("{\"packets\":18446744073709551615}");
  }

  @Test
  void aNegativeLongIsNotACount() {
    assertThatThrownBy(() -> UnsignedCount.of(-5)).isInstanceOf(IllegalArgumentException.class);
  }
}
