package org.nicflow.controller.openflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.nicflow.controller.LoggedBugs;
import org.nicflow.controller.openflow.OfMessageDecoder.MalformedMessageException;
import org.projectfloodlight.openflow.protocol.OFMessage;

/**
 * Fuzz target: the bytes a switch (or anything that connects to the OpenFlow port) sends, through
 * the channel's own framing and openflowj decoding, without the handshake. Contract: every frame
 * becomes a message or is refused with a {@link DecoderException} the channel handles (malformed
 * message, corrupt length); nothing else is thrown, nothing is logged as a bug.
 *
 * <p>Regression inputs: {@code OfMessageDecoderFuzzTestInputs/everyFrameIsReadOrRefused}. How to
 * fuzz: docs/benchmarks.md, "Fuzzing".
 */
class OfMessageDecoderFuzzTest {

  private final OpenFlowServer server = new OpenFlowServer(Map.of(), new QuietListener(),
      new OpenFlowSettings("127.0.0.1", 0, Duration.ofSeconds(5), Duration.ofSeconds(15)));
  private LoggedBugs bugs;

  @BeforeEach
  void takeOverTheLog() {
    bugs = LoggedBugs.attach();
  }

  @AfterEach
  void giveBackTheLog() {
    bugs.detach();
  }

  @FuzzTest(maxDuration = "5s")
  void everyFrameIsReadOrRefused(byte[] bytes) {
    EmbeddedChannel channel = new EmbeddedChannel(server.initializer());
    channel.pipeline().remove(SwitchHandshake.class);
    channel.pipeline().remove(IdleStateHandler.class);
    try {
      channel.writeInbound(Unpooled.wrappedBuffer(bytes));
      Object read;
      while ((read = channel.readInbound()) != null) {
        assertThat(read).isInstanceOf(OFMessage.class);
      }
    } catch (DecoderException e) {
      assertRefusedAsTheChannelExpects(e);
    }
    try {
      channel.finishAndReleaseAll(); // the frame decoder reports leftover bytes at the end
    } catch (DecoderException e) {
      assertRefusedAsTheChannelExpects(e);
      channel.releaseInbound();
    }
    assertThat(bugs.first()).isEmpty();
  }

  private static void assertRefusedAsTheChannelExpects(DecoderException e) {
    assertThat(e).isInstanceOfAny(MalformedMessageException.class, CorruptedFrameException.class);
  }
}
