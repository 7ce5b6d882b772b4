package org.nicflow.controller.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.compiler.model.Config;
import org.nicflow.controller.mininet.MininetHarness;
import org.nicflow.controller.mininet.MininetHarness.CommandResult;
import org.nicflow.controller.mininet.MininetHarness.DumpedFlow;
import org.nicflow.controller.mininet.RepoRoot;
import org.nicflow.controller.openflow.OpenFlowSettings;
import org.nicflow.controller.policy.PolicyWriter;
import org.nicflow.controller.runtime.NicflowController;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code nicflow demo}: the README's demonstration. Starts the controller on a free port with
 * {@code examples/demo.yaml}, builds the Mininet network of that config on Open vSwitch (userspace
 * datapath), runs a narrated scenario, prints a summary table and tears everything down.
 */
@Command(name = "demo", description = "Run the demonstration: controller + Mininet network of examples/demo.yaml, "
    + "a narrated scenario, a summary; everything is removed afterwards.")
final class DemoCommand implements Callable<Integer> {

  @Option(names = "--interactive", description = "Leave the Mininet CLI open after the scenario (exit it to finish).")
  private boolean interactive;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Config to demonstrate (default: examples/demo.yaml).")
  private Path configFile;

  @Option(names = "--verbose", description = "Show the controller's and the network's log (stderr).")
  private boolean verbose;

  @Spec
  private CommandSpec spec;

  private final ObjectMapper json = new ObjectMapper();
  private final List<String[]> summary = new ArrayList<>();
  private PrintWriter out;
  private MininetHarness harness;
  private Path probe;

  @Override
  public Integer call() throws Exception {
    out = spec.commandLine().getOut();
    if (!verbose) {
      quietLogs();
    }
    Path repo = RepoRoot.find();
    Path file = configFile != null ? configFile : repo.resolve("examples/demo.yaml");
    Config config = new ConfigLoader().load(file);
    if (!"0".equals(uid())) {
      throw new BadInputException("the demo builds Open vSwitch bridges and network namespaces: run it as root");
    }
    probe = repo.resolve("mininet-topologies/probe.py");
    say("Starting the nicflow controller (%s mode) for %s", config.controller().mode().name().toLowerCase(Locale.ROOT),
        repo.relativize(file.toAbsolutePath()));
    try (NicflowController controller = NicflowController.start(config, OpenFlowSettings.of("127.0.0.1", 0))) {
      String address = "127.0.0.1:" + controller.openflowPort();
      say("Building the Mininet network: one OVS bridge per host (userspace datapath), one Mininet host per VM");
      harness = MininetHarness.launch(repo);
      try {
        var topology = harness.start(file, address);
        waitFor("every bridge to connect and be programmed", Duration.ofSeconds(90),
            () -> controller.partition().connectedHosts().size() == config.hosts().size());
        say("Bridges %s are connected; VMs: %s", topology.bridges(),
            topology.vms().stream().map(v -> v.name() + "@" + v.host()).toList());
        scenario(controller, topology.tunnelsRoutable());
        printSummary(controller);
        if (interactive) {
          harness.stop();
          harness.close();
          harness = null;
          say("Opening the Mininet CLI on the same config (controller still running at %s). Type 'exit' to finish.",
              address);
          new ProcessBuilder(MininetHarness.PYTHON.toString(), repo.resolve("mininet-topologies/nicflow_topo.py").toString(),
              file.toString(), "--controller", address).inheritIO().start().waitFor();
        }
      } finally {
        if (harness != null) {
          say("Tearing down the network");
          harness.close();
        }
      }
    }
    boolean allPassed = summary.stream().allMatch(row -> row[3].equals("ok"));
    say(allPassed ? "Demo finished: every step behaved as the rule sets say." : "Demo finished with unexpected results.");
    return allPassed ? NicflowCli.EXIT_OK : NicflowCli.EXIT_FAILURE;
  }

  private void scenario(NicflowController controller, boolean tunnels) throws Exception {
    section("1. Policy per rule, VMs on one host (host1: web1 10.1.0.11, db1 10.1.0.21)");
    step("web1 pings db1", "db rule icmp-in (from 10.1.0.11 only)", true, ping("web1", "10.1.0.21"));
    step("red1 (10.1.0.11 in VNET red) pings 10.1.0.21", "red has no VM there: never reaches blue's db1", false,
        ping("red1", "10.1.0.21"));
    String pg = serve("db1", "tcp", 5432);
    String other = serve("db1", "tcp", 3306);
    step("web1 -> db1 tcp/5432", "db rule pg-in", true, connect("web1", "tcp", "10.1.0.21", 5432));
    step("web1 -> db1 tcp/3306", "db acl default deny", false, connect("web1", "tcp", "10.1.0.21", 3306));
    harness.kill(pg);
    harness.kill(other);

    section("2. Connection state: web1's out rule all-out is stateful");
    String web = serve("web1", "tcp", 8080);
    String db = serve("web1", "tcp", 7000);
    step("db1 -> web1 tcp/8080", "web rule http-in (8000-8099)", true, connect("db1", "tcp", "10.1.0.11", 8080));
    step("db1 -> web1 tcp/7000 (unsolicited)", "web acl default deny", false, connect("db1", "tcp", "10.1.0.11", 7000));
    harness.kill(web);
    harness.kill(db);
    String pg2 = serve("db1", "tcp", 5432);
    step("web1 opens tcp/5432 to db1; db1's replies come back", "connection state (all-out, stateful)", true,
        connect("web1", "tcp", "10.1.0.21", 5432));
    harness.kill(pg2);

    if (tunnels) {
      section("3. Across hosts (VXLAN, VNI per VNET) and overlapping VNETs");
      step("web1 (host1) pings web2 (host2)", "web rule icmp-in; tunnel VNI 5001", true, ping("web1", "10.1.0.12"));
      step("red1 (host1) pings red2 (host2), same addresses as blue", "red allows; tunnel VNI 5002", true,
          ping("red1", "10.1.0.12"));
    } else {
      say("(skipping the cross-host steps: the underlay is not routable on this machine)");
    }

    section("4. Offload: a 5,000-packet UDP flow db1 -> web1:5005 and its packet-ins");
    String udp = serve("web1", "udp", 5005);
    long before = controller.partition().counters().packetIns();
    CommandResult pp = harness.cmd("db1", "/usr/bin/python3 " + probe + " pingpong 10.1.0.11 5005 5000",
        Duration.ofSeconds(120));
    long packetIns = controller.partition().counters().packetIns() - before;
    harness.kill(udp);
    JsonNode figures = json.readTree(lastLine(pp.output()));
    step("5,000 request/echo rounds", "web rule udp-in; replies by connection state", true,
        figures.path("answered").asInt() == 5000);
    say("   packet-ins for the whole flow: %d; first round trip %.2f ms, later median %.3f ms", packetIns,
        figures.path("first_rtt_ms").asDouble(), figures.path("median_rtt_ms").asDouble());
    summary.add(new String[] {"packet-ins for 10,000 packets (both ways)", "at most 2 per direction",
        Long.toString(packetIns), packetIns <= 4 ? "ok" : "UNEXPECTED"});

    livePolicy(controller);

    section("6. What the NIC holds: unified flows on host1 (ovs-ofctl dump-flows, table unified)");
    int shown = 0;
    for (DumpedFlow f : harness.dumpFlows("host1")) {
      if (f.table() == Pipeline.number(Pipeline.UNIFIED) && f.priority() > 0 && shown < 6) {
        out.println("   " + f.text());
        shown++;
      }
    }
    out.flush();
  }

  /**
   * A policy change while traffic flows: web's rule udp-in is removed (a new revision, applied to
   * the switches at once) while db1 streams UDP to web1, then put back.
   */
  private void livePolicy(NicflowController controller) throws Exception {
    section("5. Live policy: web's rule udp-in removed, then put back, while db1 streams UDP to web1:5006");
    Config original = controller.config();
    String server = serve("web1", "udp", 5006);
    String stream = harness.popen("db1", "/usr/bin/python3 " + probe + " watch 10.1.0.11 5006 6 --source-port 41006");
    waitFor("the stream's flows", Duration.ofSeconds(10), () -> harness.dumpFlows("host1").stream()
        .anyMatch(f -> f.table() == Pipeline.number(Pipeline.UNIFIED) && f.match().contains("=5006")));
    long denied = System.currentTimeMillis();
    PolicyWriter.Accepted deny = controller.writer().write(original.withoutRule("web", "udp-in"), OptionalLong.empty());
    controller.enforced(deny.revision()).get(10, TimeUnit.SECONDS);
    say("   revision %d (udp-in removed) enforced on every switch %d ms after the write", deny.revision(),
        System.currentTimeMillis() - denied);
    Thread.sleep(2000); // let the stream run against the new policy for a while
    long restored = System.currentTimeMillis();
    PolicyWriter.Accepted restore = controller.writer().write(original, OptionalLong.empty());
    controller.enforced(restore.revision()).get(10, TimeUnit.SECONDS);
    say("   revision %d (udp-in back) enforced on every switch %d ms after the write", restore.revision(),
        System.currentTimeMillis() - restored);
    waitFor("the stream's end", Duration.ofSeconds(20), () -> harness.output(stream).output().contains("\"rounds\""));
    harness.kill(server);
    JsonNode rounds = json.readTree(lastLine(harness.output(stream).output())).path("rounds");
    int during = 0;
    int after = 0;
    int afterSent = 0;
    for (JsonNode r : rounds) {
      double at = r.get(0).asDouble() * 1000;
      if (at >= denied + 1000 && at < restored && r.get(1).asBoolean()) {
        during++;
      } else if (at >= restored + 1000) {
        afterSent++;
        after += r.get(1).asBoolean() ? 1 : 0;
      }
    }
    step("db1 -> web1 udp/5006 stream, from 1 s after udp-in is removed", "revision without udp-in", false,
        during > 0);
    step("the same stream, from 1 s after udp-in is back", "revision with udp-in again", true,
        afterSent > 0 && after == afterSent);
  }

  private void printSummary(NicflowController controller) {
    section("Summary");
    String format = "   %-58s %-46s %-8s %s%n";
    out.printf(format, "step", "why", "result", "");
    for (String[] row : summary) {
      out.printf(format, (Object[]) row);
    }
    var c = controller.partition().counters();
    out.printf("%n   controller: %d packet-ins, %d offloads, %d duplicate misses, %d denied, %d flow-mods,"
        + " %d switch errors%n", c.packetIns(), c.offloads(), c.duplicateMisses(), c.deniedMisses(), c.flowMods(),
        c.switchErrors());
    out.flush();
  }

  private void step(String what, String why, boolean expected, boolean passed) {
    String result = passed ? "passes" : "blocked";
    boolean ok = passed == expected;
    summary.add(new String[] {what, why, result, ok ? "ok" : "UNEXPECTED"});
    out.printf("   %-52s -> %-8s (%s)%s%n", what, result, why, ok ? "" : "  <-- UNEXPECTED");
    out.flush();
  }

  private boolean ping(String from, String to) {
    return harness.cmd(from, "ping -c2 -W1 " + to, Duration.ofSeconds(10)).succeeded();
  }

  private String serve(String vm, String proto, int port) throws InterruptedException {
    String proc = harness.popen(vm, "/usr/bin/python3 " + probe + " serve " + proto + " " + port);
    for (int i = 0; i < 100 && !harness.output(proc).output().contains("listening"); i++) {
      Thread.sleep(100);
    }
    return proc;
  }

  private boolean connect(String vm, String proto, String host, int port) {
    return harness.cmd(vm, "/usr/bin/python3 " + probe + " connect " + proto + " " + host + " " + port
        + " --timeout 2", Duration.ofSeconds(15)).succeeded();
  }

  private void waitFor(String what, Duration limit, BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      Thread.sleep(200);
    }
  }

  private void section(String title) {
    out.printf("%n== %s%n", title);
    out.flush();
  }

  private void say(String format, Object... args) {
    out.printf("nicflow demo: " + format + "%n", args);
    out.flush();
  }

  /** The narration is the demo's output; the controller's INFO log would drown it. */
  static void quietLogs() {
    for (String name : List.of("org.nicflow", "nicflow")) {
      if (org.slf4j.LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger logger) {
        logger.setLevel(ch.qos.logback.classic.Level.WARN);
      }
    }
  }

  private static String lastLine(String text) {
    return text.strip().lines().reduce((a, b) -> b).orElse("{}");
  }

  /** The effective uid from /proc/self/status, or "?" where it cannot be read. */
  static String uid() {
    try {
      return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("Uid:"))
          .map(l -> l.split("\\s+")[2]).findFirst().orElse("?");
    } catch (java.io.IOException e) {
      return "?";
    }
  }
}
