package org.nicflow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.model.OffloadMode;
import org.nicflow.controller.mininet.MininetHarness.CommandResult;

/**
 * Policy changes of growing size through the REST API, in proactive mode on real Open vSwitch:
 * the time from the write to its enforcement (every switch answered the barrier) and the
 * flow-mods each took; then a switch that reconnects while holding the large pipeline gets it
 * reconciled without a single flow-mod. The figures go to the {@code [figures]} lines.
 *
 * <p>The reconnect is made by pointing the bridge at another controller address and back: with
 * {@code ovs-vsctl del-controller} the bridge would have no controller for a moment, and OVS
 * flushes a bridge's flows when it loses its last controller.
 */
class ScaleUpdateIT extends OneHostScenario {

  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  @Override
  OffloadMode mode() {
    return OffloadMode.PROACTIVE;
  }

  @Override
  Optional<InetSocketAddress> api() {
    return Optional.of(new InetSocketAddress("127.0.0.1", 0));
  }

  @Test
  @Order(1)
  void largeRuleSetChangesAreEnforcedAndAReconnectWithTheirFlowsSendsNothing() throws Exception {
    long flowModsBefore = controller.partition().counters().flowMods();
    for (int rules : new int[] {1, 1000, 10_000}) {
      long mods = controller.partition().counters().flowMods();
      long started = System.nanoTime();
      HttpResponse<String> answer = put("/api/v1/rulesets/open?wait=enforced&timeout_s=120", ruleset(rules));
      long ms = (System.nanoTime() - started) / 1_000_000;
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      JsonNode body = json.readTree(answer.body());
      assertThat(body.path("enforced").asBoolean()).as(answer.body()).isTrue();
      int ours = (int) harness.dumpFlows(BRIDGE).stream().filter(f -> f.cookie().startsWith("0x4e")).count();
      assertThat(ours).as("flows on the bridge").isGreaterThan(rules);
      System.out.printf("[figures] REST change to a %,d-rule rule set enforced (every switch answered its commit) in %d ms,"
              + " %d flow-mods; %,d nicflow flows on the bridge%n", rules, ms,
          controller.partition().counters().flowMods() - mods, ours);
    }
    assertThat(controller.partition().counters().flowMods()).isGreaterThan(flowModsBefore);
    assertThat(controller.server().stats().global().messagesOut())
        .as("the switch speaks OpenFlow 1.4: updates go as bundles")
        .containsKeys(org.projectfloodlight.openflow.protocol.OFType.BUNDLE_CONTROL,
            org.projectfloodlight.openflow.protocol.OFType.BUNDLE_ADD_MESSAGE);

    long mods = controller.partition().counters().flowMods();
    int flows = harness.dumpFlows(BRIDGE).size();
    // Point the bridge at a port nobody listens on: OVS keeps its flows while a controller is
    // configured (deleting the controller would make it flush them, see the class comment).
    int nobody;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      nobody = s.getLocalPort();
    }
    run("ovs-vsctl", "set-controller", BRIDGE, "tcp:127.0.0.1:" + nobody);
    await().atMost(SHORT).until(() -> !controller.partition().connectedHosts().contains(BRIDGE));
    long started = System.nanoTime();
    run("ovs-vsctl", "set-controller", BRIDGE, "tcp:127.0.0.1:" + controller.openflowPort());
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20))
        .until(() -> controller.partition().connectedHosts().contains(BRIDGE));
    long ms = (System.nanoTime() - started) / 1_000_000;
    assertThat(controller.partition().counters().flowMods() - mods).as("flow-mods on reconnect").isZero();
    System.out.printf("[figures] reconnect of a switch holding %,d flows: reconciled %d ms after set-controller,"
        + " 0 flow-mods%n", flows, ms);
  }

  private String ruleset(int rules) throws Exception {
    ObjectNode set = json.createObjectNode().put("name", "open");
    ObjectNode layer = set.putArray("layers").addObject().put("name", "acl").put("default", "allow");
    ArrayNode list = layer.putArray("rules");
    for (int i = 0; i < rules; i++) {
      list.addObject().put("id", "deny-" + i).put("priority", 100).put("direction", "in").put("proto", "tcp")
          .put("dst_port", 20000 + i).put("action", "deny");
    }
    return json.writeValueAsString(set);
  }

  private HttpResponse<String> put(String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controller.apiPort().getAsInt() + path))
        .timeout(Duration.ofSeconds(180)).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private void run(String... command) {
    CommandResult r = harness.ofctl(command);
    assertThat(r.exit()).as("%s: %s", String.join(" ", command), r.output()).isZero();
  }
}
