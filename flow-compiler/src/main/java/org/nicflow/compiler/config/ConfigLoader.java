package org.nicflow.compiler.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.nicflow.compiler.model.Config;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Reads a config (docs/config.md) from YAML, or JSON when the source name ends in {@code .json}.
 * Every error of the file is collected, each with the path to the bad field; a config with any
 * error is rejected whole. What the text may hold is bounded by {@link ConfigLimits}, checked as
 * the text is read. Stateless and safe to share.
 */
public final class ConfigLoader {

  private final ConfigLimits limits;
  private final ObjectMapper yaml;
  private final ObjectMapper json;

  public ConfigLoader() {
    this(ConfigLimits.DEFAULTS);
  }

  public ConfigLoader(ConfigLimits limits) {
    this.limits = limits;
    LoaderOptions options = new LoaderOptions();
    // Our own size limit applies first; the YAML reader's own (3 MiB by default) must not be lower.
    options.setCodePointLimit(limits.maxBytes());
    YAMLFactory yamlFactory = YAMLFactory.builder().loaderOptions(options)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    this.yaml = new ObjectMapper(yamlFactory);
    this.json = new ObjectMapper(JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());
  }

  /** Reads and validates {@code file}; errors name the file as given. */
  public Config load(Path file) throws ConfigException {
    String source = file.toString();
    try (InputStream in = Files.newInputStream(file)) {
      if (Files.isRegularFile(file) && Files.size(file) > limits.maxBytes()) {
        throw tooLarge(new ErrorLog(source)); // known without reading a byte
      }
      return load(in, source);
    } catch (NoSuchFileException e) {
      throw new ConfigException(List.of(new ConfigError(source, "", "no such file")));
    } catch (IOException e) {
      throw new ConfigException(List.of(new ConfigError(source, "", "cannot read the file: " + e)));
    }
  }

  /**
   * Reads and validates the config in {@code in}, which must be UTF-8. Reads at most
   * {@link ConfigLimits#maxBytes} + 1 bytes: one more is enough to know the config is too large.
   */
  public Config load(InputStream in, String sourceName) throws IOException, ConfigException {
    byte[] bytes = in.readNBytes(limits.maxBytes() + 1);
    ErrorLog log = new ErrorLog(sourceName);
    if (bytes.length > limits.maxBytes()) {
      throw tooLarge(log);
    }
    Optional<String> text = ConfigText.decode(bytes, log);
    if (text.isEmpty()) {
      throw new ConfigException(log.errors());
    }
    return read(text.get(), log);
  }

  /** Validates config text; {@code sourceName} names it in errors and chooses JSON when it ends in .json. */
  public Config parse(String text, String sourceName) throws ConfigException {
    ErrorLog log = new ErrorLog(sourceName);
    if (!ConfigText.fits(text, limits.maxBytes())) {
      throw tooLarge(log);
    }
    return read(ConfigText.withoutBom(text), log);
  }

  private ConfigException tooLarge(ErrorLog log) {
    log.add("", "the config is larger than " + limits.maxBytes() + " bytes, the most nicflow reads as a config");
    return new ConfigException(log.errors());
  }

  /**
   * Validates a config given as a tree, such as an API request's edit of the config document, with
   * the same checks as text but for the size of the text it came from. Errors name paths only:
   * the tree has no lines.
   */
  public Config read(JsonNode document, String sourceName) throws ConfigException {
    ErrorLog log = new ErrorLog(sourceName);
    try {
      return model(tree(document.traverse(), "JSON", log), log);
    } catch (IOException e) {
      throw new IllegalStateException("reading a config tree failed: " + e, e);
    }
  }

  private Config read(String text, ErrorLog log) throws ConfigException {
    boolean isJson = log.source().toLowerCase(Locale.ROOT).endsWith(".json");
    if (!isJson && !ConfigText.yamlFits(text, limits.maxLineChars(), log)) {
      throw new ConfigException(log.errors());
    }
    try {
      return model(tree((isJson ? json : yaml).getFactory().createParser(text), isJson ? "JSON" : "YAML", log), log);
    } catch (IOException e) {
      throw new IllegalStateException("reading config text from memory failed: " + e, e);
    }
  }

  /** The one document of {@code source}, read through a {@link CheckedParser}. */
  private JsonNode tree(JsonParser source, String format, ErrorLog log) throws IOException, ConfigException {
    try (JsonParser parser = new CheckedParser(source, limits)) {
      JsonNode root = json.readTree(parser);
      if (root != null && parser.nextToken() != null) {
        log.add("", at(parser.currentTokenLocation()) + (format.equals("JSON")
            ? "more text after the end of the config; a config is one JSON value"
            : "a second YAML document; a config is one document"));
        throw new ConfigException(log.errors());
      }
      if (root == null || root.isMissingNode() || root.isNull()) {
        log.add("", "the config is empty");
        throw new ConfigException(log.errors());
      }
      return root;
    } catch (CheckedParser.Refusal e) {
      log.add(e.path(), at(e.getLocation()) + e.getOriginalMessage());
      throw new ConfigException(log.errors());
    } catch (JsonProcessingException e) {
      JsonLocation where = e.getLocation();
      log.add("", "not valid " + format
          + (where == null || where.getLineNr() < 1 ? "" : " at line " + where.getLineNr() + ", column " + where.getColumnNr())
          + ": " + firstLine(e.getOriginalMessage()));
      throw new ConfigException(log.errors());
    }
  }

  private Config model(JsonNode root, ErrorLog log) throws ConfigException {
    var config = new ConfigReader(log).read(root);
    if (config.isEmpty() || !log.isEmpty()) {
      throw new ConfigException(log.errors());
    }
    return config.get();
  }

  /** {@code line L, column C: }, or nothing for a token without a place in a text. */
  private static String at(JsonLocation where) {
    return where == null || where.getLineNr() < 1 ? "" : "line " + where.getLineNr() + ", column " + where.getColumnNr() + ": ";
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "syntax error";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
