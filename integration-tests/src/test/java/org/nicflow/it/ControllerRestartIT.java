package org.nicflow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.controller.mininet.MininetHarness;
import org.nicflow.controller.mininet.MininetHarness.CommandResult;
import org.nicflow.controller.mininet.RepoRoot;

/**
 * A controller killed with SIGKILL under traffic and started again on the same state directory:
 * the switch ({@code fail_mode=secure}) keeps forwarding established connections through the gap,
 * and the new controller takes the connection flows back from the switch without sending a
 * flow-mod for a flow that is already right. The controller runs as its own process
 * ({@code nicflow run}), as it does in production.
 */
@ExtendWith(RootOnly.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ControllerRestartIT {

  private static final String VB = "10.7.0.11";
  private static final Pattern CONNECT = Pattern.compile(
      "host nfh1 \\(connect\\): (\\d+) flows desired, (\\d+) added, (\\d+) modified, (\\d+) deleted");
  private static final Pattern TAKEN_BACK = Pattern.compile(
      "host nfh1: took back (\\d+) connection flows \\((\\d+) connections, (\\d+) re-cookied\\), deleted (\\d+)");

  private final ObjectMapper json = new ObjectMapper();
  private final List<Process> controllers = new ArrayList<>();
  private MininetHarness harness;
  private Path fixture;
  private Path probe;
  private Path state;
  private int port;

  @BeforeAll
  void startNetwork() throws Exception {
    await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(2))
        .until(() -> !NetworkScenario.bridgeExists(NetworkScenario.SHARED_UNDERLAY));
    fixture = NetworkScenario.fixture("one-host.yaml");
    state = Files.createTempDirectory("nicflow-restart-state");
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path repo = RepoRoot.find();
    probe = repo.resolve("mininet-topologies/probe.py");
    Path firstLog = state.resolveSibling(state.getFileName() + "-first.log");
    controllers.add(startController(firstLog));
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(firstLog).contains("nicflow listening"));
    harness = MininetHarness.launch(repo);
    harness.start(fixture, "127.0.0.1:" + port, List.of());
    await().atMost(Duration.ofSeconds(60)).until(() -> CONNECT.matcher(Files.readString(firstLog)).find());
  }

  @AfterAll
  void stopNetwork() {
    try {
      if (harness != null) {
        harness.close();
      }
    } finally {
      controllers.forEach(p -> p.toHandle().destroyForcibly());
      deleteQuietly(state);
    }
  }

  /** Removes the state directory and the controllers' logs beside it (assertions quote what matters). */
  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("could not remove " + dir + ": " + e);
    }
    for (String suffix : List.of("-first.log", "-second.log")) {
      dir.resolveSibling(dir.getFileName() + suffix).toFile().delete();
    }
  }

  @Test
  void establishedConnectionsFlowThroughAControllerKillAndTheRestartSendsNoFlowModForCorrectFlows()
      throws Exception {
    String server = harness.popen("vb", "/usr/bin/python3 " + probe + " serve udp 5005");
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.output(server).output().contains("listening"));
    String stream = harness.popen("va", "/usr/bin/python3 " + probe + " watch " + VB + " 5005 14 --source-port 41005");
    String ping = harness.popen("va", "ping -i 0.01 -c 1200 -W 1 " + VB);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(unifiedFlows("tp_dst=5005")
        + unifiedFlows("udp_dst=5005")).as("flows of the UDP stream; the table:%n%s%n%s", harness.dumpFlows("nfh1"),
        harness.output(stream).output()).isPositive());
    await().atMost(Duration.ofSeconds(10)).until(() -> unifiedFlows("icmp") > 0);
    int connectionFlowsBefore = unifiedFlows("");

    Process first = controllers.get(0);
    first.toHandle().destroyForcibly();
    first.waitFor();
    long killedAt = System.nanoTime();
    Path secondLog = state.resolveSibling(state.getFileName() + "-second.log");
    controllers.add(startController(secondLog));
    await().atMost(Duration.ofSeconds(30)).until(() -> CONNECT.matcher(Files.readString(secondLog)).find());
    long reconciledMs = (System.nanoTime() - killedAt) / 1_000_000;

    String log = Files.readString(secondLog);
    Matcher reconcile = CONNECT.matcher(log);
    assertThat(reconcile.find()).isTrue();
    assertThat(List.of(reconcile.group(2), reconcile.group(3), reconcile.group(4)))
        .as("base flows added, modified, deleted after the restart: %s", reconcile.group()).containsOnly("0");
    Matcher takenBack = TAKEN_BACK.matcher(log);
    assertThat(takenBack.find()).as("the restarted controller took connection flows back:%n%s", log).isTrue();
    assertThat(takenBack.group(3)).as("re-cookied").isEqualTo("0");
    assertThat(takenBack.group(4)).as("deleted").isEqualTo("0");
    assertThat(Integer.parseInt(takenBack.group(1))).as("flows taken back")
        .isGreaterThanOrEqualTo(connectionFlowsBefore - 1);

    JsonNode watched = finished(stream);
    CommandResult pinged = awaitEnd(ping, "packet loss");
    Matcher loss = Pattern.compile("(\\d+) packets transmitted, (\\d+) received").matcher(pinged.output());
    assertThat(loss.find()).as(pinged.output()).isTrue();
    int transmitted = Integer.parseInt(loss.group(1));
    int received = Integer.parseInt(loss.group(2));
    assertThat(watched.path("answered").asInt()).as("UDP rounds answered across the kill")
        .isEqualTo(watched.path("sent").asInt());
    assertThat(received).as("pings answered across the kill").isEqualTo(transmitted);
    System.out.printf("[figures] controller kill -9 under traffic: %d of %d UDP rounds and %d of %d pings lost;"
            + " restarted and reconciled %d ms after the kill, %s base flows unchanged, %s connection flows taken"
            + " back, 0 flow-mods%n", watched.path("sent").asInt() - watched.path("answered").asInt(),
        watched.path("sent").asInt(), transmitted - received, transmitted, reconciledMs, reconcile.group(1),
        takenBack.group(1));
    harness.kill(server);
  }

  private Process startController(Path log) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        "org.nicflow.controller.cli.NicflowCli", "run", "-c", fixture.toString(),
        "--openflow", "127.0.0.1:" + port, "--no-api", "--state-dir", state.toString());
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    return pb.start();
  }

  private int unifiedFlows(String containing) {
    return (int) harness.dumpFlows("nfh1").stream()
        // connection flows only: the table's miss flows (host-wide, and per VM port with its miss
        // budget's meter, each with its SYN twin) sit below the unified flows' priority
        .filter(f -> f.table() == Pipeline.number(Pipeline.UNIFIED)
            && f.priority() == org.nicflow.compiler.unified.UnifiedFlowBuilder.PRIORITY)
        .filter(f -> f.match().contains(containing))
        .count();
  }

  private JsonNode finished(String proc) throws Exception {
    CommandResult done = awaitEnd(proc, "\"rounds\"");
    String last = done.output().strip().lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse("{}");
    return json.readTree(last);
  }

  private CommandResult awaitEnd(String proc, String marker) {
    CommandResult[] out = new CommandResult[1];
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      out[0] = harness.output(proc);
      return out[0].output().contains(marker);
    });
    return out[0];
  }
}
