package org.nicflow.controller.openflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.nicflow.controller.openflow.SwitchHandshakeTest.HOST1;
import static org.nicflow.controller.openflow.SwitchHandshakeTest.ports;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFlowRemoved;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.projectfloodlight.openflow.protocol.OFType;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.OFPort;

/**
 * What the listener sends while handling the messages of one socket read leaves in one flush, and
 * those messages reach the switch's executor in one hand-over.
 */
class SwitchSessionBatchingTest {

  /** Answers every packet-in with a barrier request and a packet-out, as the partition answers a miss with flows and a packet-out. */
  static final class AnsweringListener implements SwitchListener {
    final List<String> threads = new CopyOnWriteArrayList<>();
    final AtomicInteger answered = new AtomicInteger();

    @Override
    public void switchConnected(SwitchConnection sw) {}

    @Override
    public void switchDisconnected(SwitchConnection sw) {}

    @Override
    public void portChanged(SwitchConnection sw, String portName, boolean added) {}

    @Override
    public void packetIn(SwitchConnection sw, OFPacketIn packetIn) {
      threads.add(Thread.currentThread().getName());
      sw.send(sw.factory().buildEchoRequest().setData(new byte[0]).build());
      sw.send(sw.factory().buildPacketOut().setInPort(OFPort.CONTROLLER).setData(packetIn.getData()).build());
      answered.incrementAndGet();
    }

    @Override
    public void flowRemoved(SwitchConnection sw, OFFlowRemoved removed) {}

    @Override
    public void error(SwitchConnection sw, OFErrorMsg error, Optional<OFMessage> request) {}
  }

  /** Counts writes and flushes that pass the head of the pipeline. */
  static final class FlushCounter extends ChannelOutboundHandlerAdapter {
    final AtomicInteger writes = new AtomicInteger();
    final AtomicInteger flushes = new AtomicInteger();

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      writes.incrementAndGet();
      ctx.write(msg, promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
      flushes.incrementAndGet();
      ctx.flush();
    }
  }

  final AnsweringListener listener = new AnsweringListener();
  final OpenFlowServer server = new OpenFlowServer(Map.of(HOST1, "host1"), listener,
      new OpenFlowSettings("127.0.0.1", 0, Duration.ofSeconds(5), Duration.ofSeconds(15)));
  final FlushCounter counter = new FlushCounter();
  FakeSwitch sw;

  @BeforeEach
  void connect() {
    sw = new FakeSwitch(server, OFVersion.OF_13);
    sw.connect(HOST1, ports("host1-up", 1, "web1-eth0", 2));
    sw.remaining();
    sw.channel.pipeline().addFirst(counter);
  }

  private ByteBuf packetIns(int n) {
    ByteBuf all = Unpooled.buffer();
    for (int i = 0; i < n; i++) {
      SwitchHandshakeTest.packetIn(sw).writeTo(all);
    }
    return all;
  }

  @Test
  void packetInsOfOneReadAreAnsweredWithOneFlush() {
    sw.channel.writeInbound(packetIns(10));

    await().until(() -> listener.answered.get() == 10 && counter.flushes.get() >= 1);
    assertThat(counter.writes.get()).isEqualTo(20);
    assertThat(counter.flushes.get()).isEqualTo(1);
    assertThat(sw.remaining()).extracting(OFMessage::getType)
        .containsExactlyElementsOf(alternating(10));
    assertThat(listener.threads).allMatch(t -> t.startsWith("openflow-host1"));
  }

  @Test
  void eachReadIsFlushedWhenItsCallbacksAreDone() {
    sw.channel.writeInbound(packetIns(3));
    await().until(() -> listener.answered.get() == 3 && counter.flushes.get() >= 1);
    sw.channel.writeInbound(packetIns(2));
    await().until(() -> listener.answered.get() == 5 && counter.flushes.get() >= 2);

    assertThat(counter.flushes.get()).isEqualTo(2);
    assertThat(counter.writes.get()).isEqualTo(10);
  }

  @Test
  void aLongReadIsFlushedEachTimeTheOutboxIsFull() {
    int n = SwitchSession.OUTBOX_LIMIT + 10;
    sw.channel.writeInbound(packetIns(n));

    await().until(() -> listener.answered.get() == n && counter.writes.get() == 2 * n);
    // 2 messages per packet-in: full after 128 and 256 packet-ins, then the last 10
    assertThat(counter.flushes.get()).isEqualTo(3);
    assertThat(sw.remaining()).hasSize(2 * n);
  }

  @Test
  void aMessageSentFromAnotherThreadIsFlushedAtOnce() {
    sw.session().send(sw.factory.buildEchoRequest().setData(new byte[0]).build());

    assertThat(counter.writes.get()).isEqualTo(1);
    assertThat(counter.flushes.get()).isEqualTo(1);
  }

  private static List<OFType> alternating(int pairs) {
    List<OFType> out = new java.util.ArrayList<>();
    for (int i = 0; i < pairs; i++) {
      out.add(OFType.ECHO_REQUEST);
      out.add(OFType.PACKET_OUT);
    }
    return out;
  }
}
