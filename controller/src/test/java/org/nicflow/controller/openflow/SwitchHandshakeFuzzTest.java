package org.nicflow.controller.openflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.nicflow.controller.LoggedBugs;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.types.DatapathId;

/**
 * Fuzz target: a switch channel (framing, decoding, handshake, then the session) fed any byte
 * stream, as a buggy or hostile switch could send it. Contract: each input is handled or ends in
 * the channel being closed by the handshake itself; no exception escapes the pipeline, nothing is
 * logged as a bug, everything the controller writes back is a readable OpenFlow message, and a
 * closed channel gives its dpid back.
 *
 * <p>The committed inputs (seeds) are whole conversations of a switch of dpid 1: handshakes over
 * OpenFlow 1.3 and 1.4 followed by packet-ins, port status, flow-removed, errors and echoes, so
 * the fuzzer starts from every state of the handshake. Regression inputs:
 * {@code SwitchHandshakeFuzzTestInputs/anyByteStreamIsHandledOrClosed}. How to fuzz:
 * docs/benchmarks.md, "Fuzzing".
 */
class SwitchHandshakeFuzzTest {

  private static final DatapathId HOST1 = DatapathId.of(1);

  private final OpenFlowServer server = new OpenFlowServer(Map.of(HOST1, "host1"), new QuietListener(),
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
  void anyByteStreamIsHandledOrClosed(byte[] stream) {
    EmbeddedChannel channel = new EmbeddedChannel(server.initializer());
    try {
      channel.writeInbound(Unpooled.wrappedBuffer(stream));
      channel.runPendingTasks();
      channel.checkException();
      readEverythingWritten(channel);
    } finally {
      channel.close();
      channel.finishAndReleaseAll();
    }
    assertThat(bugs.first()).isEmpty();
    assertThat(server.connection(HOST1)).isEmpty();
  }

  private static void readEverythingWritten(EmbeddedChannel channel) {
    Object out;
    while ((out = channel.readOutbound()) != null) {
      ByteBuf buf = (ByteBuf) out;
      try {
        while (buf.isReadable()) {
          assertThat(OFFactories.getGenericReader().readFrom(buf)).isNotNull();
        }
      } catch (Exception e) {
        throw new AssertionError("the controller wrote an unreadable message", e);
      } finally {
        buf.release();
      }
    }
  }
}
