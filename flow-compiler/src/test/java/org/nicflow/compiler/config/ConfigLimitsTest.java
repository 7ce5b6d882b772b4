package org.nicflow.compiler.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.model.Config;

/** The loader's limits hold exactly at their bounds, and the input beyond them is never read. */
class ConfigLimitsTest {

  private static final String MINIMAL = """
      hosts: []
      vnets: []
      vms: []
      rulesets:
        - name: web
          layers:
            - {name: acl, default: allow}
      """;

  /** An endless config file: one string that never ends; counts what was read of it. */
  private static final class EndlessString extends InputStream {
    long consumed;

    @Override
    public int read() {
      consumed++;
      return consumed == 1 ? '"' : 'a';
    }

    @Override
    public int read(byte[] b, int off, int len) {
      for (int i = 0; i < len; i++) {
        b[off + i] = (byte) read();
      }
      return len;
    }
  }

  private static ConfigError onlyError(ConfigLimits limits, String text, String source) {
    ConfigException e = catchThrowableOfType(() -> new ConfigLoader(limits).parse(text, source), ConfigException.class);
    assertThat(e).as("should be rejected").isNotNull();
    assertThat(e.errors()).as(e.getMessage()).hasSize(1);
    return e.errors().get(0);
  }

  @Test
  void aFileThatNeverEndsIsReadOnlyToTheLimitPlusOneByte() {
    EndlessString endless = new EndlessString();

    ConfigException e = catchThrowableOfType(() -> new ConfigLoader().load(endless, "endless.yaml"),
        ConfigException.class);

    assertThat(e).isNotNull();
    assertThat(e.getMessage())
        .isEqualTo("endless.yaml: the config is larger than 33554432 bytes, the most nicflow reads as a config");
    assertThat(endless.consumed).isEqualTo(ConfigLimits.DEFAULTS.maxBytes() + 1L);
  }

  @Test
  void theSizeLimitCountsBytesOfUtf8NotCharacters() throws ConfigException {
    String text = MINIMAL + "# " + "é".repeat(100) + "\n";
    int bytes = text.getBytes(StandardCharsets.UTF_8).length;

    assertThat(new ConfigLoader(new ConfigLimits(bytes, 1000, 100, 8)).parse(text, "c.yaml").rulesets()).hasSize(1);
    assertThat(onlyError(new ConfigLimits(bytes - 1, 1000, 100, 8), text, "c.yaml").message())
        .isEqualTo("the config is larger than " + (bytes - 1) + " bytes, the most nicflow reads as a config");
  }

  @Test
  void aLineOfExactlyTheLimitIsRead() throws ConfigException {
    String atLimit = MINIMAL + "#" + "c".repeat(199) + "\n";
    ConfigLimits limits = new ConfigLimits(10_000, 200, 100, 8);

    assertThat(new ConfigLoader(limits).parse(atLimit, "c.yaml").rulesets()).hasSize(1);
    assertThat(onlyError(limits, atLimit.replace("#", "##"), "c.yaml").message())
        .startsWith("line 8 is longer than 200 characters");
  }

  @Test
  void aStringOfExactlyTheLimitIsRead() throws ConfigException {
    ConfigLimits limits = new ConfigLimits(10_000, 1000, 100, 8);
    String dir = "/" + "d".repeat(99);

    Config config = new ConfigLoader(limits).parse(MINIMAL + "controller: {state_dir: " + dir + "}\n", "c.yaml");

    assertThat(config.controller().stateDir()).isEqualTo(dir);
    assertThat(onlyError(limits, MINIMAL + "controller: {state_dir: " + dir + "d}\n", "c.yaml").message())
        .isEqualTo("line 8, column 25: a string of 101 characters, longer than 100, the most a config string may hold");
    assertThat(onlyError(limits, MINIMAL + "controller: {" + "k".repeat(101) + ": 1}\n", "c.yaml").message())
        .isEqualTo("line 8, column 14: a key of 101 characters, longer than 100, the most a config string may hold");
  }

  @Test
  void nestingOfExactlyTheLimitIsRead() throws ConfigException {
    // root mapping, rulesets list, rule set mapping, layers list, layer mapping: 5 levels
    assertThat(new ConfigLoader(new ConfigLimits(10_000, 1000, 100, 5)).parse(MINIMAL, "c.yaml").rulesets()).hasSize(1);

    ConfigError error = onlyError(new ConfigLimits(10_000, 1000, 100, 4), MINIMAL, "c.yaml");
    assertThat(error.path()).isEqualTo("rulesets[0].layers[0]");
    assertThat(error.message()).isEqualTo("line 7, column 9: nested 5 levels deep, deeper than 4, the most a config may nest");
  }

  @Test
  void limitsMustBePositive() {
    assertThatThrownBy(() -> new ConfigLimits(0, 1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ConfigLimits(Integer.MAX_VALUE, 1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ConfigLimits(1, 0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ConfigLimits(1, 1, 0, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ConfigLimits(1, 1, 1, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
