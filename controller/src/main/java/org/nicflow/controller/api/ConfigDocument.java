package org.nicflow.controller.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.nicflow.compiler.config.ConfigWriter;
import org.nicflow.compiler.model.Config;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * A config as the JSON tree of its config file (docs/config.md): the keys and layout
 * {@link ConfigWriter} writes, so {@code ConfigLoader} reads the tree back to an equal config.
 * What {@code GET /api/v1/config} answers, what the write endpoints edit and what
 * {@code nicflow apply} sends.
 */
public final class ConfigDocument {

  /** Reads only what {@link ConfigWriter} wrote, so without the YAML reader's 3 MiB default limit. */
  private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder().loaderOptions(unlimited()).build());

  private ConfigDocument() {}

  private static LoaderOptions unlimited() {
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(Integer.MAX_VALUE);
    return options;
  }

  /** A new, mutable tree of {@code config}; the caller owns it. */
  public static ObjectNode of(Config config) {
    String yaml = ConfigWriter.toYaml(config);
    JsonNode tree;
    try {
      tree = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("ConfigWriter wrote YAML that does not parse: " + e.getOriginalMessage(), e);
    }
    if (!(tree instanceof ObjectNode object)) {
      throw new IllegalStateException("ConfigWriter wrote YAML that is not a mapping");
    }
    return object;
  }
}
