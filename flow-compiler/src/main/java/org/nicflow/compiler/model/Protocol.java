package org.nicflow.compiler.model;

/** IP protocol a rule matches. */
public enum Protocol {
  TCP(6),
  UDP(17),
  ICMP(1),
  ANY(-1);

  public static final int IPPROTO_ICMP = 1;
  public static final int IPPROTO_TCP = 6;
  public static final int IPPROTO_UDP = 17;

  private final int number;

  Protocol(int number) {
    this.number = number;
  }

  /** IP protocol number, or -1 for ANY. */
  public int number() {
    return number;
  }

  /** Whether rules of this protocol may name ports. */
  public boolean hasPorts() {
    return this == TCP || this == UDP;
  }

  public boolean matches(int ipProto) {
    return this == ANY || number == ipProto;
  }

  public static Protocol ofNumber(int ipProto) {
    return switch (ipProto) {
      case IPPROTO_TCP -> TCP;
      case IPPROTO_UDP -> UDP;
      case IPPROTO_ICMP -> ICMP;
      default -> ANY;
    };
  }

  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
