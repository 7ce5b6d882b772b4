package org.nicflow.controller.openflow.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.packet.PacketHeaders;
import org.nicflow.compiler.testing.PropertyRun;

class EchoIdentifierTest {

  private static final MacAddress A = MacAddress.parse("02:00:00:00:00:01");
  private static final MacAddress B = MacAddress.parse("02:00:00:00:00:02");

  @Test
  void theParserReadsTheIdentifierOfEchoRequestsAndRepliesOnly() {
    assertThat(parse(echo(PacketHeaders.ICMP_ECHO_REQUEST, 4242)).icmpId()).isEqualTo(4242);
    assertThat(parse(echo(PacketHeaders.ICMP_ECHO_REPLY, 65535)).icmpId()).isEqualTo(65535);
    byte[] unreachable = FrameBuilder.ipv4(new PacketHeaders(A, B, Protocol.IPPROTO_ICMP, Ipv4.parse("10.0.0.1"),
        Ipv4.parse("10.0.0.2"), 3, 1, 0)).icmpRest(0x1234_5678).build();
    assertThat(parse(unreachable).icmpId()).as("not an echo: no identifier").isZero();
  }

  @Test
  void rewritingKeepsTheIcmpChecksumValidForEveryIdentifier() {
    PropertyRun.of("echo identifier rewrite", 1).forEach((seed, random) -> rewriteRandomFrames(random));
  }

  private static void rewriteRandomFrames(Random random) {
    for (int i = 0; i < 2_000; i++) {
      int from = random.nextInt(65536);
      int to = random.nextInt(65536);
      byte[] frame = FrameBuilder.ipv4(new PacketHeaders(A, B, Protocol.IPPROTO_ICMP, Ipv4.parse("10.0.0.1"),
          Ipv4.parse("10.0.0.2"), PacketHeaders.ICMP_ECHO_REQUEST, 0, 0, from))
          .payload(new byte[random.nextInt(40)]).icmpRest((from << 16) | random.nextInt(65536)).build();
      byte[] out = EchoIdentifier.rewrite(frame, to);
      assertThat(parse(out).icmpId()).isEqualTo(to);
      assertThat(icmpChecksumHolds(out)).as("from %d to %d", from, to).isTrue();
      assertThat(out.length).isEqualTo(frame.length);
    }
  }

  @Test
  void aFrameThatIsNoWholeEchoIsRefusedNotGuessedAt() {
    byte[] tcp = FrameBuilder.ipv4(PacketHeaders.tcp(A, B, Ipv4.parse("10.0.0.1"), Ipv4.parse("10.0.0.2"), 1, 2))
        .build();
    assertThatThrownBy(() -> EchoIdentifier.rewrite(tcp, 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ICMP");
    byte[] echo = echo(PacketHeaders.ICMP_ECHO_REQUEST, 1);
    byte[] cut = java.util.Arrays.copyOf(echo, echo.length - 5);
    assertThatThrownBy(() -> EchoIdentifier.rewrite(cut, 2)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EchoIdentifier.rewrite(new byte[3], 2)).isInstanceOf(IllegalArgumentException.class);
  }

  private static byte[] echo(int type, int id) {
    return FrameBuilder.ipv4(new PacketHeaders(A, B, Protocol.IPPROTO_ICMP, Ipv4.parse("10.0.0.1"),
        Ipv4.parse("10.0.0.2"), type, 0, 0, id)).build();
  }

  private static PacketHeaders parse(byte[] frame) {
    return ((ParsedFrame.Ipv4Frame) new FrameParser().parse(frame)).headers();
  }

  /** The one's-complement sum over the whole ICMP message, checksum included, is 0xffff. */
  private static boolean icmpChecksumHolds(byte[] frame) {
    int ihl = (frame[14] & 0xf) * 4;
    int total = ((frame[16] & 0xff) << 8) | (frame[17] & 0xff);
    int sum = 0;
    for (int o = 14 + ihl; o < 14 + total; o += 2) {
      int hi = frame[o] & 0xff;
      int lo = o + 1 < 14 + total ? frame[o + 1] & 0xff : 0;
      sum += (hi << 8) | lo;
    }
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    return sum == 0xffff;
  }
}
