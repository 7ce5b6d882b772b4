package org.nicflow.compiler.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.nicflow.compiler.model.Config;

/**
 * Reads a config (docs/config.md) from YAML, or JSON when the source name ends in {@code .json}.
 * Every error of the file is collected, each with the path to the bad field; a config with any
 * error is rejected whole. Stateless and safe to share.
 */
public final class ConfigLoader {

  private final ObjectMapper yaml;
  private final ObjectMapper json;

  public ConfigLoader() {
    YAMLFactory yamlFactory = YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    this.yaml = new ObjectMapper(yamlFactory);
    this.json = new ObjectMapper();
    this.json.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  }

  /** Reads and validates {@code file}; errors name the file as given. */
  public Config load(Path file) throws ConfigException {
    String source = file.toString();
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(List.of(new ConfigError(source, "", "no such file")));
    } catch (IOException e) {
      throw new ConfigException(List.of(new ConfigError(source, "", "cannot read the file: " + e)));
    }
    return parse(text, source);
  }

  /** Validates config text; {@code sourceName} names it in errors and chooses JSON when it ends in .json. */
  public Config parse(String text, String sourceName) throws ConfigException {
    ErrorLog log = new ErrorLog(sourceName);
    boolean isJson = sourceName.toLowerCase(Locale.ROOT).endsWith(".json");
    JsonNode root;
    try {
      root = (isJson ? json : yaml).readTree(text);
    } catch (JsonProcessingException e) {
      JsonLocation where = e.getLocation();
      log.add("", "not valid " + (isJson ? "JSON" : "YAML")
          + (where == null ? "" : " at line " + where.getLineNr() + ", column " + where.getColumnNr())
          + ": " + firstLine(e.getOriginalMessage()));
      throw new ConfigException(log.errors());
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      log.add("", "the config is empty");
      throw new ConfigException(log.errors());
    }
    var config = new ConfigReader(log).read(root);
    if (config.isEmpty() || !log.isEmpty()) {
      throw new ConfigException(log.errors());
    }
    return config.get();
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "syntax error";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
