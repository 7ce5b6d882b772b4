package org.nicflow.compiler.model;

/** An IPv4 address held as its 32 bits. */
public record Ipv4(int bits) implements Comparable<Ipv4> {

  /** Parses dotted-quad text; throws {@link IllegalArgumentException} naming the text. */
  public static Ipv4 parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("missing IPv4 address");
    }
    String[] parts = text.trim().split("\\.", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
    }
    int bits = 0;
    for (String part : parts) {
      if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
        throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
      }
      int octet = Integer.parseInt(part);
      if (octet > 255) {
        throw new IllegalArgumentException("not an IPv4 address: '" + text + "' (octet " + octet + " > 255)");
      }
      bits = (bits << 8) | octet;
    }
    return new Ipv4(bits);
  }

  public static Ipv4 of(int a, int b, int c, int d) {
    return new Ipv4((a << 24) | (b << 16) | (c << 8) | d);
  }

  /** The address as an unsigned value. */
  public long unsigned() {
    return bits & 0xffffffffL;
  }

  @Override
  public int compareTo(Ipv4 other) {
    return Integer.compareUnsigned(bits, other.bits);
  }

  @Override
  public String toString() {
    return ((bits >>> 24) & 0xff) + "." + ((bits >>> 16) & 0xff) + "." + ((bits >>> 8) & 0xff) + "." + (bits & 0xff);
  }
}
