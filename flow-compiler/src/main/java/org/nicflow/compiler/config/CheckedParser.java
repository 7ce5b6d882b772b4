package org.nicflow.compiler.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A YAML or JSON token stream that refuses, as each token is read, what nicflow does not take from
 * a config: YAML aliases (nicflow reads every value where it is written; an anchor alone changes
 * nothing and is let through), strings longer than {@link ConfigLimits#maxStringChars}, control
 * characters in strings, and nesting deeper than {@link ConfigLimits#maxDepth}. A refusal is a
 * {@link Refusal} naming the path and the position of the token.
 */
final class CheckedParser extends JsonParserDelegate {

  /** Why a token was refused, where it is in the tree and in the text. */
  static final class Refusal extends JsonProcessingException {
    private static final long serialVersionUID = 1L;

    private final String path;

    Refusal(String path, String reason, JsonLocation where) {
      super(reason, where);
      this.path = path;
    }

    String path() {
      return path;
    }
  }

  private final ConfigLimits limits;

  CheckedParser(JsonParser parser, ConfigLimits limits) {
    super(parser);
    this.limits = limits;
  }

  @Override
  public JsonToken nextToken() throws IOException {
    JsonToken token = delegate.nextToken();
    if (token != null) {
      check(token);
    }
    return token;
  }

  @Override
  public JsonToken nextValue() throws IOException {
    JsonToken token = nextToken();
    return token == JsonToken.FIELD_NAME ? nextToken() : token;
  }

  @Override
  public JsonParser skipChildren() throws IOException {
    if (!isExpectedStartObjectToken() && !isExpectedStartArrayToken()) {
      return this;
    }
    int open = 1;
    while (open > 0) {
      JsonToken token = nextToken();
      if (token == null) {
        return this;
      }
      if (token.isStructStart()) {
        open++;
      } else if (token.isStructEnd()) {
        open--;
      }
    }
    return this;
  }

  private void check(JsonToken token) throws IOException {
    if (delegate instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
      throw refuse(token, "YAML alias *" + yaml.getText() + ": nicflow does not read aliases; write the value "
          + "out where it is used");
    }
    if (token.isStructStart()) {
      int depth = delegate.getParsingContext().getNestingDepth();
      if (depth > limits.maxDepth()) {
        throw refuse(token, "nested " + depth + " levels deep, deeper than " + limits.maxDepth()
            + ", the most a config may nest");
      }
    } else if (token == JsonToken.FIELD_NAME || token == JsonToken.VALUE_STRING) {
      String text = token == JsonToken.FIELD_NAME ? delegate.currentName() : delegate.getText();
      String what = token == JsonToken.FIELD_NAME ? "key" : "string";
      if (text.length() > limits.maxStringChars()) {
        throw refuse(token, "a " + what + " of " + text.length() + " characters, longer than "
            + limits.maxStringChars() + ", the most a config string may hold");
      }
      for (int i = 0; i < text.length(); i++) {
        if (ConfigText.isRefusedInString(text, i)) {
          throw refuse(token, "the " + what + " holds " + ConfigText.describe(text.charAt(i))
              + " at character " + (i + 1) + "; config strings hold printable characters only");
        }
      }
    } else if (token.isNumeric() && delegate.getTextLength() > limits.maxStringChars()) {
      throw refuse(token, "a number of " + delegate.getTextLength() + " characters, longer than "
          + limits.maxStringChars() + ", the most a config string may hold");
    }
  }

  private Refusal refuse(JsonToken token, String reason) {
    return new Refusal(path(token), reason, delegate.currentTokenLocation());
  }

  /** The path of the current token, as {@link ErrorLog#at} writes it. */
  private String path(JsonToken token) {
    JsonStreamContext context = delegate.getParsingContext();
    if (token.isStructStart() && context != null) {
      context = context.getParent();
    }
    Deque<JsonStreamContext> chain = new ArrayDeque<>();
    for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
      chain.push(c);
    }
    String path = "";
    for (JsonStreamContext c : chain) {
      if (c.inArray()) {
        path = ErrorLog.at(path, Math.max(0, c.getCurrentIndex()));
      } else if (c.getCurrentName() != null) {
        path = ErrorLog.at(path, c.getCurrentName());
      }
    }
    return path;
  }
}
