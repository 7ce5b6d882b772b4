package org.nicflow.compiler.proactive;

import java.util.Objects;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.MacAddress;

/** The fields of an Ethernet ARP frame the pipeline matches and rewrites. */
public record ArpPacket(MacAddress ethSrc, MacAddress ethDst, int op, MacAddress sha, Ipv4 spa, MacAddress tha,
    Ipv4 tpa) {

  public static final int REQUEST = 1;
  public static final int REPLY = 2;

  public ArpPacket {
    Objects.requireNonNull(ethSrc, "ethSrc");
    Objects.requireNonNull(ethDst, "ethDst");
    Objects.requireNonNull(sha, "sha");
    Objects.requireNonNull(spa, "spa");
    Objects.requireNonNull(tha, "tha");
    Objects.requireNonNull(tpa, "tpa");
    if (op < 0 || op > 0xffff) {
      throw new IllegalArgumentException("arp op " + op + " is outside 0-65535");
    }
  }

  /** A broadcast "who has {@code tpa}" from {@code mac}/{@code ip}. */
  public static ArpPacket request(MacAddress mac, Ipv4 ip, Ipv4 tpa) {
    return new ArpPacket(mac, MacAddress.BROADCAST, REQUEST, mac, ip, new MacAddress(0), tpa);
  }
}
