package org.nicflow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.flow.Cookie;
import org.nicflow.compiler.flow.FlowKind;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.ControllerSettings;
import org.nicflow.compiler.model.OffloadMode;
import org.nicflow.compiler.model.Vm;
import org.nicflow.controller.mininet.MininetHarness.DumpedFlow;

/**
 * The flow budget on real OVS (docs/controller.md, "Flow budget"). va, with {@code max_flows: 6}
 * (three connections), opens many more TCP connections to vb one after another: every one
 * succeeds, and the bridge never holds more than six connection flows (only va opens connections
 * here, so every connection flow is va's). Then OVS's own limit on the unified table
 * ({@code Flow_Table flow_limit}, {@code overflow_policy=refuse}) makes the switch answer
 * TABLE_FULL (before va reaches its own limit): va's connections still all succeed (sent on by
 * packet-outs), the refusals are counted, and once idle nothing of them is left in the controller.
 */
class FlowBudgetIT extends OneHostScenario {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long VA_MAX_FLOWS = 6;
  private static final int IDLE_S = 4;
  private static final int UNIFIED = Pipeline.number(Pipeline.UNIFIED);

  @Override
  OffloadMode mode() {
    return OffloadMode.REACTIVE;
  }

  @Override
  Config configure(Config fixture) {
    ControllerSettings c = fixture.controller();
    ControllerSettings quick = new ControllerSettings(c.openflowHost(), c.openflowPort(), c.apiHost(), c.apiPort(),
        c.mode(), IDLE_S, c.stateDir(), c.gatewayMac(), c.learnState(), c.missBudget(), c.tls(), c.apiLimits(), c.openflowOutbound(), c.flowLimits());
    List<Vm> vms = fixture.vms().stream().map(v -> !v.name().equals("va") ? v
        : new Vm(v.name(), v.host(), v.port(), v.mac(), v.ip(), v.vnet(), v.ruleset(), v.meterKbps(),
            v.missRatePps(), v.missBurst(), OptionalLong.of(VA_MAX_FLOWS))).toList();
    return new Config(quick, fixture.hosts(), fixture.vnets(), vms, fixture.rulesets(), fixture.loadBalancers());
  }

  @Test
  @Order(1)
  void aVmOpeningMoreConnectionsThanItsMaxFlowsGetsThemAllAndTheBridgeNeverHoldsMoreThanItsLimit()
      throws Exception {
    String server = harness.popen("vb", "/usr/bin/python3 " + probe + " churn-serve 8000");
    await().atMost(SHORT).until(() -> harness.output(server).output().contains("listening"));
    int connections = 24;

    String churn = harness.popen("va", "/usr/bin/python3 " + probe + " churn " + VB + " 8000 " + connections
        + " --in-flight 1 --timeout 5 --first-port 31000");
    int most = 0;
    int samples = 0;
    while (harness.output(churn).exit() < 0) {
      most = Math.max(most, connectionFlows().size());
      samples++;
    }
    most = Math.max(most, connectionFlows().size());
    JsonNode result = lastJson(harness.output(churn).output());
    harness.kill(server);

    System.out.printf("[figures] va (max_flows %d): %d of %d connections, at most %d connection flows in %d "
        + "dump-flows, %s evicted, budget %s%n", VA_MAX_FLOWS, result.get("ok").asInt(), connections, most, samples,
        controller.partition().flowsEvicted(), controller.partition().flowBudget("va").orElseThrow());
    assertThat(result.get("ok").asInt()).as("va's connections: %s", result).isEqualTo(connections);
    assertThat(result.get("failed").asInt()).isZero();
    assertThat(most).as("connection flows in the bridge at any dump").isLessThanOrEqualTo((int) VA_MAX_FLOWS);
    assertThat(controller.partition().flowsEvicted().getOrDefault("va", 0L)).as("evictions").isPositive();
    assertThat(controller.partition().flowsRefused()).as("nothing refused: there was always something to evict")
        .isEmpty();
  }

  @Test
  @Order(2)
  void whenTheSwitchsTableIsFullConnectionsStillSucceedRefusalsAreCountedAndNothingIsLeftAfterIdle()
      throws Exception {
    await().atMost(Duration.ofSeconds(30)).until(() -> connectionFlows().isEmpty()); // va's flows idled out
    int base = (int) harness.dumpFlows(BRIDGE).stream().filter(f -> f.table() == UNIFIED).count();
    vsctl("--", "--id=@t", "create", "Flow_Table", "flow_limit=" + (base + 2), "overflow_policy=refuse",
        "--", "set", "Bridge", BRIDGE, "flow_tables:" + UNIFIED + "=@t");
    String server = harness.popen("vb", "/usr/bin/python3 " + probe + " churn-serve 8001");
    await().atMost(SHORT).until(() -> harness.output(server).output().contains("listening"));
    int connections = 12;
    try {
      String churn = harness.popen("va", "/usr/bin/python3 " + probe + " churn " + VB + " 8001 " + connections
          + " --in-flight 1 --timeout 5 --first-port 32000");
      await().atMost(Duration.ofSeconds(60)).until(() -> harness.output(churn).exit() >= 0);
      JsonNode result = lastJson(harness.output(churn).output());
      Map<String, Map<String, Long>> refused = controller.partition().flowsRefused();
      int known = controller.partition().connections().size();
      long flowless = controller.partition().flowBudget("va").orElseThrow().flowless();
      System.out.printf("[figures] va with the unified table limited to %d flows: %d of %d connections, refused %s, "
          + "%d packet-outs, right after: %d connections known, %d flowless%n", base + 2, result.get("ok").asInt(),
          connections, refused, controller.partition().counters().packetOuts(), known, flowless);

      assertThat(result.get("ok").asInt()).as("va's connections: %s", result).isEqualTo(connections);
      assertThat(result.get("failed").asInt()).isZero();
      assertThat(refused.getOrDefault("va", Map.of()).getOrDefault("table_full", 0L)).as("refusals: %s", refused)
          .isPositive();
      assertThat(flowless).as("va's connections left without a flow").isPositive();
      assertThat(known).as("their entries, until idle").isPositive();
      assertThat(connectionFlows().size()).as("what the table took").isLessThanOrEqualTo(2);
      await().atMost(Duration.ofSeconds(3L * IDLE_S + 5)).untilAsserted(() -> {
        assertThat(controller.partition().connections().size()).as("connections after idle").isZero();
        assertThat(controller.partition().flowBudget("va").orElseThrow().flowless()).isZero();
      });
    } finally {
      harness.kill(server);
      vsctl("clear", "Bridge", BRIDGE, "flow_tables");
    }
  }

  /** The connection flows (unified, reverse and drop flows the controller installed) in the bridge now. */
  private List<DumpedFlow> connectionFlows() {
    return harness.dumpFlows(BRIDGE).stream().filter(f -> f.table() == UNIFIED)
        .filter(f -> Cookie.kindOf(Long.parseUnsignedLong(f.cookie().replaceFirst("^0x", ""), 16))
            .filter(k -> k == FlowKind.UNIFIED || k == FlowKind.REVERSE || k == FlowKind.DENIED).isPresent())
        .toList();
  }

  private static void vsctl(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("ovs-vsctl"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("%s: %s", command, out).isZero();
  }

  private static JsonNode lastJson(String output) throws Exception {
    String[] lines = output.strip().split("\n");
    return JSON.readTree(lines[lines.length - 1]);
  }
}
