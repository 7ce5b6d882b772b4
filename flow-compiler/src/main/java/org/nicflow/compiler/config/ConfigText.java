package org.nicflow.compiler.config;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The checks on a config's text before a parser sees it, each one pass over the text: its
 * encoding, its size and, for YAML, its lines and characters. A problem is written to the error log
 * with its line and column.
 */
final class ConfigText {

  private static final char BOM = '\uFEFF';

  private ConfigText() {}

  /** {@code bytes} as UTF-8 text without a leading byte order mark, or empty when not UTF-8. */
  static Optional<String> decode(byte[] bytes, ErrorLog log) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      log.add("", "not valid UTF-8 at " + where(bytes, in.position()) + ": a config must be UTF-8 text"
          + utf16Hint(bytes));
      return Optional.empty();
    }
    return Optional.of(withoutBom(out.flip().toString()));
  }

  /** {@code text} without a leading byte order mark, which says only that the text is Unicode. */
  static String withoutBom(String text) {
    return !text.isEmpty() && text.charAt(0) == BOM ? text.substring(1) : text;
  }

  /** Whether {@code text} fits {@code maxBytes} as UTF-8; counts no further than the limit. */
  static boolean fits(CharSequence text, int maxBytes) {
    if (text.length() > maxBytes) {
      return false;
    }
    long bytes = 0;
    for (int i = 0; i < text.length() && bytes <= maxBytes; i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes <= maxBytes;
  }

  /**
   * Checks the lines and characters of a YAML text: no line longer than {@code maxLineChars}, no
   * character YAML does not allow in a file (control characters, unpaired surrogates, a byte order
   * mark after the start). Answers whether the text passed; the first problem goes to the log.
   */
  static boolean yamlFits(String text, int maxLineChars, ErrorLog log) {
    int line = 1;
    int column = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (isYamlLineBreak(c)) {
        if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
          i++;
        }
        line++;
        column = 0;
        continue;
      }
      column++;
      if (column > maxLineChars) {
        log.add("", "line " + line + " is longer than " + maxLineChars + " characters, the most a line of a YAML "
            + "config may hold (break the line, or write the config as JSON)");
        return false;
      }
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
        continue;
      }
      if (!isYamlPrintable(c)) {
        log.add("", "line " + line + ", column " + column + ": " + describe(c) + " is not allowed in a config file");
        return false;
      }
    }
    return true;
  }

  /** A character nicflow refuses inside a string: control characters, BOMs, unpaired surrogates. */
  static boolean isRefusedInString(String s, int at) {
    char c = s.charAt(at);
    if (Character.isHighSurrogate(c)) {
      return at + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(at + 1));
    }
    if (Character.isLowSurrogate(c)) {
      return at == 0 || !Character.isHighSurrogate(s.charAt(at - 1));
    }
    return Character.isISOControl(c) || c == BOM;
  }

  /** {@code U+0000 (a control character)} and the like, for error messages. */
  static String describe(char c) {
    String code = String.format("U+%04X", (int) c);
    if (Character.isISOControl(c)) {
      return "the control character " + code;
    }
    if (c == BOM) {
      return "a byte order mark (" + code + ") after the start of the text";
    }
    if (Character.isSurrogate(c)) {
      return "half a surrogate pair (" + code + ")";
    }
    return "the character " + code;
  }

  private static boolean isYamlLineBreak(char c) {
    return c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029';
  }

  /** YAML's printable set for one UTF-16 unit that is not half of a pair. */
  private static boolean isYamlPrintable(char c) {
    return c == '\t' || (c >= 0x20 && c <= 0x7e) || c == 0x85 || (c >= 0xa0 && c <= 0xd7ff)
        || (c >= 0xe000 && c <= 0xfffd && c != BOM);
  }

  /** {@code line L, column C (byte B)} of byte {@code offset}; columns count characters. */
  private static String where(byte[] bytes, int offset) {
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < offset; i++) {
      if (bytes[i] == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    int column = 1;
    for (int i = lineStart; i < offset; i++) {
      if ((bytes[i] & 0xc0) != 0x80) {
        column++;
      }
    }
    return "line " + line + ", column " + column + " (byte " + offset + ")";
  }

  private static String utf16Hint(byte[] bytes) {
    boolean utf16 = bytes.length >= 2 && ((bytes[0] == (byte) 0xff && bytes[1] == (byte) 0xfe)
        || (bytes[0] == (byte) 0xfe && bytes[1] == (byte) 0xff));
    return utf16 ? " (it starts with a UTF-16 byte order mark: save it as UTF-8)" : "";
  }
}
