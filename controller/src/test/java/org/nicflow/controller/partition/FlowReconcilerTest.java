package org.nicflow.controller.partition;

import org.nicflow.compiler.flow.MatchField;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.diff.FlowDiffer;
import org.nicflow.compiler.flow.Cookie;
import org.nicflow.compiler.flow.FlowAction;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.FlowKind;
import org.nicflow.compiler.flow.FlowMatch;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.controller.openflow.PortMap;
import org.nicflow.controller.openflow.SwitchConnection;
import org.nicflow.controller.openflow.SwitchDisconnectedException;
import org.nicflow.controller.openflow.translate.FlowModTranslator;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFFlowModCommand;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.types.DatapathId;

class FlowReconcilerTest {

  /** The flows here are base flows: no VM, so the policy's numbers do not matter. */
  private static final org.nicflow.compiler.model.Config NO_POLICY = new org.nicflow.compiler.model.Config(
      org.nicflow.compiler.model.ControllerSettings.DEFAULTS, List.of(), List.of(), List.of(), List.of(), List.of());

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
    return reconciler.reconcile(bridge, List.of(desired), NO_POLICY).get(5, TimeUnit.SECONDS);
  }

  private OFFlowStatsEntry onlyFlow() {
    List<OFFlowStatsEntry> all = bridge.flowStats().join();
    assertThat(all).hasSize(1);
    return all.get(0);
  }

  @Test
  void learnedConnectionEntriesStayWhileTheirRuleSetDoesAndGoWhenItChanges() throws Exception {
    org.nicflow.compiler.model.Config config = new org.nicflow.compiler.config.ConfigLoader().parse("""
        hosts: [{name: host1, dpid: "0000000000000001", uplink: up1, underlay_ip: 192.168.50.1}]
        vnets: [{name: blue, vni: 5001, prefix: 10.1.0.0/16, gateway: 10.1.0.1}]
        vms: [{name: vm1, host: host1, port: p1, mac: "02:00:00:00:01:01", ip: 10.1.0.11, vnet: blue, ruleset: rs}]
        rulesets: [{name: rs, layers: [{name: acl, default: deny, rules: [{id: out, priority: 1, direction: out,
          action: allow, stateful: true}]}]}]
        """, "test.yaml");
    int generation = config.generationOf(config.vms().get(0));
    FlowEntry current = learned(new Cookie(FlowKind.LEARNED, generation, 0, 0, 0).encode(), 40000);
    FlowEntry stale = learned(new Cookie(FlowKind.LEARNED, generation + 1, 0, 0, 0).encode(), 40001);

    org.nicflow.compiler.diff.FlowDiff diff = reconciler.plan(List.of(), List.of(current, stale), config);

    assertThat(diff.add()).isEmpty();
    assertThat(diff.modify()).isEmpty();
    assertThat(diff.delete()).containsExactly(stale);
  }

  private static FlowEntry learned(long cookie, int port) {
    return FlowEntry.builder(Pipeline.STATE_RECEIVER, 100)
        .match(FlowMatch.builder().masked(MatchField.METADATA, 1, 0xffff).exact(MatchField.ETH_TYPE, 0x0800)
            .exact(MatchField.IP_PROTO, 6).exact(MatchField.TCP_DST, port).build())
        .action(new FlowAction.LoadMetadata(Pipeline.SKIP_IN, Pipeline.SKIP_IN)).cookie(cookie).idleTimeout(10).build();
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

  @Test
  void aReadThatIsNeverAnsweredTimesOutAndTheRetryRepairs() throws Exception {
    var quick = new FlowReconciler(new FlowDiffer(),
        new ReconcileTiming(Duration.ofMillis(200), Duration.ZERO, 3, Duration.ofMillis(50)));
    bridge.ignoreFlowStats(1);

    var done = quick.reconcile(bridge, List.of(flow(WANTED, "p2", 0)), NO_POLICY);

    assertThat(done).isNotDone();
    FlowReconciler.Report report = done.get(10, TimeUnit.SECONDS);
    assertThat(report.added()).isEqualTo(1);
    assertThat(bridge.flowStatsRequests()).isEqualTo(2);
    assertThat(onlyFlow().getCookie().getValue()).isEqualTo(WANTED);
    // the abandoned read is cancelled: a late answer cannot start a second, stale repair
    assertThat(bridge.ignoredFlowStats).singleElement().satisfies(f -> assertThat(f).isCancelled());
  }

  @Test
  void aSwitchThatNeverAnswersFailsAfterTheLastRetry() {
    var quick = new FlowReconciler(new FlowDiffer(),
        new ReconcileTiming(Duration.ofMillis(50), Duration.ZERO, 2, Duration.ofMillis(10)));
    bridge.ignoreFlowStats(100);

    var done = quick.reconcile(bridge, List.of(flow(WANTED, "p2", 0)), NO_POLICY);

    assertThat(done).failsWithin(Duration.ofSeconds(10))
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(TimeoutException.class);
    assertThat(bridge.flowStatsRequests()).isEqualTo(3);
  }

  @Test
  void aDisconnectedSwitchIsNotRetried() {
    var quick = new FlowReconciler(new FlowDiffer(),
        new ReconcileTiming(Duration.ofSeconds(5), Duration.ZERO, 3, Duration.ofMillis(10)));
    SwitchConnection gone = new DisconnectedSwitch(bridge);

    var done = quick.reconcile(gone, List.of(flow(WANTED, "p2", 0)), NO_POLICY);

    assertThat(done).isCompletedExceptionally();
    assertThat(done).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(SwitchDisconnectedException.class);
    assertThat(bridge.flowStatsRequests()).isEqualTo(1);
  }

  @Test
  void theTimeoutGrowsWithTheFlowsAndTheBackoffDoubles() {
    var timing = ReconcileTiming.defaults();
    assertThat(timing.timeoutFor(0)).isEqualTo(Duration.ofSeconds(10));
    assertThat(timing.timeoutFor(10_000)).isEqualTo(Duration.ofSeconds(20));
    assertThat(timing.backoffBefore(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(timing.backoffBefore(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(timing.backoffBefore(3)).isEqualTo(Duration.ofSeconds(4));
    assertThat(timing.retries()).isEqualTo(3);
  }

  /** A switch whose connection has closed: every request fails at once. */
  private record DisconnectedSwitch(FakeBridge bridge) implements SwitchConnection {
    @Override
    public DatapathId dpid() {
      return bridge.dpid();
    }

    @Override
    public String host() {
      return bridge.host();
    }

    @Override
    public OFFactory factory() {
      return bridge.factory();
    }

    @Override
    public PortMap ports() {
      return bridge.ports();
    }

    @Override
    public void send(OFMessage message) {}

    @Override
    public CompletableFuture<Void> barrier() {
      return CompletableFuture.failedFuture(new SwitchDisconnectedException(dpid()));
    }

    @Override
    public CompletableFuture<Void> commit(List<OFMessage> messages) {
      return barrier();
    }

    @Override
    public CompletableFuture<List<OFFlowStatsEntry>> flowStats() {
      bridge.flowStats(); // counted
      return CompletableFuture.failedFuture(new SwitchDisconnectedException(dpid()));
    }

    @Override
    public Executor executor() {
      return Runnable::run;
    }

    @Override
    public void close(String reason) {}
  }
}
