package org.nicflow.controller.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.diff.FlowDiffer;
import org.nicflow.compiler.flow.Cookie;
import org.nicflow.compiler.flow.FlowAction;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.FlowKind;
import org.nicflow.compiler.flow.FlowMatch;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.controller.openflow.translate.FlowModTranslator;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFFlowModCommand;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;

class FlowReconcilerTest {

  private static final String TABLE = Pipeline.CLASSIFY;
  private static final long STALE = new Cookie(FlowKind.RULE, 1, 3, 1, 7).encode();
  private static final long WANTED = new Cookie(FlowKind.RULE, 1, 3, 1, 8).encode();

  private final FakeBridge bridge = new FakeBridge("host1", 1L, Map.of("p1", 1, "p2", 2, "p3", 3));
  private final FlowModTranslator translator = new FlowModTranslator(bridge.factory(), bridge.ports());
  private final FlowReconciler reconciler = new FlowReconciler(new FlowDiffer(), Duration.ofSeconds(5));

  private static FlowEntry flow(long cookie, String outPort, int idleTimeout) {
    return FlowEntry.builder(TABLE, 100)
        .match(FlowMatch.builder().inPort("p1").build())
        .action(new FlowAction.Output(outPort))
        .cookie(cookie)
        .idleTimeout(idleTimeout)
        .build();
  }

  private FlowReconciler.Report reconcile(FlowEntry desired) throws Exception {
    return reconciler.reconcile(bridge, List.of(desired), 1).get(5, TimeUnit.SECONDS);
  }

  private OFFlowStatsEntry onlyFlow() {
    List<OFFlowStatsEntry> all = bridge.flowStats().join();
    assertThat(all).hasSize(1);
    return all.get(0);
  }

  @Test
  void aStaleCookieIsReplacedByAnAddThatKeepsTheCounters() throws Exception {
    bridge.preinstall(translator.add(flow(STALE, "p2", 0)));
    bridge.countTraffic(Pipeline.number(TABLE), 42, 4200);

    FlowReconciler.Report report = reconcile(flow(WANTED, "p2", 0));

    assertThat(report.modified()).isEqualTo(1);
    assertThat(bridge.sentOf(OFFlowMod.class)).extracting(OFFlowMod::getCommand)
        .containsExactly(OFFlowModCommand.ADD);
    OFFlowStatsEntry installed = onlyFlow();
    assertThat(installed.getCookie().getValue()).isEqualTo(WANTED);
    assertThat(installed.getPacketCount().getValue()).isEqualTo(42);
    assertThat(installed.getByteCount().getValue()).isEqualTo(4200);
    // converged: a second pass finds nothing to do
    assertThat(reconcile(flow(WANTED, "p2", 0)).changes()).isZero();
  }

  @Test
  void aChangedTimeoutIsRepairedToo() throws Exception {
    bridge.preinstall(translator.add(flow(WANTED, "p2", 0)));

    reconcile(flow(WANTED, "p2", 30));

    assertThat(onlyFlow().getIdleTimeout()).isEqualTo(30);
    assertThat(reconcile(flow(WANTED, "p2", 30)).changes()).isZero();
  }

  @Test
  void onlyChangedActionsStayAStrictModifyThatKeepsTheCounters() throws Exception {
    bridge.preinstall(translator.add(flow(WANTED, "p2", 0)));
    bridge.countTraffic(Pipeline.number(TABLE), 5, 500);

    reconcile(flow(WANTED, "p3", 0));

    assertThat(bridge.sentOf(OFFlowMod.class)).extracting(OFFlowMod::getCommand)
        .containsExactly(OFFlowModCommand.MODIFY_STRICT);
    OFFlowStatsEntry installed = onlyFlow();
    assertThat(installed.getInstructions()).isEqualTo(translator.instructions(flow(WANTED, "p3", 0)));
    assertThat(installed.getPacketCount().getValue()).isEqualTo(5);
  }

  @Test
  void theFakeBridgeKeepsCookieAndTimeoutsOnAModifyAsOvsDoes() {
    bridge.preinstall(translator.add(flow(STALE, "p2", 0)));

    bridge.send(translator.modifyStrict(flow(WANTED, "p3", 30)));

    OFFlowStatsEntry installed = onlyFlow();
    assertThat(installed.getCookie().getValue()).isEqualTo(STALE);
    assertThat(installed.getIdleTimeout()).isZero();
    assertThat(installed.getInstructions()).isEqualTo(translator.instructions(flow(WANTED, "p3", 0)));
  }
}
