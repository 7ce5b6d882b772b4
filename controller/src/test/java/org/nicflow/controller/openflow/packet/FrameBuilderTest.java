package org.nicflow.controller.openflow.packet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.packet.PacketHeaders;

class FrameBuilderTest {

  private static final MacAddress A = MacAddress.parse("02:00:00:00:01:0b");
  private static final MacAddress B = MacAddress.parse("02:00:00:00:01:0c");
  private static final Ipv4 SRC = Ipv4.parse("10.1.0.11");
  private static final Ipv4 DST = Ipv4.parse("203.0.113.80");

  private static int sum(byte[] f, int off, int len, int initial) {
    return FrameBuilder.checksum(f, off, len, initial);
  }

  /** A correct checksum makes the one's-complement sum over the covered bytes all ones. */
  private static int pseudo(int proto, int length) {
    return (SRC.bits() >>> 16) + (SRC.bits() & 0xffff) + (DST.bits() >>> 16) + (DST.bits() & 0xffff) + proto
        + length;
  }

  @Test
  void ipv4HeaderChecksumVerifies() {
    byte[] f = FrameBuilder.ipv4(PacketHeaders.tcp(A, B, SRC, DST, 1, 2)).ipOptions(new byte[] {7, 3, 4}).build();
    int ihl = (f[14] & 0xf) * 4;
    assertThat(ihl).isEqualTo(24);
    assertThat(sum(f, 14, ihl, 0)).isZero();
  }

  @Test
  void tcpChecksumVerifiesWithThePseudoHeader() {
    byte[] f = FrameBuilder.ipv4(PacketHeaders.tcp(A, B, SRC, DST, 40000, 80)).payload(new byte[] {1, 2, 3}).build();
    int l4 = f.length - 34;
    assertThat(sum(f, 34, l4, pseudo(6, l4))).isZero();
  }

  @Test
  void udpChecksumVerifiesWithThePseudoHeader() {
    byte[] f = FrameBuilder.ipv4(new PacketHeaders(A, B, 17, SRC, DST, 53, 5353, 0)).payload(new byte[5]).build();
    int l4 = f.length - 34;
    assertThat(sum(f, 34, l4, pseudo(17, l4))).isZero();
  }

  @Test
  void icmpChecksumVerifies() {
    byte[] f = FrameBuilder.ipv4(new PacketHeaders(A, B, 1, SRC, DST, 8, 0, 0)).icmpRest(0x00010002)
        .payload(new byte[] {9, 8, 7}).build();
    assertThat(sum(f, 34, f.length - 34, 0)).isZero();
    assertThat(f[34]).isEqualTo((byte) 8);
  }

  @Test
  void arpFramesAreBroadcastRequests() {
    byte[] f = FrameBuilder.arpRequest(A, SRC, DST);
    assertThat(f).hasSize(42);
    assertThat(f[0]).isEqualTo((byte) 0xff);
    assertThat(f[12]).isEqualTo((byte) 0x08);
    assertThat(f[13]).isEqualTo((byte) 0x06);
  }
}
