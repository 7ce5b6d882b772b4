package org.nicflow.compiler.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.model.Config;

/** {@code examples/large.yaml} is {@code nicflow generate-large --rules 10000 --seed 1}. */
class LargeExampleTest {

  private static final Path LARGE = Path.of("..", "examples", "large.yaml");

  @Test
  void loadsWithExactlyTenThousandRules() throws ConfigException {
    Config large = new ConfigLoader().load(LARGE);

    assertThat(LargeConfigGeneratorTest.ruleCount(large)).isEqualTo(10_000);
  }

  @Test
  void isWhatTheGeneratorWritesForSeedOne() throws ConfigException {
    assertThat(new ConfigLoader().load(LARGE)).isEqualTo(LargeConfigGenerator.generate(10_000, 1));
  }
}
