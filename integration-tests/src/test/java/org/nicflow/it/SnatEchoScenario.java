package org.nicflow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.controller.mininet.MininetHarness.DumpedFlow;

/**
 * Fixture {@code snat-echo.yaml}: ea and eb on bridge nfe1 SNAT to one public address and ping one
 * endpoint on the physical network at the same time, with the same ICMP identifier (the case a
 * translation must tell apart), for 10 s. Each must get exactly its own replies: none lost, none
 * delivered to the other. The bridge's flows for the pair send it to the controller, which gives
 * each session its own query identifier on the public address (docs/semantics.md, "ICMP echo
 * sessions").
 */
abstract class SnatEchoScenario extends NetworkScenario {

  static final String BRIDGE = "nfe1";
  static final String EXTERNAL = "198.51.100.1";
  static final int IDENT = 4242;
  static final int COUNT = 50;
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  String fixtureName() {
    return "snat-echo.yaml";
  }

  @Override
  List<String> externalAddresses() {
    return List.of(EXTERNAL + "/24");
  }

  @Test
  void twoVmsBehindOneSnatAddressPingingOneHostWithOneIdentifierEachGetExactlyTheirOwnReplies() throws Exception {
    String command = "/usr/bin/python3 " + probe + " echo " + EXTERNAL + " " + COUNT + " --ident " + IDENT
        + " --interval 0.2 --wait 1.5 --tag ";
    String ea = harness.popen("ea", command + "ea");
    String eb = harness.popen("eb", command + "eb");
    JsonNode fromEa = result(ea);
    JsonNode fromEb = result(eb);
    long controllerPath = controller.partition().counters().controllerPathPackets();
    List<DumpedFlow> echoFlows = harness.dumpFlows(BRIDGE).stream()
        .filter(f -> f.table() == Pipeline.number(Pipeline.UNIFIED) && f.match().contains("icmp")).toList();
    System.out.printf("[figures] %s mode, two VMs behind one SNAT address pinging one host with identifier %d"
        + " for %d s: ea %s, eb %s; %d packets on the controller's path%n", mode().name().toLowerCase(), IDENT,
        COUNT / 5, fromEa, fromEb, controllerPath);
    echoFlows.forEach(f -> System.out.println("[flows] " + f));

    for (JsonNode r : List.of(fromEa, fromEb)) {
      assertThat(r.path("sent").asInt()).as("%s", r).isEqualTo(COUNT);
      assertThat(r.path("own").asInt()).as("every reply of %s came back to it: %s", r.path("tag"), r)
          .isEqualTo(COUNT);
      assertThat(r.path("foreign").asInt()).as("no reply of the other VM: %s", r).isZero();
      assertThat(r.path("other_ident").asInt()).as("each reply carries the identifier sent: %s", r).isZero();
    }
    assertThat(controllerPath).as("requests and the shared replies went through the controller")
        .isGreaterThanOrEqualTo(4L * COUNT);
    assertThat(echoFlows).as("the pair's flows send to the controller: the switch cannot tell the identifiers apart")
        .isNotEmpty().allSatisfy(f -> assertThat(f.actions()).contains("CONTROLLER"));
    List<Integer> queryIds = controller.partition().connections().all().stream()
        .filter(c -> c.translated().isIcmpEcho()).map(c -> c.translated().queryId()).distinct().toList();
    assertThat(queryIds).as("one query identifier per session on the public address").hasSize(2);
  }

  private JsonNode result(String proc) throws Exception {
    await().atMost(Duration.ofSeconds(COUNT / 5 + 20)).pollInterval(Duration.ofMillis(200))
        .until(() -> harness.output(proc).output().contains("}"));
    String out = harness.output(proc).output();
    return JSON.readTree(out.substring(out.indexOf('{'), out.indexOf('}', out.indexOf('{')) + 1));
  }
}
