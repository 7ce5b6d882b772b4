package org.nicflow.it;

import org.nicflow.controller.api.ConfigDocument;
import java.net.http.HttpResponse;
import java.net.http.HttpRequest;
import java.net.http.HttpClient;
import java.net.URI;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Host;
import org.nicflow.compiler.model.OffloadMode;
import org.nicflow.controller.mininet.MininetHarness.DumpedFlow;
import org.nicflow.controller.mininet.MininetHarness.Topology;
import org.nicflow.controller.mininet.MininetHarness;
import org.nicflow.controller.mininet.RepoRoot;
import org.nicflow.controller.openflow.OpenFlowSettings;
import org.nicflow.controller.runtime.NicflowController;

/**
 * A Mininet network built from a fixture config, on real Open vSwitch, with the controller in this
 * JVM in the mode a subclass picks. Every test fails if a switch sent an OpenFlow ERROR, a
 * reconciliation failed or the controller threw.
 */
@ExtendWith(RootOnly.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class NetworkScenario {

  static final Duration SHORT = Duration.ofSeconds(10);
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();
  /** The harness's underlay bridge has one fixed name: building a network removes a running one. */
  static final String SHARED_UNDERLAY = "nfm-underlay";

  private final ConcurrentLinkedQueue<Throwable> uncaught = new ConcurrentLinkedQueue<>();
  private Thread.UncaughtExceptionHandler previousHandler;
  NicflowController controller;
  MininetHarness harness;
  Topology topology;
  Path probe;

  abstract OffloadMode mode();

  /** The fixture config under {@code src/test/resources}. */
  abstract String fixtureName();

  /** The config the controller starts with, from the fixture in {@link #mode()}; as is by default. */
  Config configure(Config fixture) {
    return fixture;
  }

  /** Where the controller serves its REST API; none by default. */
  Optional<InetSocketAddress> api() {
    return Optional.empty();
  }

  /** Addresses ({@code ip/len}) of the endpoint on the physical network; none by default. */
  List<String> externalAddresses() {
    return List.of();
  }

  @BeforeAll
  void startNetwork() throws Exception {
    previousHandler = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(e));
    await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(2))
        .until(() -> !bridgeExists(SHARED_UNDERLAY));
    Path fixture = fixture(fixtureName());
    Config config = configure(new ConfigLoader().load(fixture).withMode(mode()));
    controller = NicflowController.start(config, OpenFlowSettings.of("127.0.0.1", 0), api());
    Path repo = RepoRoot.find();
    probe = repo.resolve("mininet-topologies/probe.py");
    harness = MininetHarness.launch(repo);
    topology = harness.start(fixture, "127.0.0.1:" + controller.openflowPort(), externalAddresses());
    List<String> hosts = config.hosts().stream().map(Host::name).toList();
    await().atMost(Duration.ofSeconds(60)).until(() -> controller.partition().connectedHosts().containsAll(hosts));
  }

  @AfterEach
  void noErrorsAndNoExceptions() {
    assertThat(controller.partition().errors()).as("OpenFlow errors from switches").isEmpty();
    assertThat(controller.server().stats().global().listenerFailures()).as("controller exceptions").isZero();
    assertThat(controller.partition().counters().reconcileFailures()).as("failed reconciliations").isZero();
    assertThat(uncaught).as("uncaught exceptions").isEmpty();
  }

  @AfterAll
  void stopNetwork() throws Exception {
    try {
      if (harness != null) {
        harness.close();
      }
    } finally {
      if (controller != null) {
        controller.close();
      }
      Thread.setDefaultUncaughtExceptionHandler(previousHandler);
    }
  }

  /** Starts a probe echo server in {@code vm}; returns its process handle once it listens. */
  String serve(String vm, String proto, int port) {
    String proc = harness.popen(vm, "/usr/bin/python3 " + probe + " serve " + proto + " " + port);
    await().atMost(SHORT).until(() -> harness.output(proc).output().contains("listening"));
    return proc;
  }

  /** The unified-table flows of {@code bridge} whose match names transport port {@code port}. */
  List<DumpedFlow> unifiedFlowsOn(String bridge, int port) {
    return harness.dumpFlows(bridge).stream()
        .filter(f -> f.table() == Pipeline.number(Pipeline.UNIFIED))
        .filter(f -> f.match().contains("tp_dst=" + port) || f.match().contains("udp_dst=" + port)
            || f.match().contains("tp_src=" + port) || f.match().contains("udp_src=" + port))
        .toList();
  }

  /** {@code PUT /api/v1/config?wait=enforced}: answers once every switch confirmed the revision. */
  void putConfig(Config config) throws Exception {
    HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + controller.apiPort().getAsInt() + "/api/v1/config?wait=enforced"))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(ConfigDocument.of(config)))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    assertThat(JSON.readTree(answer.body()).path("enforced").asBoolean()).as(answer.body()).isTrue();
  }

  boolean ping(String from, String to) {
    return harness.cmd(from, "ping -c2 -W1 " + to, SHORT).succeeded();
  }

  static boolean bridgeExists(String bridge) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("ovs-vsctl", "br-exists", bridge).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor() == 0;
  }

  static Path fixture(String name) throws URISyntaxException {
    return Path.of(NetworkScenario.class.getClassLoader().getResource(name).toURI());
  }
}
