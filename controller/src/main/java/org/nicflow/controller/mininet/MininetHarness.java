package org.nicflow.controller.mininet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Mininet network driven through {@code mininet-topologies/harness.py}: one JSON request per
 * line on its stdin, one JSON answer per line on its stdout, its log forwarded to our stderr.
 *
 * <p>{@link #close()} asks the harness to stop (it removes every bridge, link, namespace and
 * background process it created), closes its stdin, and kills the process tree if it does not
 * exit in time.
 */
public final class MininetHarness implements AutoCloseable {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger("nicflow.mininet");

  public static final Path PYTHON = Path.of("/usr/bin/python3");
  private static final Duration DEFAULT_ANSWER_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration EXIT_GRACE = Duration.ofSeconds(45);

  private final ObjectMapper json = new ObjectMapper();
  private final Process process;
  private final OutputStream requests;
  private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final AtomicLong nextId = new AtomicLong(1);
  private volatile String exitReason;

  private MininetHarness(Process process) {
    this.process = process;
    this.requests = process.getOutputStream();
    daemon("harness-answers", () -> readAnswers(process.getInputStream()));
    daemon("harness-log", () -> forwardLog(process.getErrorStream()));
  }

  /** Starts the harness of the repository found by {@link RepoRoot#find()}. */
  public static MininetHarness launch() {
    return launch(RepoRoot.find());
  }

  public static MininetHarness launch(Path repoRoot) {
    Path script = repoRoot.resolve("mininet-topologies/harness.py");
    ProcessBuilder builder = new ProcessBuilder(PYTHON.toString(), script.toString())
        .directory(repoRoot.toFile());
    builder.environment().put("PYTHONUNBUFFERED", "1");
    try {
      return new MininetHarness(builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + script, e);
    }
  }

  // ---- typed requests ----------------------------------------------------------------------

  /** Builds the network of {@code config}; its bridges connect to {@code controller}. */
  public Topology start(Path config, String controller) {
    return start(config, controller, List.of());
  }

  /**
   * As {@link #start(Path, String)}, plus, when {@code externalIps} is not empty, the endpoint
   * {@code nfm-ext} on the physical network with these addresses ({@code ip/len}): MAC = the
   * hosts' {@code next_hop_mac}, SNAT addresses and VIPs reached via their host's uplink.
   */
  public Topology start(Path config, String controller, List<String> externalIps) {
    ObjectNode request = request("start")
        .put("config", config.toAbsolutePath().toString())
        .put("controller", controller);
    if (!externalIps.isEmpty()) {
      var ips = request.putArray("external");
      externalIps.forEach(ips::add);
    }
    JsonNode answer = call(request, START_TIMEOUT);
    List<Vm> vms = new ArrayList<>();
    answer.path("vms").forEach(vm -> vms.add(new Vm(vm.path("name").asText(),
        vm.path("host").asText(), vm.path("intf").asText(), vm.path("port").asText(),
        vm.path("mac").asText(), vm.path("ip").asText(), vm.path("vnet").asText())));
    List<String> bridges = new ArrayList<>();
    answer.path("bridges").forEach(b -> bridges.add(b.asText()));
    return new Topology(bridges, vms, answer.path("tunnels_routable").asBoolean());
  }

  /** Runs {@code command} with bash in the VM's namespace and waits for it. */
  public CommandResult cmd(String vm, String command, Duration timeout) {
    ObjectNode request = request("cmd").put("host", vm).put("cmd", command)
        .put("timeout", timeout.toMillis() / 1000.0);
    return CommandResult.of(call(request, timeout.plus(DEFAULT_ANSWER_TIMEOUT)));
  }

  /** Starts {@code command} in the background in the VM's namespace; returns its handle. */
  public String popen(String vm, String command) {
    return call(request("popen").put("host", vm).put("cmd", command), DEFAULT_ANSWER_TIMEOUT)
        .path("proc").asText();
  }

  /** A background process's output so far; {@code exit} is -1 while it runs. */
  public CommandResult output(String proc) {
    return CommandResult.of(call(request("output").put("proc", proc), DEFAULT_ANSWER_TIMEOUT));
  }

  /** Terminates a background process and returns everything it printed. */
  public CommandResult kill(String proc) {
    return CommandResult.of(call(request("kill").put("proc", proc), DEFAULT_ANSWER_TIMEOUT));
  }

  /**
   * Sends one line over TCP from {@code fromVm} to a listener ({@code nc -l port}) started on
   * {@code toVm}, dialling {@code address} (which may differ from the listener's own address:
   * NAT, VIP). The client retries for about two seconds while the listener comes up.
   */
  public TcpDelivery sendTcp(String fromVm, String toVm, String address, int port,
      String line) {
    String listener = popen(toVm, "nc -l " + port);
    try {
      String quoted = "'" + line.replace("'", "'\\''") + "'";
      CommandResult client = cmd(fromVm, "for i in $(seq 20); do echo " + quoted
          + " | nc -q1 -w2 " + address + " " + port + " && exit 0; sleep 0.1; done; exit 1",
          Duration.ofSeconds(60));
      return new TcpDelivery(client.succeeded(), kill(listener).output(), client.output());
    } catch (HarnessException e) {
      kill(listener);
      throw e;
    }
  }

  /** Port counters of a bridge ({@code ovs-ofctl -O OpenFlow13 dump-ports}), by port name. */
  public Map<String, PortCounters> portStats(String bridge) {
    JsonNode ports = call(request("port_stats").put("bridge", bridge), DEFAULT_ANSWER_TIMEOUT)
        .path("ports");
    Map<String, PortCounters> stats = new LinkedHashMap<>();
    ports.properties().forEach(e -> stats.put(e.getKey(), new PortCounters(
        e.getValue().path("rx_packets").asLong(), e.getValue().path("rx_bytes").asLong(),
        e.getValue().path("tx_packets").asLong(), e.getValue().path("tx_bytes").asLong(),
        e.getValue().path("rx_dropped").asLong(), e.getValue().path("tx_dropped").asLong())));
    return Map.copyOf(stats);
  }

  /** The flows of a bridge ({@code ovs-ofctl -O OpenFlow13 --names dump-flows}). */
  public List<DumpedFlow> dumpFlows(String bridge) {
    JsonNode flows = call(request("dump_flows").put("bridge", bridge), DEFAULT_ANSWER_TIMEOUT)
        .path("flows");
    List<DumpedFlow> result = new ArrayList<>();
    flows.forEach(f -> result.add(new DumpedFlow(f.path("cookie").asText(),
        f.path("table").asInt(), f.path("priority").asInt(), f.path("n_packets").asLong(),
        f.path("n_bytes").asLong(), f.path("match").asText(), f.path("actions").asText(),
        f.path("text").asText())));
    return List.copyOf(result);
  }

  /**
   * Runs an OVS tool in the root namespace: {@code args[0]} may be {@code ovs-ofctl},
   * {@code ovs-appctl}, {@code ovs-vsctl} or {@code ovs-dpctl}; otherwise ovs-ofctl is meant.
   */
  public CommandResult ofctl(String... args) {
    ObjectNode request = request("ofctl");
    var list = request.putArray("args");
    for (String arg : args) {
      list.add(arg);
    }
    JsonNode answer = call(request, DEFAULT_ANSWER_TIMEOUT);
    return new CommandResult(answer.path("exit").asInt(),
        answer.path("output").asText() + answer.path("stderr").asText(), false);
  }

  /**
   * Waits until every bridge reports a connected controller (OVSDB {@code is_connected}).
   *
   * @throws HarnessException naming the bridges still unconnected after {@code timeout}
   */
  public Map<String, Boolean> awaitControllerConnection(Duration timeout) {
    JsonNode state = call(request("wait_connected").put("timeout", timeout.toMillis() / 1000.0),
        timeout.plus(DEFAULT_ANSWER_TIMEOUT)).path("connected");
    Map<String, Boolean> connected = new LinkedHashMap<>();
    state.properties().forEach(e -> connected.put(e.getKey(), e.getValue().asBoolean()));
    return Map.copyOf(connected);
  }

  /** Removes the network and background processes; the harness keeps serving. */
  public void stop() {
    call(request("stop"), Duration.ofMinutes(2));
  }

  // ---- generic request ---------------------------------------------------------------------

  /** A new request object of operation {@code op}; {@link #call} adds the id. */
  public ObjectNode request(String op) {
    return json.createObjectNode().put("op", op);
  }

  /**
   * Sends {@code request} and waits for its answer.
   *
   * @throws HarnessException if the answer says {@code ok: false}, none comes in time, or the
   *     harness exits
   */
  public JsonNode call(ObjectNode request, Duration timeout) {
    long id = nextId.getAndIncrement();
    request.put("id", id);
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    pending.put(id, answer);
    try {
      send(request);
      JsonNode reply = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!reply.path("ok").asBoolean()) {
        throw new HarnessException(request.path("op").asText() + ": "
            + reply.path("error").asText("no error text"));
      }
      return reply;
    } catch (TimeoutException e) {
      throw new HarnessException("no answer to " + request + " within " + timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HarnessException("interrupted waiting for " + request);
    } catch (ExecutionException e) {
      throw new HarnessException(e.getCause().getMessage());
    } finally {
      pending.remove(id);
    }
  }

  private synchronized void send(ObjectNode request) {
    if (exitReason != null) {
      throw new HarnessException(exitReason);
    }
    try {
      requests.write((json.writeValueAsString(request) + "\n").getBytes(StandardCharsets.UTF_8));
      requests.flush();
    } catch (IOException e) {
      throw new HarnessException("harness does not take requests: " + e.getMessage());
    }
  }

  private void readAnswers(InputStream stdout) {
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(stdout, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        JsonNode answer = json.readTree(line);
        CompletableFuture<JsonNode> waiting = pending.get(answer.path("id").asLong(-1));
        if (waiting != null) {
          waiting.complete(answer);
        } else {
          System.err.println("[mininet-harness] unmatched answer: " + line);
        }
      }
    } catch (IOException e) {
      System.err.println("[mininet-harness] answer stream failed: " + e);
    }
    exitReason = "the harness closed its answer stream" + exitCode();
    pending.values().forEach(f -> f.completeExceptionally(new HarnessException(exitReason)));
  }

  private String exitCode() {
    try {
      return process.waitFor(5, TimeUnit.SECONDS) ? " (exit " + process.exitValue() + ")" : "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private static void forwardLog(InputStream stderr) {
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(stderr, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        log.info("{}", line);
      }
    } catch (IOException e) {
      System.err.println("[mininet-harness] log stream failed: " + e);
    }
  }

  private static void daemon(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.start();
  }

  // ---- lifetime ----------------------------------------------------------------------------

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Closes the harness's stdin without "stop", as the death of this JVM would. */
  public void endOfInput() {
    try {
      requests.close();
    } catch (IOException e) {
      // already closed
    }
  }

  /** Waits for the harness to exit; false if it is still running after {@code timeout}. */
  public boolean awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The harness's pid, for tests of its own clean-up. */
  public long pid() {
    return process.pid();
  }

  @Override
  public void close() {
    if (process.isAlive() && exitReason == null) {
      try {
        stop();
      } catch (HarnessException e) {
        System.err.println("[mininet-harness] stop on close failed: " + e.getMessage());
      }
    }
    try {
      requests.close();
    } catch (IOException e) {
      // already gone: the harness sees EOF either way
    }
    if (waitForExit()) {
      return;
    }
    process.destroy(); // SIGTERM: the harness still cleans up
    if (waitForExit()) {
      return;
    }
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    waitForExit();
  }

  private boolean waitForExit() {
    try {
      return process.waitFor(EXIT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  // ---- values ------------------------------------------------------------------------------

  /** A failed request, a missing answer or a dead harness. */
  public static final class HarnessException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public HarnessException(String message) {
      super(message);
    }
  }

  /** What {@code start} built. */
  public record Topology(List<String> bridges, List<Vm> vms, boolean tunnelsRoutable) {
    public Topology {
      bridges = List.copyOf(bridges);
      vms = List.copyOf(vms);
    }

    public Vm vm(String name) {
      return vms.stream().filter(v -> v.name().equals(name)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no VM " + name));
    }
  }

  /** A VM as built: {@code intf} inside its namespace, {@code port} on its host's bridge. */
  public record Vm(String name, String host, String intf, String port, String mac, String ip,
      String vnet) {
    public Vm {
      Objects.requireNonNull(name, "name");
    }
  }

  /** Exit code (-1 while still running) and combined stdout/stderr of a command. */
  public record CommandResult(int exit, String output, boolean timedOut) {
    public CommandResult {
      Objects.requireNonNull(output, "output");
    }

    static CommandResult of(JsonNode answer) {
      JsonNode exit = answer.path("exit");
      return new CommandResult(exit.isNull() || exit.isMissingNode() ? -1 : exit.asInt(),
          answer.path("output").asText(), answer.path("timed_out").asBoolean());
    }

    public boolean succeeded() {
      return exit == 0 && !timedOut;
    }
  }

  /** What a {@link #sendTcp} listener received; {@code connected} if the client got through. */
  public record TcpDelivery(boolean connected, String received, String clientOutput) {}

  /** Counters of one bridge port; OVS's "unsupported" reads as 0. */
  public record PortCounters(long rxPackets, long rxBytes, long txPackets, long txBytes,
      long rxDropped, long txDropped) {}

  /** One line of {@code dump-flows}; match without priority, port names unquoted. */
  public record DumpedFlow(String cookie, int table, int priority, long packets, long bytes,
      String match, String actions, String text) {}
}
