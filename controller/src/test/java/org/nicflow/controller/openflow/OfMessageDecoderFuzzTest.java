package org.nicflow.controller.openflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.nicflow.controller.LoggedBugs;
import org.nicflow.controller.openflow.OfMessageDecoder.MalformedMessageException;
import org.projectfloodlight.openflow.protocol.OFMessage;

/**
 * Fuzz target: the bytes a switch (or anything that connects to the OpenFlow port) sends, through
 * the channel's own framing and openflowj decoding, without the handshake. Contract: every frame
 * becomes a message or is refused with a {@link io.netty.handler.codec.DecoderException} the channel handles (malformed
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
    RefusalsSeen refusals = new RefusalsSeen();
    channel.pipeline().addLast(refusals);
    channel.writeInbound(Unpooled.wrappedBuffer(bytes));
    Object read;
    while ((read = channel.readInbound()) != null) {
      assertThat(read).isInstanceOf(OFMessage.class);
    }
    channel.finishAndReleaseAll(); // the frame decoder reports leftover bytes at the end
    channel.checkException();
    if (!refusals.unexpected.isEmpty()) {
      throw new AssertionError("the channel met an exception that is not a refusal", refusals.unexpected.get(0));
    }
    assertThat(bugs.first()).isEmpty();
  }

  /**
   * Takes every exception that reaches the end of the pipeline, where the handshake would close
   * the channel on it, and keeps those that are not a refusal. Without it the channel would keep
   * the first exception and log each further one (a stack trace per malformed frame of an input),
   * unchecked.
   */
  private static final class RefusalsSeen extends ChannelInboundHandlerAdapter {
    final List<Throwable> unexpected = new ArrayList<>();

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (!(cause instanceof MalformedMessageException || cause instanceof CorruptedFrameException)) {
        unexpected.add(cause);
      }
    }
  }
}
