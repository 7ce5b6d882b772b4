package org.nicflow.compiler.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.config.ConfigWriter;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Layer;
import org.nicflow.compiler.model.RuleSet;

class RandomConfigsTest {

  @Test
  void generatedConfigsAreValidAndWithinTheirBounds() {
    ConfigLoader loader = new ConfigLoader();
    new PropertyRun("random configs", 11, 100).forEach((seed, random) -> {
      Config config = RandomConfigs.generate(random);

      assertThat(loader.parse(ConfigWriter.toYaml(config), "generated")).isEqualTo(config);
      assertThat(config.hosts()).hasSizeBetween(1, 3);
      assertThat(config.vnets()).hasSizeBetween(1, 3);
      assertThat(config.vms()).hasSizeBetween(2, 8);
      assertThat(config.rulesets()).allSatisfy(rs -> assertThat(rs.layers()).hasSizeBetween(1, 4));
      int rules = config.rulesets().stream().flatMap(rs -> rs.layers().stream()).mapToInt(l -> l.rules().size())
          .sum();
      assertThat(rules).isBetween(0, RandomConfigs.MAX_RULES);
    });
  }

  @Test
  void sameSeedGivesTheSameConfigAndTraffic() {
    Config a = RandomConfigs.generate(new Random(3));
    Config b = RandomConfigs.generate(new Random(3));
    assertThat(a).isEqualTo(b);
    Random ra = new Random(4);
    Random rb = new Random(4);
    for (int i = 0; i < 100; i++) {
      assertThat(new RandomTraffic(a).next(ra)).isEqualTo(new RandomTraffic(b).next(rb));
    }
  }

  @Test
  void largeRuleSetsAreDrawn() {
    int most = 0;
    for (long seed = 0; seed < 200; seed++) {
      Config config = RandomConfigs.generate(new Random(seed));
      int rules = 0;
      for (RuleSet rs : config.rulesets()) {
        for (Layer l : rs.layers()) {
          rules += l.rules().size();
        }
      }
      most = Math.max(most, rules);
    }
    assertThat(most).isGreaterThan(150);
  }
}
