package org.nicflow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.compiler.model.Config;
import org.nicflow.controller.mininet.MininetHarness.CommandResult;
import org.nicflow.controller.mininet.MininetHarness.DumpedFlow;
import org.nicflow.controller.api.ConfigDocument;

/**
 * Policy that changes while traffic flows, on real Open vSwitch and Mininet: a new revision that
 * denies a live flow stops it within a second, allowing it again restores it, and the flows of an
 * unrelated VM pair are never touched on the way (same cookie, counters and duration keep running).
 *
 * <p>Fixture {@code one-host.yaml}: va is a client; vb a server whose rule {@code udp-in} admits UDP
 * 5000-5010; vc is open.
 */
abstract class LivePolicyScenario extends OneHostScenario {

  private static final Pattern DURATION = Pattern.compile("duration=([0-9.]+)s");

  private final ObjectMapper json = new ObjectMapper();

  @Test
  @Order(1)
  void aRevisionThatDeniesLiveTrafficStopsItAndTheNextRestoresItWithoutTouchingOtherFlows() throws Exception {
    Config original = controller.config();
    String denied = serve("vb", "udp", 5005);
    String unrelated = serve("vc", "udp", 5009);
    try {
      String otherWatch = harness.popen("va", "/usr/bin/python3 " + probe + " watch " + VC
          + " 5009 12 --source-port 41009");
      String watch = harness.popen("va", "/usr/bin/python3 " + probe + " watch " + VB
          + " 5005 12 --source-port 41005");
      await().atMost(SHORT).until(() -> forwarding(unifiedFlowsOn(BRIDGE, 5005)) && forwarding(unifiedFlowsOn(BRIDGE, 5009)));
      await().atMost(SHORT).until(() -> unifiedFlowsOn(BRIDGE, 5009).stream().mapToLong(DumpedFlow::packets).sum() > 20);
      List<DumpedFlow> otherBefore = unifiedFlowsOn(BRIDGE, 5009);
      long otherPacketsBefore = otherBefore.stream().mapToLong(DumpedFlow::packets).sum();
      long flowModsBefore = controller.partition().counters().flowMods();

      long denyAt = System.currentTimeMillis();
      putConfig(original.withoutRule("server", "udp-in"));
      long deniedAt = System.currentTimeMillis();
      long denyFlowMods = controller.partition().counters().flowMods() - flowModsBefore;
      // While the deny is in force, no flow in the switch forwards the denied traffic.
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
          .until(() -> !forwarding(unifiedFlowsOn(BRIDGE, 5005)));

      long flowModsRestore = controller.partition().counters().flowMods();
      long restoreAt = System.currentTimeMillis();
      putConfig(original);
      long restoredAt = System.currentTimeMillis();
      long restoreFlowMods = controller.partition().counters().flowMods() - flowModsRestore;
      await().atMost(SHORT).until(() -> forwarding(unifiedFlowsOn(BRIDGE, 5005)));

      JsonNode stream = finished(watch);
      JsonNode other = finished(otherWatch);
      List<DumpedFlow> otherAfter = unifiedFlowsOn(BRIDGE, 5009);

      List<double[]> rounds = rounds(stream);
      assertThat(rounds.stream().filter(r -> r[0] * 1000 >= denyAt + 1000 && r[0] * 1000 < restoreAt)
          .filter(r -> r[1] > 0).count()).as("rounds answered from 1 s after the deny until the restore").isZero();
      assertThat(rounds.stream().filter(r -> r[0] * 1000 < denyAt).filter(r -> r[1] > 0).count())
          .as("rounds answered before the deny").isPositive();
      assertThat(rounds.stream().filter(r -> r[0] * 1000 >= restoredAt + 1000).filter(r -> r[1] > 0).count())
          .as("rounds answered from 1 s after the restore").isPositive();
      assertThat(rounds.stream().filter(r -> r[0] * 1000 >= restoredAt + 1000).filter(r -> r[1] == 0).count())
          .as("rounds lost from 1 s after the restore (restore enforced at %d, flows now %s)", restoredAt,
              unifiedFlowsOn(BRIDGE, 5005)).isZero();
      long lastAnswered = rounds.stream().filter(r -> r[1] > 0 && r[0] * 1000 < restoreAt)
          .mapToLong(r -> (long) (r[0] * 1000)).max().orElseThrow();

      assertThat(other.path("answered").asInt()).as("unrelated pair: every round answered")
          .isEqualTo(other.path("sent").asInt());
      assertThat(cookies(otherAfter)).as("unrelated pair: same flows, same cookies").isEqualTo(cookies(otherBefore));
      assertThat(otherAfter.stream().mapToLong(DumpedFlow::packets).sum()).as("unrelated pair: n_packets grows")
          .isGreaterThan(otherPacketsBefore);
      Map<String, Double> durationsBefore = durations(otherBefore);
      durations(otherAfter).forEach((match, seconds) -> assertThat(seconds)
          .as("unrelated flow %s: duration not reset", match).isGreaterThanOrEqualTo(durationsBefore.get(match)));

      System.out.printf("[figures] %s mode: one-rule REST change (PUT config?wait=enforced) answered %d ms after the write,"
              + " %d flow-mods; restore enforced in %d ms, %d flow-mods; last answered round %d ms after the"
              + " write%n", mode(), deniedAt - denyAt, denyFlowMods, restoredAt - restoreAt, restoreFlowMods,
          lastAnswered - denyAt);
    } finally {
      harness.kill(denied);
      harness.kill(unrelated);
    }
  }

  @Test
  @Order(2)
  void anAuditPutsOurDriftedFlowsRightAndLeavesForeignFlowsAlone() throws Exception {
    List<DumpedFlow> desired = ours(harness.dumpFlows(BRIDGE));
    DumpedFlow deleted = desired.get(0);
    DumpedFlow recookied = desired.get(1);
    run("del-flows", "--strict", BRIDGE, "table=" + deleted.table() + ",priority=" + deleted.priority()
        + (deleted.match().isEmpty() ? "" : "," + deleted.match()));
    run("add-flow", BRIDGE, "table=" + recookied.table() + ",priority=" + recookied.priority()
        + (recookied.match().isEmpty() ? "" : "," + recookied.match()) + ",cookie=0x4e00000000000077,actions="
        + recookied.actions());
    run("add-flow", BRIDGE, "table=0,priority=7,cookie=0x1234,in_port=p-vc,actions=drop");
    assertThat(ours(harness.dumpFlows(BRIDGE))).isNotEqualTo(desired);

    int repairs = controller.partition().audit().get(10, TimeUnit.SECONDS);

    assertThat(repairs).as("flow-mods the audit sent").isEqualTo(2);
    assertThat(cookies(ours(harness.dumpFlows(BRIDGE)))).as("our flows, cookies included")
        .isEqualTo(cookies(desired));
    assertThat(harness.dumpFlows(BRIDGE)).as("the foreign flow")
        .anyMatch(f -> f.cookie().equals("0x1234") && f.priority() == 7);
    run("del-flows", "--strict", BRIDGE, "table=0,priority=7,in_port=p-vc");
  }

  // ---- helpers --------------------------------------------------------------------------------

  @Override
  Optional<InetSocketAddress> api() {
    return Optional.of(new InetSocketAddress("127.0.0.1", 0));
  }

  /** Our flows outside the connection table (connection flows come and go with traffic). */
  static List<DumpedFlow> ours(List<DumpedFlow> flows) {
    return flows.stream().filter(f -> f.cookie().startsWith("0x4e"))
        .filter(f -> f.table() != Pipeline.number(Pipeline.UNIFIED) || f.priority() == 0).toList();
  }

  void run(String... ofctl) {
    String[] args = new String[ofctl.length + 2];
    args[0] = "-O";
    args[1] = "OpenFlow13";
    System.arraycopy(ofctl, 0, args, 2, ofctl.length);
    CommandResult r = harness.ofctl(args);
    assertThat(r.exit()).as("ovs-ofctl %s: %s", String.join(" ", ofctl), r.output()).isZero();
  }

  JsonNode finished(String proc) throws Exception {
    CommandResult[] done = new CommandResult[1];
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      done[0] = harness.output(proc);
      return done[0].output().contains("\"rounds\"");
    });
    String last = done[0].output().strip().lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse("{}");
    return json.readTree(last);
  }

  static List<double[]> rounds(JsonNode stream) {
    List<double[]> out = new ArrayList<>();
    stream.path("rounds").forEach(r -> out.add(new double[] {r.get(0).asDouble(), r.get(1).asBoolean() ? 1 : 0}));
    return out;
  }

  static boolean forwarding(List<DumpedFlow> flows) {
    return flows.stream().anyMatch(f -> f.actions().contains("output") || f.actions().contains("IN_PORT"));
  }

  static Map<String, String> cookies(List<DumpedFlow> flows) {
    return flows.stream().collect(Collectors.toMap(f -> f.table() + "," + f.priority() + "," + f.match(), DumpedFlow::cookie));
  }

  static Map<String, Double> durations(List<DumpedFlow> flows) {
    return flows.stream().collect(Collectors.toMap(f -> f.table() + "," + f.priority() + "," + f.match(), f -> {
      Matcher m = DURATION.matcher(f.text());
      return m.find() ? Double.parseDouble(m.group(1)) : -1.0;
    }));
  }
}
