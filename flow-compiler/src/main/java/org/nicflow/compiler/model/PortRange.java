package org.nicflow.compiler.model;

/** An inclusive range of TCP/UDP ports. */
public record PortRange(int lo, int hi) {

  public static final PortRange ANY = new PortRange(0, 65535);

  public PortRange {
    if (lo < 0 || hi > 65535) {
      throw new IllegalArgumentException("port range " + lo + "-" + hi + " is outside 0-65535");
    }
    if (lo > hi) {
      throw new IllegalArgumentException("port range " + lo + "-" + hi + " has lo > hi");
    }
  }

  public static PortRange single(int port) {
    return new PortRange(port, port);
  }

  /** Parses {@code 80} or {@code 8000-8099}. */
  public static PortRange parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("missing port");
    }
    String t = text.trim();
    int dash = t.indexOf('-');
    try {
      if (dash < 0) {
        return single(Integer.parseInt(t));
      }
      return new PortRange(Integer.parseInt(t.substring(0, dash).trim()), Integer.parseInt(t.substring(dash + 1).trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a port or lo-hi range: '" + text + "'");
    }
  }

  public boolean contains(int port) {
    return port >= lo && port <= hi;
  }

  public boolean isAny() {
    return lo == 0 && hi == 65535;
  }

  @Override
  public String toString() {
    return lo == hi ? Integer.toString(lo) : lo + "-" + hi;
  }
}
