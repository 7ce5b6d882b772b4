package org.nicflow.controller.openflow.packet;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.packet.PacketHeaders;
import org.nicflow.controller.openflow.packet.ParsedFrame.ArpFrame;
import org.nicflow.controller.openflow.packet.ParsedFrame.Fragment;
import org.nicflow.controller.openflow.packet.ParsedFrame.Ipv4Frame;
import org.nicflow.controller.openflow.packet.ParsedFrame.Malformed;
import org.nicflow.controller.openflow.packet.ParsedFrame.Unsupported;

class FrameParserTest {

  private static final MacAddress VM = MacAddress.parse("02:00:00:00:01:0b");
  private static final MacAddress GW = MacAddress.DEFAULT_GATEWAY;
  private static final Ipv4 VM_IP = Ipv4.parse("10.1.0.11");
  private static final Ipv4 WEB_IP = Ipv4.parse("10.1.0.12");
  private static final int FUZZ_FRAMES = 20_000;

  private final FrameParser parser = new FrameParser();

  private static PacketHeaders headers(int proto, int tpSrc, int tpDst, int dscp) {
    return new PacketHeaders(VM, GW, proto, VM_IP, WEB_IP, tpSrc, tpDst, dscp);
  }

  @Test
  void parsesTcpPortsAddressesAndDscp() {
    PacketHeaders h = headers(6, 40000, 80, 46);
    byte[] frame = FrameBuilder.ipv4(h).payload(new byte[100]).build();
    assertThat(parser.parse(frame)).isEqualTo(new Ipv4Frame(h, frame.length, Fragment.NONE));
  }

  @Test
  void parsesUdpPorts() {
    PacketHeaders h = headers(17, 5353, 53, 0);
    byte[] frame = FrameBuilder.ipv4(h).build();
    assertThat(parser.parse(frame)).isEqualTo(new Ipv4Frame(h, frame.length, Fragment.NONE));
  }

  @Test
  void icmpTypeAndCodeTakeThePlaceOfPorts() {
    PacketHeaders h = headers(1, 3, 13, 0);
    byte[] frame = FrameBuilder.ipv4(h).icmpRest(0x12340001).build();
    assertThat(parser.parse(frame)).isInstanceOfSatisfying(Ipv4Frame.class, f -> {
      assertThat(f.headers().tpSrc()).isEqualTo(3);
      assertThat(f.headers().tpDst()).isEqualTo(13);
    });
  }

  @Test
  void protocolsWithoutPortsHavePortsZero() {
    PacketHeaders h = headers(47, 0, 0, 0);
    byte[] frame = FrameBuilder.ipv4(h).payload(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}).build();
    assertThat(parser.parse(frame)).isEqualTo(new Ipv4Frame(h, frame.length, Fragment.NONE));
  }

  @Test
  void skipsAVlanTag() {
    PacketHeaders h = headers(6, 1234, 443, 0);
    byte[] frame = FrameBuilder.ipv4(h).vlan(100).build();
    assertThat(parser.parse(frame)).isEqualTo(new Ipv4Frame(h, frame.length, Fragment.NONE));
  }

  @Test
  void skipsTwoStackedTags() {
    PacketHeaders h = headers(17, 1, 2, 0);
    byte[] inner = FrameBuilder.ipv4(h).vlan(10).build();
    byte[] outer = new byte[inner.length + 4];
    System.arraycopy(inner, 0, outer, 0, 12);
    outer[12] = (byte) 0x88;
    outer[13] = (byte) 0xa8;
    outer[15] = 20;
    System.arraycopy(inner, 12, outer, 16, inner.length - 12);
    assertThat(parser.parse(outer)).isEqualTo(new Ipv4Frame(h, outer.length, Fragment.NONE));
  }

  @Test
  void readsPortsPastIpOptions() {
    PacketHeaders h = headers(6, 2222, 22, 0);
    byte[] frame = FrameBuilder.ipv4(h).ipOptions(new byte[] {(byte) 0x94, 4, 0, 0, 1, 1, 1, 0}).build();
    assertThat(parser.parse(frame)).isEqualTo(new Ipv4Frame(h, frame.length, Fragment.NONE));
  }

  @Test
  void ignoresEthernetPaddingAfterTheIpPacket() {
    PacketHeaders h = headers(17, 68, 67, 0);
    byte[] frame = FrameBuilder.ipv4(h).padToMinimum().build();
    assertThat(frame.length).isEqualTo(60);
    assertThat(parser.parse(frame)).isEqualTo(new Ipv4Frame(h, 60, Fragment.NONE));
  }

  @Test
  void firstFragmentCarriesPorts() {
    PacketHeaders h = headers(17, 5000, 6000, 0);
    byte[] frame = FrameBuilder.ipv4(h).fragment(0, true).payload(new byte[64]).build();
    assertThat(parser.parse(frame)).isEqualTo(new Ipv4Frame(h, frame.length, Fragment.FIRST));
  }

  @Test
  void laterFragmentsHaveNoPorts() {
    PacketHeaders h = headers(17, 5000, 6000, 0);
    byte[] frame = FrameBuilder.ipv4(h).fragment(9, false).payload(new byte[] {0x13, (byte) 0x88, 0x17, 0x70}).build();
    assertThat(parser.parse(frame)).isInstanceOfSatisfying(Ipv4Frame.class, f -> {
      assertThat(f.fragment()).isEqualTo(Fragment.LATER);
      assertThat(f.hasTransportHeader()).isFalse();
      assertThat(f.headers()).isEqualTo(headers(17, 0, 0, 0));
    });
  }

  @Test
  void laterFragmentTooShortForATransportHeaderIsStillParsed() {
    byte[] frame = FrameBuilder.ipv4(headers(6, 1, 2, 0)).fragment(3, true).build();
    assertThat(parser.parse(frame)).isInstanceOf(Ipv4Frame.class);
  }

  @Test
  void parsesArpRequestAndReply() {
    Ipv4 gwIp = Ipv4.parse("10.1.0.1");
    assertThat(parser.parse(FrameBuilder.arpRequest(VM, VM_IP, gwIp)))
        .isEqualTo(new ArpFrame(ArpFrame.REQUEST, VM, VM_IP, new MacAddress(0), gwIp));
    assertThat(parser.parse(FrameBuilder.arpReply(GW, gwIp, VM, VM_IP)))
        .isEqualTo(new ArpFrame(ArpFrame.REPLY, GW, gwIp, VM, VM_IP));
  }

  @Test
  void otherEtherTypesAreUnsupported() {
    byte[] ipv6 = FrameBuilder.ethernet(VM, GW, -1, 0x86dd, new byte[40], false);
    assertThat(parser.parse(ipv6)).isEqualTo(new Unsupported(0x86dd));
    byte[] llc = FrameBuilder.ethernet(VM, GW, -1, 46, new byte[46], false);
    assertThat(parser.parse(llc)).isEqualTo(new Unsupported(46));
  }

  @Test
  void reportsWhyAFrameIsMalformed() {
    byte[] tcp = FrameBuilder.ipv4(headers(6, 1, 2, 0)).build();
    assertThat(reason(null)).contains("no frame");
    assertThat(reason(new byte[13])).contains("shorter than an Ethernet header");
    assertThat(reason(Arrays.copyOf(tcp, 14 + 19))).contains("IPv4 header cut short");
    assertThat(reason(Arrays.copyOf(tcp, 14 + 30))).contains("exceeds");
    assertThat(reason(Arrays.copyOf(FrameBuilder.arpRequest(VM, VM_IP, WEB_IP), 14 + 27))).contains("ARP");
    byte[] v6InV4 = tcp.clone();
    v6InV4[14] = 0x65;
    assertThat(reason(v6InV4)).contains("IP version 6");
    byte[] shortIhl = tcp.clone();
    shortIhl[14] = 0x44;
    assertThat(reason(shortIhl)).contains("header length 16");
    byte[] shortTcp = FrameBuilder.ipv4(headers(47, 0, 0, 0)).payload(new byte[10]).build();
    shortTcp[14 + 9] = 6;
    assertThat(reason(shortTcp)).contains("TCP header cut short");
    byte[] tagOnly = Arrays.copyOf(FrameBuilder.ipv4(headers(6, 1, 2, 0)).vlan(5).build(), 16);
    assertThat(reason(tagOnly)).contains("VLAN");
  }

  @Test
  void tcpDataOffsetUnderFiveWordsIsMalformed() {
    for (int words : new int[] {0, 2, 4}) {
      byte[] frame = FrameBuilder.ipv4(headers(6, 1, 2, 0)).tcpDataOffset(words).payload(new byte[40]).build();
      assertThat(reason(frame)).as("data offset %d", words).contains("TCP data offset " + words * 4);
    }
  }

  @Test
  void tcpHeaderReachingPastThePacketIsMalformed() {
    byte[] bare = FrameBuilder.ipv4(headers(6, 1, 2, 0)).tcpDataOffset(15).build();
    assertThat(reason(bare)).contains("TCP header of 60 bytes").contains("20 bytes");
    byte[] shortOptions = FrameBuilder.ipv4(headers(6, 1, 2, 0)).tcpDataOffset(8).payload(new byte[11]).build();
    assertThat(reason(shortOptions)).contains("TCP header of 32 bytes");
  }

  @Test
  void tcpHeaderBeyondTheIpPacketIsMalformedEvenWithEthernetPadding() {
    // 20-byte TCP header claiming 24 bytes: the padding after the IP packet must not count.
    byte[] frame = FrameBuilder.ipv4(headers(6, 1, 2, 0)).tcpDataOffset(6).padToMinimum().build();
    assertThat(frame.length).isEqualTo(60);
    assertThat(reason(frame)).contains("TCP header of 24 bytes");
  }

  @Test
  void tcpOptionsWithinThePacketAreParsed() {
    PacketHeaders h = headers(6, 40000, 443, 0);
    byte[] frame = FrameBuilder.ipv4(h).tcpDataOffset(15).payload(new byte[40]).build();
    assertThat(parser.parse(frame)).isEqualTo(new Ipv4Frame(h, frame.length, Fragment.NONE));
  }

  @Test
  void parsesTheReadableBytesOfABufferWithoutConsumingThem() {
    PacketHeaders h = headers(6, 40000, 80, 0);
    byte[] frame = FrameBuilder.ipv4(h).build();
    ByteBuf buf = Unpooled.buffer();
    buf.writeBytes(new byte[] {9, 9, 9});
    buf.writeBytes(frame);
    buf.readerIndex(3);
    try {
      assertThat(parser.parse(buf)).isEqualTo(new Ipv4Frame(h, frame.length, Fragment.NONE));
      assertThat(buf.readerIndex()).isEqualTo(3);
    } finally {
      buf.release();
    }
  }

  /**
   * Random garbage, truncations and single-byte corruptions of valid frames: the parser returns a
   * result for each, never throws, and never falls into its internal-fault path.
   */
  @Test
  void neverThrowsOnGarbageTruncatedOrCorruptedFrames() {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    List<byte[]> valid = validFrames(random);
    int parsedIpv4 = 0;
    for (int i = 0; i < FUZZ_FRAMES; i++) {
      byte[] frame = switch (i % 4) {
        case 0 -> randomBytes(random, random.nextInt(120));
        case 1 -> {
          byte[] v = valid.get(random.nextInt(valid.size()));
          yield Arrays.copyOf(v, random.nextInt(v.length + 1));
        }
        case 2 -> {
          byte[] v = valid.get(random.nextInt(valid.size())).clone();
          for (int k = 1 + random.nextInt(3); k > 0; k--) {
            v[random.nextInt(v.length)] = (byte) random.nextInt(256);
          }
          yield v;
        }
        default -> {
          // an Ethernet/IPv4 frame of random bytes with a plausible first IP byte
          byte[] v = randomBytes(random, 14 + random.nextInt(80));
          v[12] = 0x08;
          v[13] = 0x00;
          if (v.length > 14) {
            v[14] = (byte) (0x40 | random.nextInt(16));
          }
          yield v;
        }
      };
      ParsedFrame result;
      try {
        result = parser.parse(frame);
      } catch (RuntimeException e) {
        throw new AssertionError("seed " + seed + ", frame " + i + " threw", e);
      }
      assertThat(result).as("seed %d frame %d", seed, i).isNotNull();
      if (result instanceof Malformed m) {
        assertThat(m.reason()).as("seed %d frame %d", seed, i).doesNotStartWith("parser fault");
      }
      if (result instanceof Ipv4Frame) {
        parsedIpv4++;
      }
    }
    assertThat(parsedIpv4).as("the fuzz reaches the IPv4 parser, seed %d", seed).isGreaterThan(FUZZ_FRAMES / 20);
  }

  private static List<byte[]> validFrames(Random random) {
    return List.of(
        FrameBuilder.ipv4(headers(6, 1000, 80, 0)).payload(randomBytes(random, 20)).build(),
        FrameBuilder.ipv4(headers(17, 53, 5353, 10)).vlan(7).build(),
        FrameBuilder.ipv4(headers(1, 8, 0, 0)).ipOptions(new byte[] {1, 1, 1, 0}).build(),
        FrameBuilder.ipv4(headers(17, 1, 2, 0)).fragment(4, false).payload(randomBytes(random, 16)).build(),
        FrameBuilder.arpRequest(VM, VM_IP, WEB_IP));
  }

  private static byte[] randomBytes(Random random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private String reason(byte[] frame) {
    ParsedFrame r = parser.parse(frame);
    assertThat(r).isInstanceOf(Malformed.class);
    return ((Malformed) r).reason();
  }
}
