package org.nicflow.controller.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.OffloadMode;
import org.nicflow.compiler.model.Vm;
import org.nicflow.controller.mininet.MininetHarness;
import org.nicflow.controller.mininet.MininetHarness.CommandResult;
import org.nicflow.controller.mininet.RepoRoot;
import org.nicflow.controller.openflow.OpenFlowSettings;
import org.nicflow.controller.runtime.NicflowController;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nicflow bench cps}: new TCP connections per second between two VMs of one Mininet host,
 * through nicflow in each offload mode (proactive also with connection state learned in the
 * switch) and, for the ratio, through {@code ovs-testcontroller}
 * (a C learning switch installing one exact flow per packet-in) and its wildcard variant (no
 * packet-ins: the datapath's and the client's ceiling). The client VM runs {@code probe.py churn}
 * (connect, 8 bytes, echo, close) against {@code probe.py churn-serve} in the server VM, with 1 and
 * 8 connections in flight, several runs each, after a warm-up run that is not reported.
 */
@Command(name = "cps", description = "New TCP connections per second between two VMs on Mininet + OVS, through "
    + "nicflow (reactive, proactive) and optionally ovs-testcontroller; prints connections/s, setup p50/p99, "
    + "packet-ins per connection and the datapath's lost upcalls.")
final class BenchCpsCommand implements Callable<Integer> {

  private static final Pattern LOOKUPS = Pattern.compile("lookups: hit:(\\d+) missed:(\\d+) lost:(\\d+)");
  private static final int SERVER_PORT = 5001;
  /** Client source ports: each connection of a series gets the next one, so none reuses a 5-tuple. */
  private static final int FIRST_CLIENT_PORT = 20000;
  private static final int LAST_CLIENT_PORT = 60999;
  /** The nicflow targets by the name {@code --modes} gives them. */
  private static final Map<String, UnaryOperator<Config>> MODES = Map.of(
      "reactive", c -> c.withMode(OffloadMode.REACTIVE).withLearnState(false),
      "proactive", c -> c.withMode(OffloadMode.PROACTIVE).withLearnState(false),
      "learn", c -> c.withMode(OffloadMode.PROACTIVE).withLearnState(true));
  /** Connections of the unreported warm-up before each target's series. */
  private static final int WARM_UP = 300;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "Config of one host: the first VM is the client, the second the server, a third floods with "
          + "--flood (default: examples/cps.yaml).")
  private Path configFile;

  @Option(names = "--connections", description = "Connections per run (default: ${DEFAULT-VALUE}).", defaultValue = "2000")
  private int connections;

  @Option(names = "--in-flight", split = ",", description = "Connections in flight, one series each (default: 1,8).",
      defaultValue = "1,8")
  private List<Integer> inFlight;

  @Option(names = "--runs", description = "Runs per series (default: ${DEFAULT-VALUE}).", defaultValue = "3")
  private int runs;

  @Option(names = "--modes", split = ",", description = "nicflow modes to run: reactive, proactive, learn (proactive "
      + "with controller.learn_state) (default: reactive,proactive,learn).", defaultValue = "reactive,proactive,learn")
  private List<String> modes;

  @Option(names = "--testcontroller", description = "Also run ovs-testcontroller, exact flows and -w (wildcard).")
  private boolean testController;

  @Option(names = "--flood", paramLabel = "SENDERS", defaultValue = "0", description = "During every measured run, "
      + "the config's third VM floods the server with new UDP flows (each datagram a new destination port) from "
      + "SENDERS processes, to show what one VM's flood costs another's connection setup (miss_rate_pps, "
      + "docs/config.md); 0: no flood (default: ${DEFAULT-VALUE}).")
  private int floodSenders;

  @Option(names = "--smoke", description = "Seconds, not minutes: 50 connections, 1 in flight, 1 run.")
  private boolean smoke;

  @Option(names = "--verbose", description = "Show the controller's and the network's log (stderr).")
  private boolean verbose;

  @Spec
  private CommandSpec spec;

  private final ObjectMapper json = new ObjectMapper();
  private PrintWriter out;
  private int nextClientPort;

  /** One run's figures. */
  record Run(String target, int inFlight, int ok, int failed, double perSecond, double setupP50, double setupP99,
      double packetInsPerConnection, long lostUpcalls, double floodPerSecond) {}

  /** What is benchmarked: a controller to start, its address, and its packet-in count if it tells. */
  /**
   * What is benchmarked: a controller at {@code address}, its packet-in count if it tells one
   * ({@code -1} when only OVS's count of messages to controllers is known), how to wait until it has
   * programmed the bridge, and how to stop it.
   */
  private record Target(String label, String address, LongSupplier packetIns, Readiness readiness,
      AutoCloseable stop) implements AutoCloseable {
    void awaitProgrammed(MininetHarness harness) throws InterruptedException {
      readiness.await(harness);
    }

    @Override
    public void close() throws Exception {
      stop.close();
    }
  }

  /** Waits until a controller has programmed the bridge. */
  @FunctionalInterface
  private interface Readiness {
    void await(MininetHarness harness) throws InterruptedException;
  }

  @Override
  public Integer call() throws Exception {
    out = spec.commandLine().getOut();
    if (smoke) {
      connections = 50;
      inFlight = List.of(1);
      runs = 1;
    }
    if (connections < 1 || runs < 1 || inFlight.stream().anyMatch(n -> n < 1 || n > 256)) {
      throw new BadInputException("--connections and --runs must be at least 1, --in-flight 1-256");
    }
    int portsNeeded = Math.min(connections, WARM_UP) + runs * inFlight.size() * connections;
    if (portsNeeded > LAST_CLIENT_PORT - FIRST_CLIENT_PORT + 1) {
      throw new BadInputException("a series needs " + portsNeeded + " client ports, more than the "
          + (LAST_CLIENT_PORT - FIRST_CLIENT_PORT + 1) + " of " + FIRST_CLIENT_PORT + "-" + LAST_CLIENT_PORT
          + ": fewer --connections, --runs or --in-flight values");
    }
    for (String m : modes) {
      if (!MODES.containsKey(m.trim().toLowerCase(Locale.ROOT))) {
        throw new BadInputException("unknown mode " + m + " " + MODES.keySet());
      }
    }
    if (!"0".equals(DemoCommand.uid())) {
      throw new BadInputException("bench cps builds Open vSwitch bridges and network namespaces: run it as root");
    }
    Path repo = RepoRoot.find();
    Path file = configFile != null ? configFile : repo.resolve("examples/cps.yaml");
    Config config = new ConfigLoader().load(file);
    if (config.vms().size() < 2 || config.hosts().size() != 1) {
      throw new BadInputException(file + ": the benchmark needs one host and at least two VMs (client, server)");
    }
    if (floodSenders < 0 || floodSenders > 16 || (floodSenders > 0 && config.vms().size() < 3)) {
      throw new BadInputException("--flood takes 0-16 senders and a config with a third VM to flood from");
    }
    List<Config> configs = modes.stream().map(m -> MODES.get(m.trim().toLowerCase(Locale.ROOT)).apply(config))
        .toList();
    if (!verbose) {
      DemoCommand.quietLogs();
    }
    Vm client = config.vms().get(0);
    Vm server = config.vms().get(1);
    Path probe = repo.resolve("mininet-topologies/probe.py");
    List<Run> results = new ArrayList<>();
    String vswitchdBefore = vswitchdPid();
    out.printf("nicflow bench cps: %s -> %s:%d, %d connections per run, in flight %s, %d runs; %s%n", client.name(),
        server.ip(), SERVER_PORT, connections, inFlight, runs, file);
    try (MininetHarness harness = MininetHarness.launch(repo)) {
      for (Config c : configs) {
        try (Target t = nicflow(c)) {
          results.addAll(series(harness, t, file, client, server, probe));
        }
      }
      if (testController) {
        for (boolean wildcard : List.of(false, true)) {
          try (Target t = testController(wildcard)) {
            results.addAll(series(harness, t, file, client, server, probe));
          }
        }
      }
    }
    print(results);
    String vswitchdAfter = vswitchdPid();
    boolean restarted = !vswitchdBefore.equals(vswitchdAfter);
    out.printf("ovs-vswitchd: pid %s before, %s after: %s%n", vswitchdBefore, vswitchdAfter,
        restarted ? "RESTARTED (crashed?) during the benchmark" : "no restart");
    out.flush();
    return results.stream().allMatch(r -> r.failed() == 0) && !restarted ? NicflowCli.EXIT_OK : NicflowCli.EXIT_FAILURE;
  }

  private List<Run> series(MininetHarness harness, Target target, Path file, Vm client, Vm server, Path probe)
      throws Exception {
    List<Run> runsDone = new ArrayList<>();
    nextClientPort = FIRST_CLIENT_PORT;
    harness.start(file, target.address());
    try {
      target.awaitProgrammed(harness);
      String proc = harness.popen(server.name(), "/usr/bin/python3 " + probe + " churn-serve " + SERVER_PORT);
      for (int i = 0; i < 100 && !harness.output(proc).output().contains("listening"); i++) {
        Thread.sleep(100);
      }
      churn(harness, client, server, probe, Math.min(connections, WARM_UP), 1); // warm-up, not reported
      for (int n : inFlight) {
        for (int r = 0; r < runs; r++) {
          long packetInsBefore = target.packetIns().getAsLong();
          long sentBefore = ovsCounter("rconn_sent");
          long lostBefore = lostUpcalls();
          Optional<String> flood = floodSenders == 0 ? Optional.empty()
              : Optional.of(startFlood(harness, file, server, probe));
          JsonNode res = churn(harness, client, server, probe, connections, n);
          double floodRate = flood.isEmpty() ? Double.NaN : floodRate(harness.kill(flood.get()));
          long packetIns = target.packetIns().getAsLong() >= 0 ? target.packetIns().getAsLong() - packetInsBefore
              : settledOvsCounter("rconn_sent") - sentBefore;
          int ok = res.path("ok").asInt();
          Run run = new Run(target.label(), n, ok, res.path("failed").asInt(connections),
              res.path("per_second").asDouble(), res.path("setup_ms_p50").asDouble(Double.NaN),
              res.path("setup_ms_p99").asDouble(Double.NaN), ok == 0 ? Double.NaN : (double) packetIns / ok,
              lostUpcalls() - lostBefore, floodRate);
          runsDone.add(run);
          out.printf("  %-28s in flight %-3d run %d: %8.1f conn/s, setup p50 %.3f ms p99 %.3f ms, "
              + "%.2f packet-ins/conn, %d failed, %d lost upcalls%s%s%n", run.target(), n, r + 1, run.perSecond(),
              run.setupP50(), run.setupP99(), run.packetInsPerConnection(), run.failed(), run.lostUpcalls(),
              flood.isEmpty() ? "" : String.format(Locale.ROOT, ", under a flood of %.0f new flows/s", floodRate),
              run.failed() == 0 ? "" : " " + res.path("failures"));
          out.flush();
        }
      }
      harness.kill(proc);
    } finally {
      harness.stop();
    }
    return runsDone;
  }

  /**
   * Starts the flood from the config's third VM towards the server and returns its process once it
   * has sent for a second (past the flooder's miss burst).
   */
  private String startFlood(MininetHarness harness, Path file, Vm server, Path probe) throws Exception {
    Vm flooder = new ConfigLoader().load(file).vms().get(2);
    String proc = harness.popen(flooder.name(), "/usr/bin/python3 " + probe + " flood " + server.ip() + " 3600 "
        + "--senders " + floodSenders);
    for (int i = 0; i < 100 && !harness.output(proc).output().contains("flooding"); i++) {
      Thread.sleep(100);
    }
    Thread.sleep(1000);
    return proc;
  }

  /** New flows per second the flood sent, from what it printed when it was stopped. */
  private double floodRate(CommandResult stopped) throws IOException {
    String last = stopped.output().strip().lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse(null);
    return last == null ? Double.NaN : json.readTree(last).path("per_second").asDouble(Double.NaN);
  }

  private JsonNode churn(MininetHarness harness, Vm client, Vm server, Path probe, int count, int n)
      throws IOException {
    int first = nextClientPort; // call() checked that a series' ports fit
    nextClientPort += count;
    CommandResult r = harness.cmd(client.name(), "/usr/bin/python3 " + probe + " churn " + server.ip() + " "
        + SERVER_PORT + " " + count + " --in-flight " + n + " --first-port " + first,
        Duration.ofSeconds(60 + count / 20));
    String last = r.output().strip().lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse(null);
    if (last == null) {
      throw new IllegalStateException("the churn client printed no result: " + r.output());
    }
    return json.readTree(last);
  }

  private void print(List<Run> results) {
    out.printf("%n%-28s %9s %22s %14s %14s %14s %7s %6s%n", "target", "in flight", "conn/s median (min-max)",
        "setup p50 ms", "setup p99 ms", "packet-ins/c", "failed", "lost");
    List<String> labels = results.stream().map(Run::target).distinct().toList();
    for (String label : labels) {
      for (int n : inFlight) {
        List<Run> rs = results.stream().filter(r -> r.target().equals(label) && r.inFlight() == n).toList();
        if (rs.isEmpty()) {
          continue;
        }
        out.printf("%-28s %9d %22s %14.3f %14.3f %14.2f %7d %6d%n", label, n,
            String.format(Locale.ROOT, "%.0f (%.0f-%.0f)", median(rs, Run::perSecond), min(rs, Run::perSecond),
                max(rs, Run::perSecond)),
            median(rs, Run::setupP50), median(rs, Run::setupP99), median(rs, Run::packetInsPerConnection),
            rs.stream().mapToInt(Run::failed).sum(), rs.stream().mapToLong(Run::lostUpcalls).sum());
      }
    }
    for (String base : labels.stream().filter(l -> l.startsWith("ovs-testcontroller")).toList()) {
      for (String label : labels.stream().filter(l -> l.startsWith("nicflow")).toList()) {
        for (int n : inFlight) {
          double a = median(results.stream().filter(r -> r.target().equals(label) && r.inFlight() == n).toList(),
              Run::perSecond);
          double b = median(results.stream().filter(r -> r.target().equals(base) && r.inFlight() == n).toList(),
              Run::perSecond);
          out.printf("ratio %s / %s, %d in flight: %.2f%n", label, base, n, a / b);
        }
      }
    }
    out.printf("packet-ins/c: nicflow's own count; for ovs-testcontroller, OVS's messages to controllers "
        + "(rconn_sent). lost: upcalls the datapath dropped (dpctl/show).%n");
    out.flush();
  }

  private static double median(List<Run> rs, java.util.function.ToDoubleFunction<Run> f) {
    double[] v = rs.stream().mapToDouble(f).sorted().toArray();
    return v.length == 0 ? Double.NaN : v[(v.length - 1) / 2];
  }

  private static double min(List<Run> rs, java.util.function.ToDoubleFunction<Run> f) {
    return rs.stream().mapToDouble(f).min().orElse(Double.NaN);
  }

  private static double max(List<Run> rs, java.util.function.ToDoubleFunction<Run> f) {
    return rs.stream().mapToDouble(f).max().orElse(Double.NaN);
  }

  private Target nicflow(Config config) throws InterruptedException {
    NicflowController controller = NicflowController.start(config, OpenFlowSettings.of("127.0.0.1", 0));
    String label = "nicflow " + (config.controller().learnsInSwitch() ? "proactive+learn"
        : config.controller().mode().name().toLowerCase(Locale.ROOT));
    return new Target(label, "127.0.0.1:" + controller.openflowPort(),
        () -> controller.partition().counters().packetIns(), harness -> {
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
          while (controller.partition().connectedHosts().size() < config.hosts().size()) {
            if (System.nanoTime() > deadline) {
              throw new IllegalStateException("the bridge did not connect to nicflow within 90 s");
            }
            Thread.sleep(100);
          }
        }, controller);
  }

  private Target testController(boolean wildcard) throws IOException {
    Path binary = Path.of("/usr/bin/ovs-testcontroller");
    if (!Files.isExecutable(binary)) {
      throw new BadInputException("--testcontroller needs " + binary + " (Debian package openvswitch-testcontroller; "
          + "scripts/setup.sh installs it)");
    }
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    List<String> cmd = new ArrayList<>(List.of(binary.toString(), "-O", "OpenFlow13", "--verbose=off"));
    if (wildcard) {
      cmd.add("-w");
    }
    cmd.add("ptcp:" + port + ":127.0.0.1");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    return new Target(wildcard ? "ovs-testcontroller -w" : "ovs-testcontroller", "127.0.0.1:" + port, () -> -1,
        harness -> harness.awaitControllerConnection(Duration.ofSeconds(30)), () -> {
          p.destroy();
          if (!p.waitFor(5, TimeUnit.SECONDS)) {
            p.destroyForcibly();
          }
        });
  }

  /** ovs-vswitchd's pid from its pid file; a change across the benchmark means it restarted. */
  private static String vswitchdPid() {
    try {
      return Files.readString(Path.of("/var/run/openvswitch/ovs-vswitchd.pid")).strip();
    } catch (IOException e) {
      return "?";
    }
  }

  /** The datapath's upcalls lost so far (summed over datapaths); -1 if OVS does not say. */
  private static long lostUpcalls() {
    Matcher m = LOOKUPS.matcher(ovsAppctl("dpctl/show"));
    long lost = 0;
    boolean found = false;
    while (m.find()) {
      lost += Long.parseLong(m.group(3));
      found = true;
    }
    return found ? lost : -1;
  }

  private static long ovsCounter(String name) {
    try {
      return Long.parseLong(ovsAppctl("coverage/read-counter", name).strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** OVS folds its coverage counters in about once a second: read again until the value settles. */
  private static long settledOvsCounter(String name) throws InterruptedException {
    long last = ovsCounter(name);
    for (int i = 0; i < 5; i++) {
      Thread.sleep(1100);
      long now = ovsCounter(name);
      if (now == last) {
        return now;
      }
      last = now;
    }
    return last;
  }

  private static String ovsAppctl(String... args) {
    List<String> cmd = new ArrayList<>(List.of("ovs-appctl"));
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(10, TimeUnit.SECONDS);
      return text;
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }
}
