package org.nicflow.controller.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.nicflow.compiler.config.ConfigException;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.config.ConfigWriter;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.PolicyIds;

/**
 * The bytes a {@link PolicyStore} keeps per revision: the config as the YAML a user would write
 * and the stable numbers of its VMs, layers and rules ({@link PolicyIds}), in one JSON object
 * {@code {"format": 1, "config": "<yaml>", "ids": {...}}}. Reading checks the config exactly like
 * a config file, so a document that does not load is never taken for a policy.
 */
public final class PolicyDocuments {

  private static final int FORMAT = 1;
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
  /** Stateless and safe to share; building one (its YAML and JSON readers) costs more than a small read. */
  private static final ConfigLoader LOADER = new ConfigLoader();

  private PolicyDocuments() {}

  public static byte[] write(Config config) {
    ObjectNode doc = JSON.createObjectNode();
    doc.put("format", FORMAT);
    doc.put("config", ConfigWriter.toYaml(config));
    doc.set("ids", JSON.valueToTree(config.ids()));
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(doc);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the policy document: " + e.getMessage(), e);
    }
  }

  /**
   * The config of a stored document.
   *
   * @param source names the document in errors ({@code revision 7})
   * @throws PolicyStoreException when the document is not a policy document or its config or
   *     numbers do not load
   */
  public static Config read(byte[] document, String source) {
    JsonNode doc;
    try {
      doc = JSON.readTree(document);
    } catch (IOException e) {
      throw new PolicyStoreException(source + " is not a policy document: " + e.getMessage(), e);
    }
    if (doc == null || !doc.path("format").canConvertToInt() || doc.path("format").asInt() != FORMAT
        || !doc.path("config").isTextual() || !doc.path("ids").isObject()) {
      throw new PolicyStoreException(source + " is not a policy document of format " + FORMAT);
    }
    Config config;
    try {
      config = LOADER.parse(doc.get("config").asText(), source);
    } catch (ConfigException e) {
      throw new PolicyStoreException(source + " holds a config that does not load: " + e.getMessage(), e);
    }
    try {
      return config.withIds(JSON.treeToValue(doc.get("ids"), PolicyIds.class));
    } catch (IOException | IllegalArgumentException e) {
      throw new PolicyStoreException(source + " holds numbers that do not fit its config: " + e.getMessage(), e);
    }
  }

  /** {@code document} as text, for logs and tests. */
  public static String text(byte[] document) {
    return new String(document, StandardCharsets.UTF_8);
  }
}
