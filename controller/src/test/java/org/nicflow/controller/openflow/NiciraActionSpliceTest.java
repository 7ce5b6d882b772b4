package org.nicflow.controller.openflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.flow.Cookie;
import org.nicflow.compiler.flow.FlowAction;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.FlowKind;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.proactive.HostPipelineCompiler;
import org.nicflow.controller.openflow.translate.FlowModTranslator;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFFlowStatsReply;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.OFPort;

/**
 * A flow-stats reply captured from Open vSwitch 3.1 (OpenFlow 1.4) holding host1's proactive flows
 * of {@code demo-learn.yaml} (learn_state on, meters left out, SYN twins included) and one learned connection: the
 * decoder reads it although openflowj knows no resubmit, learn or register load, and the
 * translator reads every flow back exactly as compiled, the learned one as a metadata load.
 */
class NiciraActionSpliceTest {

  private static final PortMap PORTS = new PortMap(java.util.Map.of("p-web1", OFPort.of(1), "p-db1", OFPort.of(2),
      "p-red1", OFPort.of(3), "host1-up", OFPort.of(4), "tun-host2", OFPort.of(5)));

  @Test
  void readsOvssFlowStatsWithResubmitLearnAndLearnedLoadsAsCompiled() throws Exception {
    OFFlowStatsReply reply = decode(resource("flow-stats-learn-ovs-3.1.hex"));
    FlowModTranslator translator = new FlowModTranslator(OFFactories.getFactory(OFVersion.OF_14), PORTS);
    Config config = new ConfigLoader().parse(resource("demo-learn.yaml"), "demo-learn.yaml");
    Set<FlowEntry> compiled = new HashSet<>();
    for (FlowEntry f : new HostPipelineCompiler(config).flows("host1")) {
      FlowEntry.Builder b = FlowEntry.builder(f.table(), f.priority()).match(f.match()).actions(f.actions())
          .cookie(f.cookie()).idleTimeout(f.idleTimeout()).hardTimeout(f.hardTimeout())
          .sendFlowRemoved(f.sendFlowRemoved());
        f.writeMetadata().ifPresent(w -> b.writeMetadata(w.value(), w.mask()));
        f.gotoTable().ifPresent(b::gotoTable);
      compiled.add(b.build());
    }

    Set<FlowEntry> read = new HashSet<>();
    List<FlowEntry> learned = new java.util.ArrayList<>();
    for (OFFlowStatsEntry e : reply.getEntries()) {
      FlowEntry f = translator.fromStats(e).orElseThrow(() -> new AssertionError("unreadable: " + e));
      if (Cookie.decode(f.cookie()).kind() == FlowKind.LEARNED) {
        learned.add(f);
      } else {
        read.add(f);
      }
    }

    assertThat(compiled.stream().filter(f -> f.actions().stream().anyMatch(a -> a instanceof FlowAction.Learn)))
        .isNotEmpty();
    Set<FlowEntry> missing = new HashSet<>(compiled);
    missing.removeAll(read);
    Set<FlowEntry> extra = new HashSet<>(read);
    extra.removeAll(compiled);
    assertThat(missing).as("compiled but not read back; read but not compiled: %s", extra).isEmpty();
    assertThat(extra).isEmpty();
    assertThat(learned).hasSize(1);
    assertThat(learned.get(0).table()).isEqualTo(Pipeline.STATE_RECEIVER);
    assertThat(learned.get(0).actions()).containsExactly(new FlowAction.LoadMetadata(Pipeline.SKIP_IN, Pipeline.SKIP_IN));
  }

  @Test
  void leavesAFrameWithoutNiciraActionsAlone() {
    ByteBuf frame = Unpooled.wrappedBuffer(HexFormat.of().parseHex("051300100000004d0001000000000000"));
    assertThat(NiciraActionSplice.cut(frame)).isEmpty();
  }

  private static OFFlowStatsReply decode(String hex) {
    EmbeddedChannel channel = new EmbeddedChannel(new OfMessageDecoder());
    channel.writeInbound(Unpooled.wrappedBuffer(HexFormat.of().parseHex(hex.trim())));
    return (OFFlowStatsReply) Objects.requireNonNull(channel.readInbound());
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = NiciraActionSpliceTest.class.getResourceAsStream("/ovs/" + name)) {
      return new String(Objects.requireNonNull(in, name).readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
