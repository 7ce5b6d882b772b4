package org.nicflow.compiler.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FlowMatchTest {

  @Test
  void fieldsAreInFieldOrderWhateverTheOrderTheyWereAdded() {
    FlowMatch m = FlowMatch.builder().exact(MatchField.TCP_DST, 80).inPort("p1").exact(MatchField.ETH_TYPE, 0x0800)
        .build();

    assertThat(m.fields().keySet()).containsExactly(MatchField.IN_PORT, MatchField.ETH_TYPE, MatchField.TCP_DST);
    assertThat(m.fields().get(MatchField.TCP_DST)).isEqualTo(FieldMatch.exact(MatchField.TCP_DST, 80));
    assertThat(m.fields().get(MatchField.TCP_SRC)).isNull();
    assertThat(m.has(MatchField.ETH_TYPE)).isTrue();
    assertThat(m.get(MatchField.IP_PROTO)).isEmpty();
    assertThat(m.toString()).isEqualTo("[" + FieldMatch.inPort("p1") + ", " + FieldMatch.exact(MatchField.ETH_TYPE, 0x0800)
        + ", " + FieldMatch.exact(MatchField.TCP_DST, 80) + "]");
    assertThat(FlowMatch.ANY.fields()).isEmpty();
    assertThat(FlowMatch.ANY.toString()).isEqualTo("[]");
  }

  @Test
  void fieldsViewEqualsAMapOfTheSameMatches() {
    RandomFlows random = new RandomFlows(new Random(3), List.of("a", "b"));
    for (int i = 0; i < 300; i++) {
      FlowMatch m = random.match();
      Map<MatchField, FieldMatch> copy = new EnumMap<>(MatchField.class);
      copy.putAll(m.fields());

      assertThat(m.fields()).isEqualTo(copy).hasSameHashCodeAs(copy).hasSize(copy.size());
      assertThat(m.toBuilder().build()).isEqualTo(m).hasSameHashCodeAs(m);
    }
  }

  @Test
  void equalMatchesAreEqualAndOthersAreNot() {
    FlowMatch a = FlowMatch.builder().masked(MatchField.METADATA, 0x100, 0xff00).exact(MatchField.ETH_TYPE, 0x0800).build();
    FlowMatch b = FlowMatch.builder().exact(MatchField.ETH_TYPE, 0x0800).masked(MatchField.METADATA, 0x100, 0xff00).build();
    FlowMatch c = a.toBuilder().replace(FieldMatch.masked(MatchField.METADATA, 0x200, 0xff00)).build();

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(c).isNotEqualTo(FlowMatch.ANY);
    assertThat(c.fields().get(MatchField.METADATA).value()).isEqualTo(0x200);
    assertThat(a.fields().get(MatchField.METADATA).value()).isEqualTo(0x100);
  }

  @Test
  void aBuilderDoesNotChangeTheMatchesItBuilt() {
    FlowMatch.Builder builder = FlowMatch.builder().exact(MatchField.ETH_TYPE, 0x0800);
    FlowMatch first = builder.build();
    builder.exact(MatchField.IP_PROTO, 6);

    assertThat(first.has(MatchField.IP_PROTO)).isFalse();
    assertThatThrownBy(() -> builder.exact(MatchField.IP_PROTO, 17)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("matched twice");
    assertThatThrownBy(() -> first.fields().put(MatchField.TCP_DST, FieldMatch.exact(MatchField.TCP_DST, 1)))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
