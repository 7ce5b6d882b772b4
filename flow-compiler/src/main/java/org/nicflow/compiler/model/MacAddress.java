package org.nicflow.compiler.model;

import java.util.Locale;

/** A 48-bit Ethernet address. */
public record MacAddress(long bits) {

  public static final MacAddress DEFAULT_GATEWAY = parse("02:00:00:00:00:01");
  public static final MacAddress BROADCAST = new MacAddress(0xffff_ffff_ffffL);

  public MacAddress {
    if ((bits & ~0xffff_ffff_ffffL) != 0) {
      throw new IllegalArgumentException("MAC address wider than 48 bits");
    }
  }

  /** Parses {@code aa:bb:cc:dd:ee:ff} (or with dashes). */
  public static MacAddress parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("missing MAC address");
    }
    String[] parts = text.trim().split("[:-]", -1);
    if (parts.length != 6) {
      throw new IllegalArgumentException("not a MAC address: '" + text + "'");
    }
    long bits = 0;
    for (String part : parts) {
      if (part.length() != 2 || !part.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
        throw new IllegalArgumentException("not a MAC address: '" + text + "'");
      }
      bits = (bits << 8) | Integer.parseInt(part, 16);
    }
    return new MacAddress(bits);
  }

  public boolean isMulticast() {
    return ((bits >>> 40) & 1) == 1;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(17);
    for (int shift = 40; shift >= 0; shift -= 8) {
      if (sb.length() > 0) {
        sb.append(':');
      }
      sb.append(String.format(Locale.ROOT, "%02x", (bits >>> shift) & 0xff));
    }
    return sb.toString();
  }
}
