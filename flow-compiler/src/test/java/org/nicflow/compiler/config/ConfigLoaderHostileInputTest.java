package org.nicflow.compiler.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nicflow.compiler.model.Config;

/**
 * Config text an attacker or a broken tool could hand the loader: aliases, huge inputs, bad
 * encodings, control characters, deep nesting, several documents. Each is refused with one error
 * that names where it is, never read as something else.
 */
class ConfigLoaderHostileInputTest {

  private static final String HEAD = """
      hosts:
        - {name: host1, dpid: "0000000000000001", uplink: host1-up, underlay_ip: 192.168.50.1}
      vnets:
        - {name: blue, vni: 5001, prefix: 10.1.0.0/16, gateway: 10.1.0.1}
      """;
  private static final String RULESETS = """
      rulesets:
        - {name: web, layers: [{name: acl, default: allow}]}
        - {name: db, layers: [{name: acl, default: deny}]}
      """;

  private final ConfigLoader loader = new ConfigLoader();

  @TempDir
  Path dir;

  private static String vms(String ruleset1, String ruleset2) {
    return "vms:\n"
        + "  - {name: web1, host: host1, port: p-web1, mac: \"02:00:00:00:01:0b\", ip: 10.1.0.11, vnet: blue, ruleset: "
        + ruleset1 + "}\n"
        + "  - {name: web2, host: host1, port: p-web2, mac: \"02:00:00:00:01:0c\", ip: 10.1.0.12, vnet: blue, ruleset: "
        + ruleset2 + "}\n";
  }

  private static String config(String ruleset1, String ruleset2) {
    return HEAD + vms(ruleset1, ruleset2) + RULESETS;
  }

  private ConfigError onlyError(String text, String source) {
    ConfigException e = catchThrowableOfType(() -> loader.parse(text, source), ConfigException.class);
    assertThat(e).as("should be rejected").isNotNull();
    assertThat(e.errors()).as(e.getMessage()).hasSize(1);
    return e.errors().get(0);
  }

  private ConfigError onlyErrorOfFile(byte[] bytes, String name) throws IOException {
    Path file = dir.resolve(name);
    Files.write(file, bytes);
    ConfigException e = catchThrowableOfType(() -> loader.load(file), ConfigException.class);
    assertThat(e).as("should be rejected").isNotNull();
    assertThat(e.errors()).as(e.getMessage()).hasSize(1);
    return e.errors().get(0);
  }

  // ---------------------------------------------------------------- aliases

  @Test
  void anAnchoredScalarIsReadAsWrittenAndItsAliasIsRefusedNotReadAsTheAnchorName() {
    ConfigError error = onlyError(config("&db web", "*db"), "c.yaml");

    assertThat(error.path()).isEqualTo("vms[1].ruleset");
    assertThat(error.message()).startsWith("line 7, column ").contains("YAML alias *db", "write the value out");
  }

  @Test
  void anAnchorWithoutAliasChangesNothing() throws ConfigException {
    Config config = loader.parse(config("&db web", "db"), "c.yaml");

    assertThat(config.vms()).extracting(vm -> vm.ruleset()).containsExactly("web", "db");
  }

  @Test
  void aliasesOfMappingsAndListsAreRefused() {
    String layers = HEAD + vms("web", "db") + """
        rulesets:
          - name: web
            layers: &layers
              - &acl {name: acl, default: allow}
          - name: db
            layers: *layers
        """;
    ConfigError listAlias = onlyError(layers, "c.yaml");
    assertThat(listAlias.path()).isEqualTo("rulesets[1].layers");
    assertThat(listAlias.message()).startsWith("line 13, column 13: YAML alias *layers");

    ConfigError mappingAlias = onlyError(layers.replace("layers: *layers", "layers: [*acl]"), "c.yaml");
    assertThat(mappingAlias.path()).isEqualTo("rulesets[1].layers[0]");
    assertThat(mappingAlias.message()).contains("YAML alias *acl");
  }

  @Test
  void aBillionLaughsIsRefusedAtItsFirstAliasBeforeAnythingIsExpanded() {
    StringBuilder text = new StringBuilder(HEAD).append("vms: []\nrulesets: []\nload_balancers:\n  - &l0 [lol, lol]\n");
    for (int i = 1; i <= 30; i++) {
      text.append("  - &l").append(i).append(" [").append(("*l" + (i - 1) + ", ").repeat(9)).append("*l")
          .append(i - 1).append("]\n");
    }

    ConfigError error = onlyError(text.toString(), "c.yaml");

    assertThat(error.path()).isEqualTo("load_balancers[1][0]");
    assertThat(error.message()).contains("line 9, column ", "YAML alias *l0");
  }

  // ---------------------------------------------------------------- size

  @Test
  void aFileOverTheSizeLimitIsRefusedAsTooLarge() throws IOException {
    Path file = dir.resolve("huge.yaml");
    byte[] line = "# padding padding padding padding padding padding padding padding\n".getBytes(StandardCharsets.UTF_8);
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(config("web", "db").getBytes(StandardCharsets.UTF_8));
      long written = config("web", "db").length();
      while (written <= ConfigLimits.DEFAULTS.maxBytes()) {
        out.write(line);
        written += line.length;
      }
    }

    ConfigException e = catchThrowableOfType(() -> loader.load(file), ConfigException.class);

    assertThat(e.errors()).hasSize(1);
    assertThat(e.errors().get(0).message())
        .isEqualTo("the config is larger than 33554432 bytes, the most nicflow reads as a config");
  }

  @Test
  void aConfigOfSeveralMegabytesLoads() throws ConfigException {
    Config large = LargeConfigGenerator.generate(30_000, 1);
    String text = ConfigWriter.toYaml(large);
    assertThat(text.length()).isGreaterThan(3 << 20);

    assertThat(loader.parse(text, "large.yaml")).isEqualTo(large);
  }

  @Test
  void aYamlLineLongerThanTheLimitIsRefusedBeforeItIsParsed() {
    String name = "x".repeat(ConfigLimits.DEFAULTS.maxLineChars());
    // Invalid YAML after the long line: the line check runs first, so its error is the one reported.
    ConfigError error = onlyError(config("web", name) + "}}}\n", "c.yaml");

    assertThat(error.path()).isEmpty();
    assertThat(error.message()).isEqualTo("line 7 is longer than 131072 characters, the most a line of a YAML config "
        + "may hold (break the line, or write the config as JSON)");
  }

  @Test
  void aStringLongerThanTheLimitIsRefusedWhereItIs() {
    String folded = ">-\n" + ("      " + "y".repeat(1000) + "\n").repeat(70);
    String text = HEAD + "vms: []\nrulesets:\n  - name: " + folded + "    layers: []\n";

    ConfigError error = onlyError(text, "c.yaml");

    assertThat(error.path()).isEqualTo("rulesets[0].name");
    assertThat(error.message()).isEqualTo(
        "line 7, column 11: a string of 70069 characters, longer than 65536, the most a config string may hold");
  }

  @Test
  void aJsonStringLongerThanTheLimitIsRefusedWhereItIs() {
    String text = "{\"hosts\": [], \"vnets\": [], \"vms\": [], \"rulesets\": [],\n \"controller\": {\"state_dir\": \""
        + "d".repeat(70_000) + "\"}}";

    ConfigError error = onlyError(text, "c.json");

    assertThat(error.path()).isEqualTo("controller.state_dir");
    assertThat(error.message()).startsWith("line 2, column ").endsWith(
        "a string of 70000 characters, longer than 65536, the most a config string may hold");
  }

  @Test
  void anErrorQuotesAtMostAFewHundredCharactersOfALongValue() {
    ConfigError error = onlyError(config("web", "z".repeat(60_000)), "c.yaml");

    assertThat(error.path()).isEqualTo("vms[1].ruleset");
    assertThat(error.message()).startsWith("no rule set named 'zzz").endsWith("... (59737 more characters)")
        .hasSizeLessThan(400);
  }

  // ---------------------------------------------------------------- encoding

  @Test
  void invalidUtf8IsRefusedNamingTheLineColumnAndByte() throws IOException {
    byte[] good = config("web", "db").getBytes(StandardCharsets.UTF_8);
    String line6 = "  - {name: web1";
    int at = config("web", "db").indexOf(line6) + 12;
    good[at] = (byte) 0xc3;
    good[at + 1] = (byte) 0x28;

    ConfigError error = onlyErrorOfFile(good, "bad.yaml");

    assertThat(error.path()).isEmpty();
    assertThat(error.message()).isEqualTo("not valid UTF-8 at line 6, column 13 (byte " + at + "): a config must be "
        + "UTF-8 text");
  }

  @Test
  void aUtf16FileIsRefusedWithAHint() throws IOException {
    ConfigError error = onlyErrorOfFile(("\uFEFF" + config("web", "db")).getBytes(StandardCharsets.UTF_16LE), "w.yaml");

    assertThat(error.message()).isEqualTo("not valid UTF-8 at line 1, column 1 (byte 0): a config must be UTF-8 text "
        + "(it starts with a UTF-16 byte order mark: save it as UTF-8)");
  }

  @Test
  void aByteOrderMarkAtTheStartIsIgnoredInYamlAndJson() throws Exception {
    Path yaml = dir.resolve("bom.yaml");
    Files.write(yaml, ("\uFEFF" + config("web", "db")).getBytes(StandardCharsets.UTF_8));
    Path json = dir.resolve("bom.json");
    Files.write(json, "\uFEFF{\"hosts\": [], \"vnets\": [], \"vms\": [], \"rulesets\": []}".getBytes(StandardCharsets.UTF_8));

    assertThat(loader.load(yaml).vms()).hasSize(2);
    assertThat(loader.load(json).vms()).isEmpty();
  }

  @Test
  void aByteOrderMarkInsideTheTextIsRefusedNamingItsLine() {
    ConfigError error = onlyError(config("web", "db").replace("rulesets:", "\uFEFFrulesets:"), "c.yaml");

    assertThat(error.message()).isEqualTo(
        "line 8, column 1: a byte order mark (U+FEFF) after the start of the text is not allowed in a config file");
  }

  @Test
  void aNulByteIsRefusedNamingItsLineAndColumn() {
    ConfigError error = onlyError(config("web", "d\u0000b"), "c.yaml");

    String line7 = config("web", "d\u0000b").lines().toList().get(6);
    assertThat(error.message()).isEqualTo("line 7, column " + (line7.indexOf('\u0000') + 1)
        + ": the control character U+0000 is not allowed in a config file");
  }

  @Test
  void anEscapedControlCharacterInAStringIsRefused() {
    String text = config("web", "db") + "controller: {state_dir: \"/var/lib/nicflow\\0x\"}\n";

    ConfigError error = onlyError(text, "c.yaml");

    assertThat(error.path()).isEqualTo("controller.state_dir");
    assertThat(error.message()).isEqualTo("line 11, column 25: the string holds the control character U+0000 "
        + "at character 17; config strings hold printable characters only");
  }

  @Test
  void anEscapedHalfSurrogateInJsonIsRefused() {
    String text = "{\"hosts\": [], \"vnets\": [], \"vms\": [], \"rulesets\": [], \"controller\": {\"state_dir\": \"a\\ud800\"}}";

    ConfigError error = onlyError(text, "c.json");

    assertThat(error.path()).isEqualTo("controller.state_dir");
    assertThat(error.message()).contains("half a surrogate pair (U+D800)");
  }

  // ---------------------------------------------------------------- structure

  @Test
  void deepNestingIsRefusedNamingItsLineNotOverflowingTheStack() {
    for (String source : List.of("c.yaml", "c.json")) {
      String text = "{\"hosts\": " + "[".repeat(10_000) + "]".repeat(10_000)
          + ", \"vnets\": [], \"vms\": [], \"rulesets\": []}";

      ConfigError error = onlyError(text, source);

      assertThat(error.path()).as(source).startsWith("hosts[0][0][0]");
      assertThat(error.message()).as(source)
          .isEqualTo("line 1, column 74: nested 65 levels deep, deeper than 64, the most a config may nest");
    }
  }

  @Test
  void aSecondYamlDocumentIsRefused() {
    ConfigError error = onlyError(config("web", "db") + "---\n" + config("db", "web"), "c.yaml");

    assertThat(error.message()).isEqualTo("line 12, column 1: a second YAML document; a config is one document");
  }

  @Test
  void textAfterTheJsonValueIsRefused() {
    String one = "{\"hosts\": [], \"vnets\": [], \"vms\": [], \"rulesets\": []}";

    ConfigError error = onlyError(one + "\n" + one, "c.json");

    assertThat(error.message()).isEqualTo("line 2, column 1: more text after the end of the config; a config is one "
        + "JSON value");
  }

  @Test
  void aKeyWrittenTwiceIsRefusedInYamlAndJson() {
    assertThat(onlyError(config("web", "db") + "vnets: []\n", "c.yaml").message())
        .isEqualTo("not valid YAML at line 11, column 6: Duplicate field 'vnets'");
    assertThat(onlyError("{\"hosts\": [], \"vnets\": [], \"vms\": [], \"rulesets\": [], \"vms\": []}", "c.json").message())
        .isEqualTo("not valid JSON at line 1, column 60: Duplicate field 'vms'");
  }
}
