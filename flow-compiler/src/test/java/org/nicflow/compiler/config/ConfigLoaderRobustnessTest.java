package org.nicflow.compiler.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Whatever the text, the loader answers a config or a {@link ConfigException} with errors; nothing else. */
class ConfigLoaderRobustnessTest {

  private static final List<String> TOKENS = List.of("-1", "x", "[]", "{}", "null", "99999", "tcp", "icmp",
      "0.0.0.0/0", "true", "\"\"", "1-0", "snat", "set_dscp", "tun-x", "web1", "host1", "02:00:00:00:01:0b",
      "10.1.0.11", "70000", "deny", "stateful: true", "to: 1.2.3.4", "dscp: 9", "- ");

  @Test
  void mutatedDemoConfigsYieldAConfigOrConfigErrorsOnly() throws Exception {
    String demo = Files.readString(Path.of("..", "examples", "demo.yaml"));
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    ConfigLoader loader = new ConfigLoader();
    int rejected = 0;
    for (int i = 0; i < 400; i++) {
      String text = mutate(demo, random, 1 + random.nextInt(3));
      try {
        loader.parse(text, "fuzz.yaml");
      } catch (ConfigException e) {
        rejected++;
        assertThat(e.errors()).as("seed %d iteration %d", seed, i).isNotEmpty()
            .allSatisfy(err -> assertThat(err.message()).isNotBlank().isNotEqualTo("null"));
      } catch (RuntimeException e) {
        throw new AssertionError("seed " + seed + " iteration " + i + ": " + e + "\n" + text, e);
      }
    }
    assertThat(rejected).as("seed %d", seed).isPositive();
  }

  private static String mutate(String text, Random random, int times) {
    List<String> lines = new ArrayList<>(text.lines().toList());
    for (int t = 0; t < times; t++) {
      int at = random.nextInt(lines.size());
      String line = lines.get(at);
      switch (random.nextInt(4)) {
        case 0 -> lines.remove(at);
        case 1 -> lines.add(at, line);
        case 2 -> {
          // replace one value after a ": " with a token
          int colon = line.indexOf(": ", random.nextInt(Math.max(1, line.length())));
          if (colon >= 0) {
            int end = line.indexOf(',', colon);
            end = end < 0 ? line.length() : end;
            lines.set(at, line.substring(0, colon + 2) + TOKENS.get(random.nextInt(TOKENS.size())) + line.substring(end));
          }
        }
        default -> {
          int other = random.nextInt(lines.size());
          lines.set(at, lines.get(other));
          lines.set(other, line);
        }
      }
      if (lines.isEmpty()) {
        lines.add("");
      }
    }
    return String.join("\n", lines) + "\n";
  }
}
