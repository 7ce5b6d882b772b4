package org.nicflow.compiler.model;

/** An IPv4 prefix; the network has no host bits set. {@code 0.0.0.0/0} matches everything. */
public record Ipv4Prefix(Ipv4 network, int length) {

  public static final Ipv4Prefix ANY = new Ipv4Prefix(new Ipv4(0), 0);

  public Ipv4Prefix {
    if (network == null) {
      throw new IllegalArgumentException("prefix network is missing");
    }
    if (length < 0 || length > 32) {
      throw new IllegalArgumentException("prefix length " + length + " is outside 0-32");
    }
    if ((network.bits() & ~maskBits(length)) != 0) {
      throw new IllegalArgumentException(
          "prefix " + network + "/" + length + " has host bits set (did you mean "
              + new Ipv4(network.bits() & maskBits(length)) + "/" + length + "?)");
    }
  }

  /** Parses {@code a.b.c.d/len} or a bare address (a /32). */
  public static Ipv4Prefix parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("missing CIDR");
    }
    String t = text.trim();
    int slash = t.indexOf('/');
    if (slash < 0) {
      return new Ipv4Prefix(Ipv4.parse(t), 32);
    }
    String len = t.substring(slash + 1);
    if (len.isEmpty() || len.length() > 2 || !len.chars().allMatch(Character::isDigit)) {
      throw new IllegalArgumentException("not a CIDR prefix: '" + text + "'");
    }
    return new Ipv4Prefix(Ipv4.parse(t.substring(0, slash)), Integer.parseInt(len));
  }

  public static Ipv4Prefix host(Ipv4 address) {
    return new Ipv4Prefix(address, 32);
  }

  public static int maskBits(int length) {
    return length == 0 ? 0 : -1 << (32 - length);
  }

  public int mask() {
    return maskBits(length);
  }

  public boolean contains(Ipv4 address) {
    return (address.bits() & mask()) == network.bits();
  }

  /** True when every address of {@code other} is in this prefix. */
  public boolean covers(Ipv4Prefix other) {
    return other.length >= length && contains(other.network);
  }

  public boolean isAny() {
    return length == 0;
  }

  @Override
  public String toString() {
    return length == 32 ? network.toString() : network + "/" + length;
  }
}
