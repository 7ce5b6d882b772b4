package org.nicflow.controller.openflow.packet;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.nicflow.controller.openflow.packet.ParsedFrame.Ipv4Frame;
import org.nicflow.controller.openflow.packet.ParsedFrame.Malformed;

/**
 * Fuzz target: any packet-in payload a VM can make the switch send us. The parser's contract is
 * that it never throws and never reaches its internal-fault fallback; a frame is parsed, refused as
 * unsupported, or refused as malformed with a reason, the same way from an array or a buffer.
 *
 * <p>Regression inputs: {@code FrameParserFuzzTestInputs/anyFrameIsParsedOrRefused} beside this
 * class in the test resources. How to fuzz: docs/benchmarks.md, "Fuzzing".
 */
class FrameParserFuzzTest {

  private final FrameParser parser = new FrameParser();

  @FuzzTest(maxDuration = "5s")
  void anyFrameIsParsedOrRefused(byte[] frame) {
    ParsedFrame parsed = parser.parse(frame);

    assertThat(parsed).isNotNull();
    if (parsed instanceof Malformed m) {
      assertThat(m.reason()).doesNotStartWith("parser fault");
    }
    if (parsed instanceof Ipv4Frame ip) {
      assertThat(ip.length()).isEqualTo(frame.length);
    }
    ByteBuf offset = Unpooled.buffer(frame.length + 3);
    try {
      offset.writeBytes(new byte[] {1, 2, 3}).writeBytes(frame).readerIndex(3);
      assertThat(parser.parse(offset)).isEqualTo(parsed);
    } finally {
      offset.release();
    }
  }
}
