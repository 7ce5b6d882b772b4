package org.nicflow.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.OpenflowOutbound;

class RunCommandApiOptionTest {

  private Config config;

  @BeforeEach
  void setUp() throws Exception {
    config = new ConfigLoader().load(Path.of("../examples/demo.yaml"));
  }

  @Test
  void apiListensWhereTheConfigSaysByDefault() {
    Optional<InetSocketAddress> api = RunCommand.apiAddress(config, Optional.empty(), false);

    assertThat(api).hasValueSatisfying(a -> {
      assertThat(a.getHostString()).isEqualTo("127.0.0.1");
      assertThat(a.getPort()).isEqualTo(8080);
    });
  }

  @Test
  void apiOptionOverridesTheConfig() {
    Optional<InetSocketAddress> api = RunCommand.apiAddress(config, Optional.of("0.0.0.0:0"), false);

    assertThat(api).hasValueSatisfying(a -> {
      assertThat(a.getHostString()).isEqualTo("0.0.0.0");
      assertThat(a.getPort()).isZero();
    });
  }

  @Test
  void noApiDisablesIt() {
    assertThat(RunCommand.apiAddress(config, Optional.empty(), true)).isEmpty();
  }

  @Test
  void badApiAddressesAreRejectedWithTheirText() {
    assertThatThrownBy(() -> RunCommand.apiAddress(config, Optional.of("8080"), false))
        .isInstanceOf(BadInputException.class).hasMessageContaining("'8080'");
    assertThatThrownBy(() -> RunCommand.apiAddress(config, Optional.of("localhost:70000"), false))
        .isInstanceOf(BadInputException.class).hasMessageContaining("0-65535");
    assertThatThrownBy(() -> RunCommand.apiAddress(config, Optional.of("localhost:http"), false))
        .isInstanceOf(BadInputException.class);
    assertThatThrownBy(() -> RunCommand.apiAddress(config, Optional.of("localhost:1"), true))
        .isInstanceOf(BadInputException.class).hasMessageContaining("--no-api");
  }

  @Test
  void theOpenflowListenerBoundsWhatWaitsForASwitchAsTheConfigSays() throws Exception {
    OpenflowOutbound outbound = new OpenflowOutbound(4096, 1 << 20);
    Config limited = config.withController(config.controller().withOpenflowOutbound(outbound));

    assertThat(RunCommand.openflowListener(limited, Optional.empty()).settings().outbound()).isEqualTo(outbound);
    assertThat(RunCommand.openflowListener(limited, Optional.of("127.0.0.1:0")).settings().outbound())
        .isEqualTo(outbound);
    assertThat(RunCommand.openflowListener(config, Optional.empty()).settings().outbound())
        .isEqualTo(OpenflowOutbound.DEFAULT);
  }
}
