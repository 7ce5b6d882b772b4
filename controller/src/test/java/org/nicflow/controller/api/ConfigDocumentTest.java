package org.nicflow.controller.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.config.LargeConfigGenerator;
import org.nicflow.compiler.model.Config;

class ConfigDocumentTest {

  @Test
  void aConfigOfSeveralMegabytesBecomesADocumentThatLoadsBackEqual() throws Exception {
    Config large = LargeConfigGenerator.generate(30_000, 1);

    assertThat(new ConfigLoader().read(ConfigDocument.of(large), "document.json")).isEqualTo(large);
  }
}
