package org.nicflow.controller.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Vm;
import org.nicflow.controller.bench.LiveHeap;
import org.nicflow.controller.bench.NginxSite;
import org.nicflow.controller.bench.SoakLimits;
import org.nicflow.controller.bench.SoakReadings;
import org.nicflow.controller.bench.SoakSample;
import org.nicflow.controller.bench.SoakVerdict;
import org.nicflow.controller.bench.WrkSummary;
import org.nicflow.controller.mininet.MininetHarness;
import org.nicflow.controller.mininet.MininetHarness.Topology;
import org.nicflow.controller.mininet.RepoRoot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nicflow bench soak}: connection churn for a while through reactive offload, watching for
 * crashes, failed connections, memory growth and entries that outlive their connections. The
 * controller runs as its own process ({@code nicflow run}, with the launcher's heap cap and exit on
 * out-of-memory), as in production, so that its pid and resident set are its own; the network is
 * the config's one host in Mininet. The server VM runs nginx (started here with its own config,
 * stopped by its pid), the client VM {@code wrk} with {@code Connection: close}, so every request
 * is a new TCP connection and a new miss. Every few seconds: the controller's RSS
 * ({@code /proc/PID/status}), ovs-vswitchd's pid, the controller's packet-ins and connection
 * entries ({@code /metrics}) and the bridge's flows. After the load it waits for the idle timeouts
 * and checks that the connection entries and flows went back to what the bridge held before.
 */
@Command(name = "soak", description = "Connection churn (nginx + wrk, Connection: close) between two VMs on Mininet + "
    + "OVS through reactive offload for a while; reports requests and failures, crashes of the controller and "
    + "ovs-vswitchd, the controller's RSS after the warm-up, packet-ins, and the entries left after the load.")
final class BenchSoakCommand implements Callable<Integer> {

  private static final int SERVER_PORT = 5001;
  private static final Path VSWITCHD_PIDFILE = Path.of("/var/run/openvswitch/ovs-vswitchd.pid");
  private static final Duration CONTROLLER_START = Duration.ofSeconds(60);
  private static final Duration SWITCH_CONNECT = Duration.ofSeconds(90);
  /** After the idle timeout: OVS's expiry sweep and the FLOW_REMOVED messages of a full table. */
  private static final Duration DRAIN_MARGIN = Duration.ofSeconds(30);

  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "Config of one host: the first VM runs wrk, the second nginx on tcp/5001 "
          + "(default: examples/cps.yaml).")
  private Path configFile;

  @Option(names = "--seconds", description = "How long wrk runs (default: ${DEFAULT-VALUE}).", defaultValue = "600")
  private int seconds;

  @Option(names = "--warm-up", paramLabel = "SECONDS", description = "The first seconds, whose RSS growth is not "
      + "counted (default: a fifth of --seconds, at most 60).")
  private Integer warmUp;

  @Option(names = "--in-flight", description = "wrk's connections in flight (default: ${DEFAULT-VALUE}).",
      defaultValue = "8")
  private int inFlight;

  @Option(names = "--sample-every", paramLabel = "SECONDS", description = "Seconds between samples (default: "
      + "${DEFAULT-VALUE}).", defaultValue = "5")
  private int sampleEvery;

  @Option(names = "--max-rss-growth", paramLabel = "MIB", description = "Fail when the controller's RSS rises by "
      + "more than this after the warm-up (default: ${DEFAULT-VALUE}).", defaultValue = "64")
  private int maxRssGrowthMib;

  @Option(names = "--max-heap-growth", paramLabel = "MIB", description = "Fail when the controller's live heap "
      + "(after a full GC) is larger after the drain than at the end of the warm-up by more than this (default: "
      + "${DEFAULT-VALUE}).", defaultValue = "4")
  private int maxHeapGrowthMib;

  @Option(names = "--heap", description = "The controller's heap, committed and touched at its start so that RSS "
      + "shows what else grows (default: NICFLOW_HEAP, else 1g, as the launcher).")
  private String heap;

  @Option(names = "--verbose", description = "Show the network's log (stderr); the controller's log is kept in a "
      + "file either way.")
  private boolean verbose;

  @Spec
  private CommandSpec spec;

  private PrintWriter out;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Override
  public Integer call() throws Exception {
    out = spec.commandLine().getOut();
    if (seconds < 5 || inFlight < 1 || inFlight > 1000 || sampleEvery < 1 || maxRssGrowthMib < 0 || maxHeapGrowthMib < 0) {
      throw new BadInputException("--seconds must be at least 5, --in-flight 1-1000, --sample-every at least 1, "
          + "--max-rss-growth and --max-heap-growth not negative");
    }
    int warmUpSeconds = warmUp != null ? warmUp : Math.min(60, seconds / 5);
    if (warmUpSeconds < 0 || warmUpSeconds + sampleEvery > seconds) {
      throw new BadInputException("--warm-up must leave at least one sample (--sample-every) before the load ends");
    }
    if (!"0".equals(DemoCommand.uid())) {
      throw new BadInputException("bench soak builds Open vSwitch bridges and network namespaces: run it as root");
    }
    for (String tool : List.of("/usr/sbin/nginx", "/usr/bin/wrk")) {
      if (!Files.isExecutable(Path.of(tool))) {
        throw new BadInputException("bench soak needs " + tool + " (Debian packages nginx and wrk; scripts/setup.sh "
            + "installs them)");
      }
    }
    Path repo = RepoRoot.find();
    Path file = configFile != null ? configFile : repo.resolve("examples/cps.yaml");
    Config config = new ConfigLoader().load(file);
    if (config.vms().size() < 2 || config.hosts().size() != 1) {
      throw new BadInputException(file + ": the soak needs one host and at least two VMs (client, server)");
    }
    if (!verbose) {
      DemoCommand.quietLogs();
    }
    Vm client = config.vms().get(0);
    Vm server = config.vms().get(1);
    int idleTimeout = config.controller().idleTimeoutS();
    Path dir = Files.createTempDirectory("nicflow-soak-");
    out.printf("nicflow bench soak: wrk on %s -> nginx on %s:%d, Connection: close, %d in flight, %d s (warm-up "
        + "%d s), reactive; %s; files in %s%n", client.name(), server.ip(), SERVER_PORT, inFlight, seconds,
        warmUpSeconds, file, dir);
    out.flush();
    boolean passed = false;
    Process controller = null;
    try {
      int openflowPort = freePort();
      int apiPort = freePort();
      controller = startController(file, dir, openflowPort, apiPort);
      URI metrics = URI.create("http://127.0.0.1:" + apiPort + "/metrics");
      awaitLog(controller, dir.resolve("controller.log"), "nicflow listening");
      try (MininetHarness harness = MininetHarness.launch(repo)) {
        Topology topology = harness.start(file, "127.0.0.1:" + openflowPort);
        String bridge = topology.bridges().get(0);
        awaitSwitches(controller, metrics, config.hosts().size());
        SoakVerdict verdict = soak(harness, controller, metrics, bridge, dir, client, server, warmUpSeconds,
            idleTimeout);
        passed = verdict.passed();
      }
    } finally {
      passed &= stop(controller, dir.resolve("controller.log"));
      if (passed) {
        deleteTree(dir);
      } else {
        out.printf("kept for a look: %s (controller.log, nginx error.log)%n", dir);
      }
      out.flush();
    }
    return passed ? NicflowCli.EXIT_OK : NicflowCli.EXIT_FAILURE;
  }

  private SoakVerdict soak(MininetHarness harness, Process controller, URI metrics, String bridge, Path dir, Vm client,
      Vm server, int warmUpSeconds, int idleTimeout) throws Exception {
    Files.writeString(dir.resolve("nginx.conf"), NginxSite.config(dir, server.ip().toString(), SERVER_PORT));
    Files.writeString(dir.resolve("done.lua"), WrkSummary.DONE_SCRIPT);
    String nginx = harness.popen(server.name(), "exec /usr/sbin/nginx -e " + dir.resolve("error.log") + " -c "
        + dir.resolve("nginx.conf"));
    try {
      awaitFile(dir.resolve("nginx.pid"), Duration.ofSeconds(20), () -> harness.output(nginx).output());
      long baseFlows = bridgeFlows(harness, bridge);
      long vswitchd = vswitchdPid();
      String wrk = harness.popen(client.name(), "exec /usr/bin/wrk -t1 -c" + inFlight + " -d" + seconds + "s "
          + "--timeout 2s -H 'Connection: close' -s " + dir.resolve("done.lua") + " http://" + server.ip() + ":"
          + SERVER_PORT + "/");
      List<SoakSample> samples = new ArrayList<>();
      long start = System.nanoTime();
      long hardEnd = start + TimeUnit.SECONDS.toNanos(seconds + 60L);
      OptionalLong heapWarm = OptionalLong.empty();
      while (harness.output(wrk).exit() == -1 && System.nanoTime() < hardEnd) {
        SoakSample s = sample(harness, controller, metrics, bridge, start, true);
        samples.add(s);
        if (heapWarm.isEmpty() && s.seconds() > warmUpSeconds) {
          heapWarm = liveHeapKb(controller, dir.resolve("histogram-warm.txt"));
        }
        Thread.sleep(sampleEvery * 1000L);
      }
      Optional<WrkSummary> summary = WrkSummary.parse(harness.kill(wrk).output());
      long drainEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(idleTimeout) + DRAIN_MARGIN.toNanos();
      while (true) {
        SoakSample s = sample(harness, controller, metrics, bridge, start, false);
        samples.add(s);
        if ((s.connections() == 0 && s.bridgeFlows() == baseFlows) || System.nanoTime() > drainEnd) {
          break;
        }
        Thread.sleep(1000);
      }
      LiveHeap heap = new LiveHeap(heapWarm, liveHeapKb(controller, dir.resolve("histogram-drained.txt")));
      SoakVerdict verdict = SoakVerdict.judge(samples, warmUpSeconds, summary, baseFlows, heap,
          new SoakLimits(maxRssGrowthMib * 1024L, maxHeapGrowthMib * 1024L));
      report(samples, summary, verdict, vswitchd, baseFlows, dir.resolve("controller.log"));
      return verdict;
    } finally {
      harness.kill(nginx);
    }
  }

  private SoakSample sample(MininetHarness harness, Process controller, URI metrics, String bridge, long start,
      boolean loaded) {
    double at = (System.nanoTime() - start) / 1e9;
    boolean alive = controller.isAlive();
    long rss = alive ? readRss(controller.pid()) : -1;
    String exposition = alive ? scrape(metrics) : "";
    long vswitchd = vswitchdPid();
    SoakSample s = new SoakSample(at, loaded, alive ? controller.pid() : -1, rss, vswitchd,
        vswitchd < 0 ? -1 : readRss(vswitchd),
        SoakReadings.metric(exposition, "nicflow_packet_ins_total").orElse(-1),
        SoakReadings.metric(exposition, "nicflow_connections").orElse(-1), bridgeFlows(harness, bridge));
    out.printf("  %5.0f s %-5s controller RSS %6.1f MiB, ovs-vswitchd pid %d RSS %.1f MiB, %,d packet-ins, %,d "
        + "connection entries, %,d flows%n", at, loaded ? "load" : "drain", rss / 1024.0, s.vswitchdPid(),
        s.vswitchdRssKb() / 1024.0, s.packetIns(),
        s.connections(), s.bridgeFlows());
    out.flush();
    return s;
  }

  private void report(List<SoakSample> samples, Optional<WrkSummary> wrk, SoakVerdict v, long vswitchd,
      long baseFlows, Path controllerLog) throws IOException {
    SoakSample last = samples.get(samples.size() - 1);
    SoakSample lastLoaded = samples.stream().filter(SoakSample::loaded).reduce((a, b) -> b).orElse(last);
    wrk.ifPresent(w -> {
      out.printf("wrk: %,d requests in %.1f s (%.0f/s), latency p50 %.2f ms p99 %.2f ms%n", w.requests(),
          w.seconds(), w.perSecond(), w.latencyP50Ms(), w.latencyP99Ms());
      out.printf("failed: %d (connect %d, read %d, write %d, timeout %d, non-2xx/3xx %d)%n", w.failed(),
          w.connectErrors(), w.readErrors(), w.writeErrors(), w.timeouts(), w.badStatus());
      if (last.packetIns() > 0) {
        out.printf("packet-ins: %,d (%.2f per request)%n", last.packetIns(),
            (double) last.packetIns() / Math.max(1, w.requests()));
      }
    });
    out.printf("controller RSS: %.1f MiB at the end of the warm-up, %.1f MiB at the end of the load, %.1f MiB at "
        + "most after the warm-up (growth %+.1f MiB, allowed %d)%n", v.rssWarmKb() / 1024.0, v.rssEndKb() / 1024.0,
        v.rssMaxKb() / 1024.0, (v.rssMaxKb() - v.rssWarmKb()) / 1024.0, maxRssGrowthMib);
    out.printf("controller live heap (after a full GC): %.1f MiB at the end of the warm-up, %.1f MiB after the "
        + "drain (allowed growth %d MiB)%n", v.heap().warmKb().orElse(-1) / 1024.0,
        v.heap().drainedKb().orElse(-1) / 1024.0, maxHeapGrowthMib);
    SoakSample first = samples.get(0);
    out.printf("ovs-vswitchd: pid %d at the start, %d at the end; RSS %.1f MiB at the start of the load, %.1f MiB "
        + "at its end, %.1f MiB after the drain%n", vswitchd, last.vswitchdPid(), first.vswitchdRssKb() / 1024.0,
        lastLoaded.vswitchdRssKb() / 1024.0, last.vswitchdRssKb() / 1024.0);
    out.printf("connection entries: %,d at most, %,d after the drain; bridge flows: %,d before the load, %,d at "
        + "most, %,d after the drain (%.0f s after the load)%n", v.peakConnections(), v.drainedConnections(),
        baseFlows, v.peakFlows(), v.drainedFlows(), last.seconds() - lastLoaded.seconds());
    String log = Files.exists(controllerLog) ? Files.readString(controllerLog) : "";
    out.printf("controller log: %d ERROR, %d WARN lines%n", log.lines().filter(l -> l.contains(" ERROR ")).count(),
        log.lines().filter(l -> l.contains(" WARN ")).count());
    v.failures().forEach(f -> out.println("FAILED: " + f));
    out.println(v.passed() ? "soak passed" : "soak FAILED");
    out.flush();
  }

  private Process startController(Path file, Path dir, int openflowPort, int apiPort) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String xmx = heap != null ? heap : Optional.ofNullable(System.getenv("NICFLOW_HEAP")).orElse("1g");
    // As the launcher (bounded heap, exit on out-of-memory), plus the heap committed and touched at
    // once: otherwise RSS grows for minutes as the collector first uses pages it had reserved, which
    // hides what RSS is watched for (threads, buffers, code outside the heap); the heap's own growth
    // is measured as its live size after a full GC.
    List<String> cmd = List.of(java, "-Xms" + xmx, "-Xmx" + xmx, "-XX:+AlwaysPreTouch", "-XX:+ExitOnOutOfMemoryError",
        "-cp",
        System.getProperty("java.class.path"), NicflowCli.class.getName(), "run", "-c", file.toString(),
        "--mode", "reactive", "--openflow", "127.0.0.1:" + openflowPort, "--api", "127.0.0.1:" + apiPort,
        "--state-dir", dir.resolve("state").toString());
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("controller.log").toFile())
        .start();
  }

  /** Stops the controller with SIGTERM; false if it had ended before or did not exit 0. */
  private boolean stop(Process controller, Path log) throws InterruptedException {
    if (controller == null) {
      return false;
    }
    if (!controller.isAlive()) {
      out.printf("the controller had exited (code %d); its log: %s%n", controller.exitValue(), log);
      return false;
    }
    controller.destroy();
    if (!controller.waitFor(30, TimeUnit.SECONDS)) {
      controller.destroyForcibly();
      controller.waitFor(10, TimeUnit.SECONDS);
      out.printf("the controller did not stop within 30 s of SIGTERM; killed%n");
      return false;
    }
    // 143: the JVM's exit on SIGTERM where the command had no chance to return its own code
    int code = controller.exitValue();
    return code == 0 || code == 143;
  }

  private void awaitLog(Process controller, Path log, String marker) throws Exception {
    long deadline = System.nanoTime() + CONTROLLER_START.toNanos();
    while (!(Files.exists(log) && Files.readString(log).contains(marker))) {
      if (!controller.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("the controller did not start: " + tail(log));
      }
      Thread.sleep(100);
    }
  }

  private void awaitSwitches(Process controller, URI metrics, int hosts) throws Exception {
    long deadline = System.nanoTime() + SWITCH_CONNECT.toNanos();
    while (SoakReadings.metric(scrape(metrics), "nicflow_connected_switches").orElse(0) < hosts) {
      if (!controller.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("the bridge did not connect to the controller within " + SWITCH_CONNECT);
      }
      Thread.sleep(200);
    }
  }

  private static void awaitFile(Path path, Duration timeout, java.util.function.Supplier<String> why)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!Files.exists(path)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(path + " did not appear within " + timeout + ": " + why.get());
      }
      Thread.sleep(100);
    }
  }

  private String scrape(URI metrics) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return r.statusCode() == 200 ? r.body() : "";
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private static long bridgeFlows(MininetHarness harness, String bridge) {
    return SoakReadings.flowCount(harness.ofctl("dump-aggregate", bridge).output()).orElse(-1);
  }

  /**
   * The controller's live heap in KiB: what its heap holds right after the full collection that
   * {@code jcmd PID GC.class_histogram} makes; the histogram is kept in {@code histogram} for a look.
   * Empty when the JDK's jcmd is not there or the JVM does not answer.
   */
  private static OptionalLong liveHeapKb(Process controller, Path histogram) {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    if (!controller.isAlive() || !Files.isExecutable(jcmd)) {
      return OptionalLong.empty();
    }
    try {
      String text = run(List.of(jcmd.toString(), Long.toString(controller.pid()), "GC.class_histogram"));
      Files.writeString(histogram, text);
      return SoakReadings.histogramTotalKb(text);
    } catch (IOException e) {
      return OptionalLong.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalLong.empty();
    }
  }

  private static String run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
    return text;
  }

  private static long readRss(long pid) {
    try {
      return SoakReadings.rssKb(Files.readString(Path.of("/proc", Long.toString(pid), "status"))).orElse(-1);
    } catch (IOException e) {
      return -1;
    }
  }

  private static long vswitchdPid() {
    try {
      return Long.parseLong(Files.readString(VSWITCHD_PIDFILE).strip());
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  private static void deleteTree(Path dir) {
    try (var files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temp directory is harmless
    }
  }
}
