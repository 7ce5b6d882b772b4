package org.nicflow.compiler.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import org.nicflow.compiler.model.Config;

/**
 * Fuzz target: config text as an operator could paste it, YAML (and so JSON, which YAML reads).
 * Contract: the loader gives a {@link Config} or a {@link ConfigException} whose every error names
 * the source; nothing else is thrown.
 *
 * <p>Regression inputs: {@code ConfigLoaderFuzzTestInputs/anyTextIsAConfigOrItsErrors}, seeded
 * with the example configs and their broken variants. How to fuzz: docs/benchmarks.md,
 * "Fuzzing".
 */
class ConfigLoaderFuzzTest {

  private final ConfigLoader loader = new ConfigLoader();

  @FuzzTest(maxDuration = "5s")
  void anyTextIsAConfigOrItsErrors(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    try {
      Config config = loader.parse(text, "fuzz.yaml");
      assertThat(config).isNotNull();
    } catch (ConfigException e) {
      assertThat(e.errors()).isNotEmpty().allSatisfy(error -> assertThat(error.toString()).startsWith("fuzz.yaml"));
    }
  }
}
