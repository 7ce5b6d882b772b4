package org.nicflow.controller.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.diff.FlowDiffer;
import org.nicflow.compiler.eval.Connection;
import org.nicflow.compiler.eval.ConnectionTable;
import org.nicflow.compiler.eval.FlowTuple;
import org.nicflow.compiler.model.ApiLimits;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.controller.openflow.OpenFlowStats;
import org.nicflow.controller.openflow.packet.FrameParser;
import org.nicflow.controller.partition.FakeBridge;
import org.nicflow.controller.partition.FlowReconciler;
import org.nicflow.controller.partition.HostPartition;
import org.nicflow.controller.partition.RuleStatistics;
import org.nicflow.controller.policy.FakeLivePolicy;
import org.nicflow.controller.policy.LivePolicy;
import org.nicflow.controller.policy.PolicySnapshot;
import org.nicflow.controller.policy.UpdatePlan;

/**
 * The API under clients that would hold it up: raw sockets on loopback that send part of a
 * request and stop, flow listings of a switch that never answers, writes that wait, and large
 * listings. Every wait for an answer is bounded by a generous guard, so a server that stalls
 * fails the test instead of hanging it; how fast it answers is measured elsewhere.
 */
class ApiUnderLoadTest {

  /** How long an answer under test may take before the test fails (a guard, not a speed target). */
  private static final Duration GUARD = Duration.ofSeconds(5);
  /** How long setting up the load may take on a busy machine. */
  private static final Duration SETUP = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Ipv4 WEB1 = Ipv4.parse("10.1.0.11");
  private static final Ipv4 DB1 = Ipv4.parse("10.1.0.21");
  private static final Pattern LINK = Pattern.compile("<([^>]+)>; rel=\"next\"");

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(GUARD).build();
  private final List<Socket> sockets = new ArrayList<>();
  private HostPartition partition;
  private FakeBridge host1;
  private FakeLivePolicy policy;
  /** What the API serves instead of {@link #policy}, when set. */
  private LivePolicy live;
  private ApiServer server;

  @BeforeEach
  void setUp() throws Exception {
    Config config = new ConfigLoader().load(Path.of("../examples/demo.yaml"));
    partition = new HostPartition(PolicySnapshot.of(0, config),
        new FlowReconciler(new FlowDiffer(), Duration.ofSeconds(5)), new FrameParser(), new ConnectionTable(),
        new RuleStatistics());
    host1 = new FakeBridge("host1", 1L, Map.of("p-web1", 1, "p-db1", 2, "host1-up", 4, "tun-host2", 5));
    partition.switchConnected(host1);
    policy = new FakeLivePolicy(config);
  }

  @AfterEach
  void tearDown() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void metricsAnswersWhileFourClientsTrickleFourFlowListingsWaitForASilentSwitchAndListingsAreLarge()
      throws Exception {
    start(ApiLimits.DEFAULTS, Duration.ofSeconds(60));
    host1.ignoreFlowStats(4);
    int before = host1.flowStatsRequests();
    addConnections(20_000);
    for (int i = 0; i < 4; i++) {
      trickle();
    }
    List<CompletableFuture<HttpResponse<String>>> flows = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      flows.add(getLater("/api/v1/hosts/host1/flows"));
    }
    List<CompletableFuture<HttpResponse<String>>> listings = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      listings.add(getLater("/api/v1/connections"));
    }
    await().atMost(SETUP).until(() -> host1.flowStatsRequests() == before + 4);

    HttpResponse<String> metrics = get("/metrics");

    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body().lines()).contains("nicflow_connections 20000");
    for (CompletableFuture<HttpResponse<String>> listing : listings) {
      HttpResponse<String> r = listing.get(SETUP.toSeconds(), TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(r.body())).hasSize(ApiLimits.DEFAULTS.defaultPageSize());
      assertThat(r.body().length()).as("one page, not the whole table").isLessThan(1 << 20);
    }
    assertThat(flows).noneMatch(CompletableFuture::isDone);
  }

  @Test
  void aClientThatDoesNotFinishItsRequestInTimeIsAnswered408AndDisconnected() throws Exception {
    start(ApiLimits.DEFAULTS.withRequestTimeout(Duration.ofMillis(500)), Duration.ofSeconds(5));
    Socket slow = trickle();

    String answer = new String(slow.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(answer).startsWith("HTTP/1.1 408 ").contains("the request did not arrive within 500 ms");
    assertThat(get("/metrics").body().lines()).contains("nicflow_api_request_timeouts_total 1");
  }

  @Test
  void flowListingsWaitingForASilentSwitchHoldNoWorker() throws Exception {
    start(ApiLimits.DEFAULTS, Duration.ofSeconds(60));
    int inFlight = ApiLimits.DEFAULTS.flowStatsInFlight();
    host1.ignoreFlowStats(inFlight);
    int before = host1.flowStatsRequests();
    for (int i = 0; i < inFlight; i++) {
      getLater("/api/v1/hosts/host1/flows");
    }
    await().atMost(SETUP).until(() -> host1.flowStatsRequests() == before + inFlight);

    HttpResponse<String> vms = get("/api/v1/vms");

    assertThat(vms.statusCode()).isEqualTo(200);
  }

  @Test
  void aFlowListingBeyondTheRequestsWaitingForSwitchesIsRefused503AtOnce() throws Exception {
    start(ApiLimits.DEFAULTS, Duration.ofSeconds(60));
    int inFlight = ApiLimits.DEFAULTS.flowStatsInFlight();
    host1.ignoreFlowStats(inFlight + 1);
    int before = host1.flowStatsRequests();
    for (int i = 0; i < inFlight; i++) {
      getLater("/api/v1/hosts/host1/flows");
    }
    await().atMost(SETUP).until(() -> host1.flowStatsRequests() == before + inFlight);

    HttpResponse<String> refused = get("/api/v1/hosts/host1/flows");

    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(error(refused)).isEqualTo(inFlight + " flow statistics requests are already waiting for switches; "
        + "try again");
    assertThat(host1.flowStatsRequests()).isEqualTo(before + inFlight);
    assertThat(get("/metrics").body().lines()).contains("nicflow_api_flow_stats_refused_total 1");
  }

  @Test
  void aSwitchThatDoesNotAnswerInTimeIs503AndItsRequestIsDropped() throws Exception {
    start(ApiLimits.DEFAULTS, Duration.ofMillis(300));
    host1.ignoreFlowStats(1);

    HttpResponse<String> r = get("/api/v1/hosts/host1/flows");

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(error(r)).isEqualTo("host host1 did not answer a flow statistics request within 300 ms");
    assertThat(host1.unansweredFlowStats()).singleElement().matches(CompletableFuture::isCancelled);
    assertThat(get("/metrics").body().lines()).contains("nicflow_api_flow_stats_timeouts_total 1");
  }

  @Test
  void aRequestFindingEveryWorkerBusyAndNoPlaceInTheQueueIs503AtOnceAndCounted() throws Exception {
    ApiLimits d = ApiLimits.DEFAULTS;
    CountDownLatch plansGo = new CountDownLatch(1);
    AtomicInteger planning = new AtomicInteger();
    live = plansWaitingFor(plansGo, planning);
    start(d.withWorkers(d.workers(), 0), Duration.ofSeconds(5));
    try {
      for (int i = 0; i < d.workers(); i++) {
        putLater("/api/v1/rulesets/held" + i + "?dry_run=true", ruleset("held" + i));
      }
      await().atMost(SETUP).until(() -> planning.get() == d.workers());

      HttpResponse<String> shed = get("/api/v1/vms");

      assertThat(shed.statusCode()).isEqualTo(503);
      assertThat(shed.headers().firstValue("Retry-After")).hasValue("1");
      assertThat(error(shed)).isEqualTo("the API is busy: all 4 workers are taken and 0 requests wait; try again");
      assertThat(get("/metrics").body().lines()).contains("nicflow_api_requests_shed_total 1");
    } finally {
      plansGo.countDown();
    }
  }

  @Test
  void writesWaitingForEnforcementHoldNoWorker() throws Exception {
    ApiLimits d = ApiLimits.DEFAULTS;
    start(d.withWorkers(d.workers(), 0), Duration.ofSeconds(5));
    policy.holdEnforcement();
    long before = policy.latestRevision();
    List<CompletableFuture<HttpResponse<String>>> writes = new ArrayList<>();
    for (int i = 0; i < d.workers(); i++) {
      writes.add(putLater("/api/v1/rulesets/held" + i + "?wait=enforced&timeout_s=60", ruleset("held" + i)));
    }
    await().atMost(SETUP).until(() -> policy.latestRevision() == before + d.workers());

    HttpResponse<String> vms = get("/api/v1/vms");
    HttpResponse<String> metrics = get("/metrics");

    assertThat(vms.statusCode()).isEqualTo(200);
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(writes).noneMatch(CompletableFuture::isDone);
    policy.release(policy.latestRevision());
    for (CompletableFuture<HttpResponse<String>> write : writes) {
      HttpResponse<String> r = write.get(SETUP.toSeconds(), TimeUnit.SECONDS);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
      assertThat(JSON.readTree(r.body()).get("enforced").asBoolean()).isTrue();
    }
  }

  @Test
  void aWriteBeyondTheEnforceWaitsIsRefused503UnwrittenAndAPlaceIsFreeAgainOnceAWaitEnds() throws Exception {
    start(ApiLimits.DEFAULTS.withEnforceWaits(2), Duration.ofSeconds(5));
    policy.holdEnforcement();
    long before = policy.latestRevision();
    List<CompletableFuture<HttpResponse<String>>> writes = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      writes.add(putLater("/api/v1/rulesets/held" + i + "?wait=enforced&timeout_s=60", ruleset("held" + i)));
    }
    await().atMost(SETUP).until(() -> policy.latestRevision() == before + 2);

    HttpResponse<String> refused = client.send(request("/api/v1/rulesets/extra?wait=enforced")
        .PUT(HttpRequest.BodyPublishers.ofString(ruleset("extra"))).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(error(refused)).isEqualTo("2 writes already wait for the switches to enforce them; nothing was "
        + "written; try again, or write without wait=enforced");
    assertThat(policy.latestRevision()).as("nothing written").isEqualTo(before + 2);
    assertThat(get("/metrics").body().lines()).contains("nicflow_api_enforce_waits_refused_total 1");

    policy.release(policy.latestRevision());
    for (CompletableFuture<HttpResponse<String>> write : writes) {
      assertThat(write.get(SETUP.toSeconds(), TimeUnit.SECONDS).statusCode()).isEqualTo(201);
    }
    CompletableFuture<HttpResponse<String>> again = putLater("/api/v1/rulesets/extra?wait=enforced&timeout_s=60",
        ruleset("extra"));
    await().atMost(SETUP).until(() -> policy.latestRevision() == before + 3);
    policy.release(policy.latestRevision());
    assertThat(again.get(SETUP.toSeconds(), TimeUnit.SECONDS).statusCode()).isEqualTo(201);
  }

  @Test
  void connectionsComeInPagesEachLinkingToTheNext() throws Exception {
    start(ApiLimits.DEFAULTS, Duration.ofSeconds(5));
    addConnections(5);

    List<Integer> ports = new ArrayList<>();
    Optional<String> next = Optional.of("/api/v1/connections?limit=2");
    int pages = 0;
    while (next.isPresent()) {
      HttpResponse<String> page = get(next.get());
      assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
      JSON.readTree(page.body()).forEach(c -> ports.add(c.get("original").get("src_port").asInt()));
      next = page.headers().firstValue("Link").map(ApiUnderLoadTest::nextOf);
      pages++;
    }

    assertThat(pages).isEqualTo(3);
    assertThat(ports).containsExactly(1, 2, 3, 4, 5);
  }

  @Test
  void aListingWithoutALimitGivesTheDefaultPageAndALimitOverTheMaximumIs400() throws Exception {
    start(ApiLimits.DEFAULTS.withPageSizes(3, 4), Duration.ofSeconds(5));
    addConnections(5);

    HttpResponse<String> first = get("/api/v1/connections");
    HttpResponse<String> tooMany = get("/api/v1/connections?limit=5");
    HttpResponse<String> badCursor = get("/api/v1/connections?after=x");
    HttpResponse<String> badFlowCursor = get("/api/v1/hosts/host1/flows?after=x");

    assertThat(JSON.readTree(first.body())).hasSize(3);
    assertThat(first.headers().firstValue("Link")).hasValueSatisfying(
        l -> assertThat(nextOf(l)).startsWith("/api/v1/connections?limit=3&after="));
    assertThat(tooMany.statusCode()).isEqualTo(400);
    assertThat(error(tooMany)).isEqualTo("limit must be a whole number 1-4, got '5'");
    assertThat(badCursor.statusCode()).isEqualTo(400);
    assertThat(error(badCursor)).contains("'x' is not a cursor");
    assertThat(badFlowCursor.statusCode()).isEqualTo(400);
  }

  @Test
  void hostFlowsComeInPagesThatTogetherAreTheWholeTableInOrder() throws Exception {
    start(ApiLimits.DEFAULTS, Duration.ofSeconds(5));
    JsonNode whole = JSON.readTree(get("/api/v1/hosts/host1/flows?limit=10000").body());
    assertThat(whole.has("next")).isFalse();
    int total = whole.get("flows").size();
    assertThat(total).isGreaterThan(7);

    List<JsonNode> walked = new ArrayList<>();
    String next = "/api/v1/hosts/host1/flows?limit=7";
    int pages = 0;
    while (next != null) {
      HttpResponse<String> page = get(next);
      JsonNode body = JSON.readTree(page.body());
      assertThat(body.get("flows").size()).isLessThanOrEqualTo(7);
      body.get("flows").forEach(walked::add);
      next = body.has("next") ? body.get("next").asText() : null;
      assertThat(page.headers().firstValue("Link").map(ApiUnderLoadTest::nextOf)).isEqualTo(Optional.ofNullable(next));
      pages++;
    }

    assertThat(pages).isEqualTo((total + 6) / 7);
    assertThat(walked).containsExactlyElementsOf(whole.get("flows"));
  }

  // ---- helpers ----

  private void start(ApiLimits limits, Duration switchTimeout) throws IOException {
    server = ApiServer.start("127.0.0.1", 0, new ApiSources(live == null ? policy : live, policy.writer(), partition,
        new OpenFlowStats()::snapshot, switchTimeout, Optional.empty()), limits);
  }

  /** A client on a raw socket that sends the start of a request and then nothing more. */
  private Socket trickle() throws IOException {
    Socket s = new Socket("127.0.0.1", server.port());
    sockets.add(s);
    s.setSoTimeout((int) GUARD.toMillis() * 2);
    s.getOutputStream().write("GET /api/v1/vms HTTP/1.1\r\nHost: 127.0".getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    return s;
  }

  private void addConnections(int n) {
    for (int port = 1; port <= n; port++) {
      FlowTuple t = new FlowTuple(5001, 6, WEB1, port, DB1, 5432);
      partition.connections().add(new Connection(t, t, "web1", Connection.Kind.STATEFUL));
    }
  }

  private HttpRequest.Builder request(String pathAndQuery) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery)).timeout(GUARD);
  }

  private HttpResponse<String> get(String pathAndQuery) throws Exception {
    return client.send(request(pathAndQuery).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private CompletableFuture<HttpResponse<String>> putLater(String pathAndQuery, String json) {
    return client.sendAsync(request(pathAndQuery).timeout(SETUP.multipliedBy(2))
        .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String ruleset(String name) {
    return "{\"name\": \"" + name + "\", \"layers\": [{\"name\": \"acl\", \"default\": \"deny\", \"rules\": []}]}";
  }

  /**
   * The fake policy, except that a plan (what a dry run asks) waits for {@code go}: a handler that
   * keeps its worker busy. {@code planning} counts the plans waiting.
   */
  private LivePolicy plansWaitingFor(CountDownLatch go, AtomicInteger planning) {
    return new LivePolicy() {
      @Override
      public PolicySnapshot current() {
        return policy.current();
      }

      @Override
      public CompletableFuture<Void> enforced(long revision) {
        return policy.enforced(revision);
      }

      @Override
      public UpdatePlan plan(Config next) {
        planning.incrementAndGet();
        try {
          go.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return policy.plan(next);
      }
    };
  }

  private CompletableFuture<HttpResponse<String>> getLater(String pathAndQuery) {
    return client.sendAsync(request(pathAndQuery).timeout(SETUP.multipliedBy(2)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String nextOf(String link) {
    Matcher m = LINK.matcher(link);
    assertThat(m.matches()).as(link).isTrue();
    return m.group(1);
  }

  private static String error(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body()).get("error").asText();
  }
}
