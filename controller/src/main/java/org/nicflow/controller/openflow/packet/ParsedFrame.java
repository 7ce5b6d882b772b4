package org.nicflow.controller.openflow.packet;

import java.util.Objects;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.packet.PacketHeaders;

/** What {@link FrameParser} found in an Ethernet frame. */
public sealed interface ParsedFrame {

  /** Where an IPv4 packet sits in its datagram, as OVS's {@code nw_frag} sees it. */
  enum Fragment {
    /** A whole datagram (offset 0, no more-fragments flag). */
    NONE,
    /** The first fragment: offset 0, more-fragments set; it carries the transport header. */
    FIRST,
    /**
     * A later fragment (offset above 0): no transport header, so its ports (or ICMP type/code) are
     * 0 in {@link PacketHeaders}, exactly as OVS extracts them for {@code nw_frag=later}.
     */
    LATER
  }

  /**
   * An IPv4 packet. {@code headers} carry the Ethernet addresses, protocol, addresses, DSCP and
   * ports (ICMP: type and code; later fragments and protocols without ports: 0). {@code length} is
   * the whole frame's length in bytes, as counted by flow byte counters.
   */
  record Ipv4Frame(PacketHeaders headers, int length, Fragment fragment) implements ParsedFrame {
    public Ipv4Frame {
      Objects.requireNonNull(headers, "headers");
      Objects.requireNonNull(fragment, "fragment");
      if (length < 0) {
        throw new IllegalArgumentException("negative frame length");
      }
    }

    /** Whether the transport ports are known (not a later fragment). */
    public boolean hasTransportHeader() {
      return fragment != Fragment.LATER;
    }
  }

  /** An Ethernet/IPv4 ARP packet: operation (1 request, 2 reply) and its four addresses. */
  record ArpFrame(int op, MacAddress sha, Ipv4 spa, MacAddress tha, Ipv4 tpa) implements ParsedFrame {
    public static final int REQUEST = 1;
    public static final int REPLY = 2;

    public ArpFrame {
      Objects.requireNonNull(sha, "sha");
      Objects.requireNonNull(spa, "spa");
      Objects.requireNonNull(tha, "tha");
      Objects.requireNonNull(tpa, "tpa");
    }
  }

  /** A well-formed frame of an EtherType nicflow does not handle (IPv6, LLDP, 802.3 LLC...). */
  record Unsupported(int ethType) implements ParsedFrame {}

  /** A frame that could not be parsed, and why. */
  record Malformed(String reason) implements ParsedFrame {
    public Malformed {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
