package org.nicflow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.eval.Connection;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.OffloadMode;
import org.nicflow.compiler.model.Vm;
import org.nicflow.controller.mininet.MininetHarness.CommandResult;
import org.nicflow.controller.policy.PolicyWriter;

/**
 * A VM moved to another host while it talks, on real Open vSwitch: the revision that moves it is
 * committed, then its port moves to the other bridge (as a hypervisor would re-plug it). Its
 * connection keeps its state — the same connection decides its packets on the new host — and its
 * stream resumes within a second of the re-plug.
 *
 * <p>Fixture {@code two-hosts.yaml}: xa (client, stateful out) moves from nfx1 to nfx2 while it
 * pings xb on nfx2.
 */
class VmMoveIT extends NetworkScenario {

  private static final String XB = "10.71.0.11";
  private static final Pattern REPLY = Pattern.compile("^\\[(\\d+\\.\\d+)\\] \\d+ bytes from .*icmp_seq=(\\d+)",
      Pattern.MULTILINE);

  @Override
  OffloadMode mode() {
    return OffloadMode.REACTIVE;
  }

  @Override
  String fixtureName() {
    return "two-hosts.yaml";
  }

  @Test
  @Order(1)
  void aMovedVmKeepsItsConnectionAndItsStreamResumesWithinASecond() throws Exception {
    Assumptions.assumeTrue(topology.tunnelsRoutable(), "the harness cannot route the underlay here");
    String ping = harness.popen("xa", "ping -D -i 0.01 -c 900 -W 1 " + XB);
    await().atMost(SHORT).until(() -> harness.dumpFlows("nfx1").stream()
        .anyMatch(f -> f.table() == Pipeline.number(Pipeline.UNIFIED) && f.match().contains("icmp")
            && f.match().contains("p-xa")));
    List<Connection> before = xasConnections();
    assertThat(before).as("xa's ping made a connection (its stateful rule)").isNotEmpty();

    Config original = controller.config();
    List<Vm> vms = original.vms().stream().map(vm -> vm.name().equals("xa")
        ? new Vm(vm.name(), "nfx2", vm.port(), vm.mac(), vm.ip(), vm.vnet(), vm.ruleset(), vm.meterKbps()) : vm)
        .toList();
    Config moved = new Config(original.controller(), original.hosts(), original.vnets(), vms, original.rulesets(),
        original.loadBalancers());
    PolicyWriter.Accepted accepted = controller.writer().write(moved, OptionalLong.empty());
    controller.enforced(accepted.revision()).get(10, TimeUnit.SECONDS);
    assertThat(xasConnections()).as("xa's connection while it is between hosts").containsAll(before);

    CommandResult replug = harness.ofctl("ovs-vsctl", "del-port", "nfx1", "p-xa", "--", "add-port", "nfx2", "p-xa");
    assertThat(replug.exit()).as(replug.output()).isZero();
    double replugged = System.currentTimeMillis() / 1000.0;

    CommandResult[] done = new CommandResult[1];
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      done[0] = harness.output(ping);
      return done[0].output().contains("packet loss");
    });
    List<double[]> replies = new ArrayList<>();
    Matcher m = REPLY.matcher(done[0].output());
    while (m.find()) {
      replies.add(new double[] {Double.parseDouble(m.group(1)), Integer.parseInt(m.group(2))});
    }
    double resumed = replies.stream().mapToDouble(r -> r[0]).filter(t -> t >= replugged).min().orElse(Double.NaN);
    long answeredAfter = replies.stream().filter(r -> r[0] >= replugged + 1).count();
    assertThat(resumed - replugged).as("seconds from the re-plug to the first reply on the new host")
        .isLessThanOrEqualTo(1.0);
    assertThat(answeredAfter).as("replies from 1 s after the re-plug").isPositive();
    assertThat(xasConnections()).as("the same connection carries xa's packets on nfx2").containsAll(before);
    assertThat(harness.dumpFlows("nfx2").stream().anyMatch(f -> f.table() == Pipeline.number(Pipeline.UNIFIED)
        && f.match().contains("p-xa"))).as("xa's flows on its new host").isTrue();
    System.out.printf("[figures] VM moved between hosts while pinging every 10 ms: first reply %.0f ms after the"
        + " re-plug; its connection kept%n", (resumed - replugged) * 1000);
  }

  @Test
  @Order(2)
  void aTcpStreamAcrossAMoveBackResumesWithinASecond() throws Exception {
    Assumptions.assumeTrue(topology.tunnelsRoutable(), "the harness cannot route the underlay here");
    String server = harness.popen("xb", "iperf3 -s -1 -p 8010 --forceflush");
    await().atMost(SHORT).until(() -> harness.output(server).output().contains("listening"));
    String client = harness.popen("xa", "iperf3 -c " + XB + " -p 8010 -t 6 -i 0.1 -b 20M -J");
    await().atMost(SHORT).until(() -> harness.dumpFlows("nfx2").stream()
        .anyMatch(f -> f.table() == Pipeline.number(Pipeline.UNIFIED) && f.match().contains("tp_dst=8010")));
    // Move once the stream is well under way: thousands of its segments have crossed nfx2.
    await().atMost(SHORT).until(() -> harness.dumpFlows("nfx2").stream()
        .filter(f -> f.table() == Pipeline.number(Pipeline.UNIFIED) && f.match().contains("tp_dst=8010"))
        .mapToLong(f -> f.packets()).sum() > 3000);
    Config here = controller.config();
    List<Vm> vms = here.vms().stream().map(vm -> vm.name().equals("xa")
        ? new Vm(vm.name(), "nfx1", vm.port(), vm.mac(), vm.ip(), vm.vnet(), vm.ruleset(), vm.meterKbps()) : vm)
        .toList();
    PolicyWriter.Accepted back = controller.writer().write(new Config(here.controller(), here.hosts(), here.vnets(),
        vms, here.rulesets(), here.loadBalancers()), OptionalLong.empty());
    controller.enforced(back.revision()).get(10, TimeUnit.SECONDS);
    CommandResult replug = harness.ofctl("ovs-vsctl", "del-port", "nfx2", "p-xa", "--", "add-port", "nfx1", "p-xa");
    assertThat(replug.exit()).as(replug.output()).isZero();
    long replugged = System.nanoTime();
    // The stream's segments reach the controller on nfx1 and then flow there in the switch.
    await().atMost(Duration.ofMillis(1100)).pollInterval(Duration.ofMillis(10)).until(() -> harness.dumpFlows("nfx1")
        .stream().anyMatch(f -> f.table() == Pipeline.number(Pipeline.UNIFIED) && f.match().contains("p-xa")
            && f.match().contains("tp_dst=8010") && f.packets() > 0));
    long resumedMs = (System.nanoTime() - replugged) / 1_000_000;

    CommandResult[] done = new CommandResult[1];
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      done[0] = harness.output(client);
      return done[0].output().contains("\"end\"");
    });
    com.fasterxml.jackson.databind.JsonNode result = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(done[0].output().substring(done[0].output().indexOf('{')));
    List<Long> lastSecond = new ArrayList<>();
    var intervals = result.path("intervals");
    for (int i = Math.max(0, intervals.size() - 10); i < intervals.size(); i++) {
      lastSecond.add(intervals.get(i).path("sum").path("bytes").asLong());
    }
    System.out.printf("[figures] TCP stream across a VM move: its segments flow in the new host's switch %d ms after"
        + " the re-plug (polled every 10 ms)%n", resumedMs);
    assertThat(lastSecond).as("bytes of each 0.1 s interval in the stream's last second, after the move")
        .hasSize(10).allMatch(b -> b > 0);
  }

  private List<Connection> xasConnections() {
    return controller.partition().connections().all().stream().filter(c -> c.ownerVm().equals("xa")).toList();
  }
}
