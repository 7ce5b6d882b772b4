package org.nicflow.controller.openflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.InputStream;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nicflow.controller.LoggedBugs;
import org.projectfloodlight.openflow.exceptions.OFParseError;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.types.DatapathId;

/**
 * Fuzz target: a switch channel (framing, decoding, handshake, then the session) fed any byte
 * stream, as a buggy or hostile switch could send it. Contract: each input is handled or ends in
 * the channel being closed by the handshake itself; no exception escapes the pipeline, nothing is
 * logged as a bug, everything the controller writes back is a readable OpenFlow message, and a
 * closed channel gives its dpid back.
 *
 * <p>An input is a stream of OpenFlow messages. The controller picks its xids as it goes, so a
 * message whose xid is {@code 0xffffffff} gets the xid of the last message the controller wrote:
 * that is how a replayed reply answers the request it follows, and how the fuzzer gets past each
 * step of the handshake. The committed inputs are whole conversations of a switch of dpid 1
 * (handshakes over OpenFlow 1.3 and 1.4, then packet-ins, port status, flow-removed, errors and
 * echoes), so fuzzing starts from every state. Regression inputs:
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

  /** An xid that stands for "the xid of the controller's last message". */
  static final long ANSWER_LAST = 0xffff_ffffL;

  @FuzzTest(maxDuration = "5s")
  void anyByteStreamIsHandledOrClosed(byte[] stream) {
    EmbeddedChannel channel = new EmbeddedChannel(server.initializer());
    try {
      replay(channel, stream);
    } finally {
      channel.close();
      channel.finishAndReleaseAll();
    }
    assertThat(bugs.first()).isEmpty();
    assertThat(server.connection(HOST1)).isEmpty();
  }

  /** The seeds reach every state: a committed conversation ends with the switch READY. */
  @ParameterizedTest
  @ValueSource(strings = {"conversation-of_13", "conversation-of_14", "early-port-status-of_14"})
  void committedConversationsReachReady(String seed) throws Exception {
    byte[] stream;
    try (InputStream in = getClass().getResourceAsStream(
        "SwitchHandshakeFuzzTestInputs/anyByteStreamIsHandledOrClosed/" + seed)) {
      stream = in.readAllBytes();
    }
    EmbeddedChannel channel = new EmbeddedChannel(server.initializer());
    try {
      replay(channel, stream);
      assertThat(channel.pipeline().get(SwitchHandshake.class).state()).isEqualTo(SwitchHandshake.State.READY);
      assertThat(server.connection(HOST1)).isPresent();
    } finally {
      channel.close();
      channel.finishAndReleaseAll();
    }
    assertThat(bugs.first()).isEmpty();
  }

  /** Feeds {@code stream} message by message, answering with the controller's last xid where asked. */
  private static void replay(EmbeddedChannel channel, byte[] stream) {
    long lastXid = readEverythingWritten(channel, 0);
    int at = 0;
    while (at < stream.length && channel.isOpen()) {
      int length = at + 4 <= stream.length ? ((stream[at + 2] & 0xff) << 8) | (stream[at + 3] & 0xff) : 0;
      int end = length >= 8 && at + length <= stream.length ? at + length : stream.length;
      ByteBuf frame = Unpooled.copiedBuffer(stream, at, end - at);
      if (end - at >= 8 && frame.getUnsignedInt(4) == ANSWER_LAST) {
        frame.setInt(4, (int) lastXid);
      }
      channel.writeInbound(frame);
      channel.runPendingTasks();
      channel.checkException();
      lastXid = readEverythingWritten(channel, lastXid);
      at = end;
    }
  }

  /** Reads what the controller wrote, each message readable; returns the last one's xid. */
  private static long readEverythingWritten(EmbeddedChannel channel, long lastXid) {
    long xid = lastXid;
    Object out;
    while ((out = channel.readOutbound()) != null) {
      ByteBuf buf = (ByteBuf) out;
      try {
        while (buf.isReadable()) {
          OFMessage message = OFFactories.getGenericReader().readFrom(buf);
          assertThat(message).isNotNull();
          xid = message.getXid();
        }
      } catch (OFParseError e) {
        throw new AssertionError("the controller wrote an unreadable message", e);
      } finally {
        buf.release();
      }
    }
    return xid;
  }
}
