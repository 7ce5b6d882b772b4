package org.nicflow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.OffloadMode;
import org.nicflow.compiler.proactive.HostPipelineCompiler;
import org.nicflow.controller.mininet.MininetHarness.CommandResult;

/**
 * The per-VM miss budget on real OVS (docs/config.md, {@code miss_rate_pps}): vc floods new UDP
 * flows (every datagram a new destination port of vb, which vb's rules deny) as fast as this
 * machine can send them, while va opens TCP connections to vb one after another. vc's misses are
 * dropped by its miss meter in the switch, past its budget, before they reach the controller; va's
 * budget is untouched, so every one of its connections succeeds and none of their first packets
 * is lost (a lost SYN would be sent again after 1 s, so every setup stays well below that). The
 * figures (flood rate, va's setup times, what the meter dropped) go to a {@code [figures]} line;
 * the speed target is in docs/benchmarks.md, not asserted here.
 */
class MissBudgetFloodIT extends OneHostScenario {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern BAND_PACKETS = Pattern.compile("0: packet_count:(\\d+)");
  private static final Pattern PACKETS_IN = Pattern.compile("packet_in_count:(\\d+)");
  private static final int CONNECTIONS = 50;
  private static final double FLOOD_SECONDS = 8;

  @Override
  OffloadMode mode() {
    return OffloadMode.REACTIVE;
  }

  /**
   * vc's own budget, 200 misses/s: what the controller takes in from the flood must stay below what
   * it can evaluate on this (shared, 2-core) machine, or OVS's queue of packet-ins to the controller
   * fills and OVS drops packet-ins of every port alike (docs/config.md, "Miss budget").
   */
  static final long FLOODER_RATE = 200;

  @Override
  Config configure(Config fixture) {
    java.util.List<org.nicflow.compiler.model.Vm> vms = fixture.vms().stream().map(v -> !v.name().equals("vc") ? v
        : new org.nicflow.compiler.model.Vm(v.name(), v.host(), v.port(), v.mac(), v.ip(), v.vnet(), v.ruleset(),
            v.meterKbps(), java.util.OptionalLong.of(FLOODER_RATE), java.util.OptionalLong.empty())).toList();
    return new Config(fixture.controller(), fixture.hosts(), fixture.vnets(), vms, fixture.rulesets(),
        fixture.loadBalancers());
  }

  @Test
  @Order(1)
  void aVmFloodingNewFlowsSpendsOnlyItsOwnBudgetAndAnotherVmLosesNoFirstPacket() throws Exception {
    String server = harness.popen("vb", "/usr/bin/python3 " + probe + " churn-serve 8000");
    await().atMost(SHORT).until(() -> harness.output(server).output().contains("listening"));
    long vcMeter = meterId("vc");
    long vaMeter = meterId("va");
    long packetInsBefore = controller.partition().counters().packetIns();

    String flood = harness.popen("vc", "/usr/bin/python3 " + probe + " flood " + VB + " " + FLOOD_SECONDS
        + " --senders 2");
    await().atMost(SHORT).until(() -> meterDropped(harness.ofctl("-O", "OpenFlow13", "meter-stats", BRIDGE).output(),
        vcMeter) > 0); // the flood is past vc's burst
    CommandResult churn = harness.cmd("va", "/usr/bin/python3 " + probe + " churn " + VB + " 8000 " + CONNECTIONS
        + " --in-flight 1 --timeout 5 --first-port 30000", Duration.ofSeconds(60));
    await().atMost(Duration.ofSeconds(60)).until(() -> harness.output(flood).exit() >= 0);
    JsonNode flooded = lastJson(harness.output(flood).output());
    JsonNode connections = lastJson(churn.output());
    long packetIns = controller.partition().counters().packetIns() - packetInsBefore;
    String meters = harness.ofctl("-O", "OpenFlow13", "meter-stats", BRIDGE).output();
    harness.kill(server);

    System.out.printf("[figures] vc flooded %,d new flows in %.1f s (%,.0f/s); va: %d of %d connections, setup p50 "
        + "%s ms, p99 %s ms, %d failed; vc's miss meter passed %,d of %,d and dropped %,d; %,d packet-ins in all; "
        + "misses over budget in the controller: %s%n", flooded.get("sent").asLong(), flooded.get("seconds").asDouble(),
        flooded.get("per_second").asDouble(), connections.get("ok").asInt(), CONNECTIONS,
        connections.get("setup_ms_p50").asText(), connections.get("setup_ms_p99").asText(),
        connections.get("failed").asInt(), meterIn(meters, vcMeter) - meterDropped(meters, vcMeter),
        meterIn(meters, vcMeter), meterDropped(meters, vcMeter), packetIns, controller.partition().missesOverBudget());

    assertThat(connections.get("ok").asInt()).as("va's connections: %s", connections).isEqualTo(CONNECTIONS);
    assertThat(connections.get("failed").asInt()).isZero();
    assertThat(connections.get("setup_ms_p99").asDouble()).as("no SYN of va sent twice (1 s retransmit)")
        .isLessThan(900);
    assertThat(meterDropped(meters, vcMeter)).as("vc's misses dropped by its meter in the switch").isPositive();
    assertThat(meterDropped(meters, vaMeter)).as("va's meter dropped nothing").isZero();
    assertThat(controller.partition().missesOverBudget("va")).isZero();
    long budget = controller.partition().policy().config().missBudgetOf(
        controller.partition().policy().config().vm("vc").orElseThrow()).ratePps();
    assertThat(packetIns).as("packet-ins: vc's budget over the flood, its burst, va's connections and slack")
        .isLessThan((long) ((FLOOD_SECONDS + 6) * budget) + 2 * budget + 10L * CONNECTIONS);
  }

  private long meterId(String vm) {
    Config config = controller.partition().policy().config();
    return HostPipelineCompiler.MISS_METER_BASE + config.vmIndex(vm) + 1;
  }

  /** The lines of {@code meter-stats} output that belong to meter {@code id}. */
  private static String meterBlock(String meterStats, long id) {
    int at = meterStats.indexOf("meter:" + id + " ");
    assertThat(at).as("meter %d in %s", id, meterStats).isNotNegative();
    int next = meterStats.indexOf("meter:", at + 1);
    return meterStats.substring(at, next < 0 ? meterStats.length() : next);
  }

  private static long meterIn(String meterStats, long id) {
    return number(PACKETS_IN.matcher(meterBlock(meterStats, id)));
  }

  private static long meterDropped(String meterStats, long id) {
    return number(BAND_PACKETS.matcher(meterBlock(meterStats, id)));
  }

  private static long number(Matcher m) {
    assertThat(m.find()).isTrue();
    return Long.parseLong(m.group(1));
  }

  private static JsonNode lastJson(String output) throws Exception {
    String[] lines = output.strip().split("\n");
    return JSON.readTree(lines[lines.length - 1]);
  }
}
