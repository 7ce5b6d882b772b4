package org.nicflow.compiler.config;

/**
 * Bounds on what {@link ConfigLoader} reads (docs/config.md, "Limits"). Each is checked as the text
 * goes by, so a hostile or broken file costs time and memory in proportion to the limit, never to
 * its own size: a file is read up to {@code maxBytes + 1} bytes, YAML lines are measured before
 * the YAML reader sees them, and strings and nesting as they are read.
 *
 * @param maxBytes the largest config, in bytes of UTF-8
 * @param maxLineChars the longest line of a YAML config, in characters: the YAML reader's time
 *     grows with the square of a line's length
 * @param maxStringChars the longest string (a value or a key), in characters
 * @param maxDepth the deepest nesting of mappings and lists
 */
public record ConfigLimits(int maxBytes, int maxLineChars, int maxStringChars, int maxDepth) {

  /** 32 MiB, 128 Ki characters a line, 64 Ki characters a string, 64 levels. */
  public static final ConfigLimits DEFAULTS = new ConfigLimits(32 << 20, 128 << 10, 64 << 10, 64);

  public ConfigLimits {
    if (maxBytes < 1 || maxBytes == Integer.MAX_VALUE) {
      throw new IllegalArgumentException("maxBytes must be 1 to " + (Integer.MAX_VALUE - 1) + ", got " + maxBytes);
    }
    if (maxLineChars < 1 || maxStringChars < 1 || maxDepth < 1) {
      throw new IllegalArgumentException("limits must be positive: line " + maxLineChars + ", string "
          + maxStringChars + ", depth " + maxDepth);
    }
  }
}
