package org.nicflow.controller.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.diff.FlowDiffer;
import org.nicflow.compiler.eval.ConnectionTable;
import org.nicflow.compiler.eval.ReferenceEvaluator;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.model.MissBudget;
import org.nicflow.compiler.packet.PacketHeaders;
import org.nicflow.compiler.proactive.HostPipelineCompiler;
import org.nicflow.compiler.unified.UnifiedFlowBuilder;
import org.nicflow.controller.openflow.OpenFlowStats;
import org.nicflow.controller.openflow.packet.FrameBuilder;
import org.nicflow.controller.openflow.packet.FrameParser;
import org.nicflow.controller.partition.FakeBridge;
import org.nicflow.controller.partition.FlowReconciler;
import org.nicflow.controller.partition.HostPartition;
import org.nicflow.controller.policy.PolicySnapshot;
import org.nicflow.controller.partition.MissHandler;
import org.nicflow.controller.partition.RuleStatistics;
import org.nicflow.controller.policy.FakeLivePolicy;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFFlowRemovedReason;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/** The REST API on a real server (port 0), against a host partition fed by a fake bridge. */
class ApiServerTest {

  private static final MacAddress WEB1_MAC = MacAddress.parse("02:00:00:00:01:0b");
  private static final Ipv4 WEB1 = Ipv4.parse("10.1.0.11");
  private static final Ipv4 DB1 = Ipv4.parse("10.1.0.21");
  private static final int UNIFIED = Pipeline.number(Pipeline.UNIFIED);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private Config config;
  private HostPartition partition;
  private FakeBridge host1;
  private ApiServer server;
  private FakeLivePolicy policy;

  @BeforeEach
  void setUp() throws Exception {
    config = new ConfigLoader().load(Path.of("../examples/demo.yaml"));
    partition = new HostPartition(PolicySnapshot.of(0, config),
        new FlowReconciler(new FlowDiffer(), Duration.ofSeconds(5)), new FrameParser(), new ConnectionTable(),
        new RuleStatistics());
    host1 = new FakeBridge("host1", 1L,
        Map.of("p-web1", 1, "p-db1", 2, "host1-up", 4, "tun-host2", 5));
    partition.switchConnected(host1);
    policy = new FakeLivePolicy(config);
    server = ApiServer.start("127.0.0.1", 0,
        new ApiSources(policy, policy.writer(), partition, new OpenFlowStats()::snapshot));
  }

  @AfterEach
  void tearDown() {
    server.close();
  }

  @Test
  void listsEveryVmWithWhetherItsPortIsOnItsSwitch() throws Exception {
    JsonNode vms = getJson("/api/v1/vms", 200);

    assertThat(names(vms)).containsExactly("web1", "web2", "db1", "red1", "red2");
    JsonNode web1 = vms.get(0);
    assertThat(web1.get("host").asText()).isEqualTo("host1");
    assertThat(web1.get("port").asText()).isEqualTo("p-web1");
    assertThat(web1.get("ip").asText()).isEqualTo("10.1.0.11");
    assertThat(web1.get("mac").asText()).isEqualTo("02:00:00:00:01:0b");
    assertThat(web1.get("vnet").asText()).isEqualTo("blue");
    assertThat(web1.get("ruleset").asText()).isEqualTo("web");
    assertThat(web1.get("meter_kbps").asLong()).isEqualTo(50000);
    assertThat(web1.get("port_present").asBoolean()).isTrue();
    JsonNode red1 = vms.get(3);
    assertThat(red1.get("host_connected").asBoolean()).isTrue();
    assertThat(red1.get("port_present").asBoolean()).isFalse(); // p-red1 is not on the fake bridge
    JsonNode web2 = vms.get(1);
    assertThat(web2.get("host_connected").asBoolean()).isFalse();
    assertThat(web2.get("port_present").isNull()).isTrue();
    assertThat(web2.get("meter_kbps").isNull()).isTrue();
  }

  @Test
  void listsRuleSetsAsConfiguredWithOnlyTheKeysThatAreSet() throws Exception {
    JsonNode rulesets = getJson("/api/v1/rulesets", 200);

    assertThat(names(rulesets)).containsExactly("web", "db", "red");
    JsonNode web = rulesets.get(0);
    assertThat(names(web.get("layers"))).containsExactly("acl", "nat");
    assertThat(web.get("vms").toString()).isEqualTo("[\"web1\",\"web2\"]");
    JsonNode acl = web.get("layers").get(0);
    assertThat(acl.get("default").asText()).isEqualTo("deny");
    assertThat(JSON.writeValueAsString(acl.get("rules").get(1))).isEqualTo(
        "{\"id\":\"ssh-in\",\"priority\":90,\"direction\":\"in\",\"proto\":\"tcp\",\"src\":\"10.1.0.0/24\","
            + "\"dst_port\":\"22\",\"action\":\"allow\"}");
    JsonNode snat = web.get("layers").get(1).get("rules").get(1);
    assertThat(snat.get("action").asText()).isEqualTo("snat");
    assertThat(snat.get("to").asText()).isEqualTo("203.0.113.10");
    assertThat(acl.get("rules").get(4).get("stateful").asBoolean()).isTrue();
  }

  @Test
  void listsLoadBalancersWithTheirBackendsAddresses() throws Exception {
    JsonNode lbs = getJson("/api/v1/load_balancers", 200);

    assertThat(lbs).hasSize(1);
    JsonNode vip = lbs.get(0);
    assertThat(vip.get("name").asText()).isEqualTo("web-vip");
    assertThat(vip.get("vip").asText()).isEqualTo("203.0.113.80");
    assertThat(vip.get("proto").asText()).isEqualTo("tcp");
    assertThat(vip.get("port").asInt()).isEqualTo(80);
    assertThat(JSON.writeValueAsString(vip.get("backends"))).isEqualTo(
        "[{\"vm\":\"web1\",\"port\":8080,\"ip\":\"10.1.0.11\",\"host\":\"host1\"},"
            + "{\"vm\":\"web2\",\"port\":8080,\"ip\":\"10.1.0.12\",\"host\":\"host2\"}]");
  }

  @Test
  void reportsEachHostConnectedOrNotWithItsSwitchsPortsAndVersion() throws Exception {
    JsonNode hosts = getJson("/api/v1/hosts", 200);

    assertThat(names(hosts)).containsExactly("host1", "host2");
    JsonNode h1 = hosts.get(0);
    assertThat(h1.get("connected").asBoolean()).isTrue();
    assertThat(h1.get("dpid").asText()).isEqualTo("00:00:00:00:00:00:00:01");
    assertThat(h1.get("openflow_version").asText()).isEqualTo("1.3");
    assertThat(h1.get("ports").get("p-web1").asInt()).isEqualTo(1);
    assertThat(h1.get("switch_errors").asLong()).isZero();
    JsonNode h2 = hosts.get(1);
    assertThat(h2.get("connected").asBoolean()).isFalse();
    assertThat(h2.has("ports")).isFalse();
  }

  @Test
  void readsAHostsFlowsFromItsSwitchWithCookiesDecoded() throws Exception {
    partition.packetIn(host1, packetIn(1, webToDb(40000, 5432)));
    host1.countTraffic(UNIFIED, 7, 700);

    JsonNode answer = getJson("/api/v1/hosts/host1/flows", 200);

    assertThat(answer.get("host").asText()).isEqualTo("host1");
    List<JsonNode> flows = list(answer.get("flows"));
    assertThat(flows).hasSize(hostFlowCount());
    JsonNode forward = flows.stream()
        .filter(f -> f.get("cookie").path("kind").asText().equals("unified")
            && f.get("match").asText().contains("nw_dst=10.1.0.21"))
        .findFirst().orElseThrow();
    assertThat(forward.get("table").asText()).isEqualTo(Pipeline.UNIFIED);
    assertThat(forward.get("table_id").asInt()).isEqualTo(UNIFIED);
    assertThat(forward.get("match").asText()).startsWith("tcp,").contains("in_port=p-web1", "tp_dst=5432");
    assertThat(forward.get("actions").asText()).contains("output:p-db1");
    assertThat(forward.get("cookie").get("owner").asText()).isEqualTo("nicflow");
    assertThat(forward.get("cookie").get("vm").asText()).isEqualTo("db1");
    assertThat(forward.get("cookie").get("layer").asText()).isEqualTo("acl");
    assertThat(forward.get("cookie").get("rule").asText()).isEqualTo("pg-in");
    assertThat(forward.get("cookie").get("generation").asInt()).isEqualTo(1);
    assertThat(forward.get("packets").asLong()).isEqualTo(7);
    assertThat(forward.get("bytes").asLong()).isEqualTo(700);
    assertThat(forward.get("translated").asBoolean()).isTrue();
  }

  @Test
  void flowsAnotherProgramInstalledAreShownAsItsOwn() throws Exception {
    OFFactory f = host1.factory();
    host1.preinstall(f.buildFlowAdd().setTableId(TableId.of(0)).setPriority(7).setCookie(U64.of(0x1234))
        .setMatch(f.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(4)).build()).build());

    JsonNode flows = getJson("/api/v1/hosts/host1/flows", 200).get("flows");

    JsonNode foreign = list(flows).stream().filter(n -> n.get("priority").asInt() == 7).findFirst().orElseThrow();
    assertThat(JSON.writeValueAsString(foreign.get("cookie"))).isEqualTo("{\"value\":\"0x1234\",\"owner\":\"other\"}");
    assertThat(foreign.get("match").asText()).isEqualTo("in_port=host1-up");
  }

  @Test
  void flowsOfAHostNotInTheConfigAre404AndOfADisconnectedHostAre503() throws Exception {
    HttpResponse<String> unknown = get("/api/v1/hosts/nosuch/flows");
    HttpResponse<String> disconnected = get("/api/v1/hosts/host2/flows");

    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(error(unknown)).contains("nosuch");
    assertThat(disconnected.statusCode()).isEqualTo(503);
    assertThat(error(disconnected)).isEqualTo("host host2 is not connected");
  }

  @Test
  void vmStatsFoldRemovedFlowsPerRuleAndSumTheLiveOnes() throws Exception {
    partition.packetIn(host1, packetIn(1, webToDb(40001, 5432)));
    List<OFFlowMod> installed = host1.sentOf(OFFlowMod.class).stream()
        .filter(m -> m.getTableId().getValue() == UNIFIED && m.getCookie().getValue() != 0)
        .filter(m -> m.getIdleTimeout() > 0).toList();
    OFFlowMod first = installed.get(0);
    partition.flowRemoved(host1, host1.factory().buildFlowRemoved()
        .setTableId(first.getTableId()).setPriority(first.getPriority()).setMatch(first.getMatch())
        .setCookie(first.getCookie()).setReason(OFFlowRemovedReason.IDLE_TIMEOUT)
        .setPacketCount(U64.of(10)).setByteCount(U64.of(1000)).build());
    partition.packetIn(host1, packetIn(1, webToDb(40002, 5432)));
    host1.countTraffic(UNIFIED, 3, 300);

    JsonNode stats = getJson("/api/v1/vms/db1/stats", 200);

    assertThat(stats.get("vm").asText()).isEqualTo("db1");
    JsonNode pgIn = rule(stats.get("rules"), "acl", "pg-in");
    assertThat(pgIn.get("packets").asLong()).isEqualTo(10);
    assertThat(pgIn.get("bytes").asLong()).isEqualTo(1000);
    assertThat(pgIn.get("flows").asLong()).isEqualTo(1);
    assertThat(rule(stats.get("rules"), "acl", "default").get("packets").asLong()).isZero();
    JsonNode live = stats.get("live");
    int liveFlows = live.get("flows").asInt();
    assertThat(liveFlows).isPositive();
    assertThat(live.get("packets").asLong()).isEqualTo(3L * liveFlows);
    assertThat(live.get("bytes").asLong()).isEqualTo(300L * liveFlows);
    assertThat(rule(live.get("rules"), "acl", "pg-in").get("flows").asInt()).isEqualTo(liveFlows);
  }

  @Test
  void statsOfAnUnknownVmAre404() throws Exception {
    HttpResponse<String> r = get("/api/v1/vms/ghost/stats");

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(error(r)).isEqualTo("no VM named 'ghost'");
  }

  @Test
  void connectionsShowTheLiveConnectionTable() throws Exception {
    assertThat(getJson("/api/v1/connections", 200)).isEmpty();
    partition.packetIn(host1, packetIn(1, webToDb(40003, 5432)));

    JsonNode connections = getJson("/api/v1/connections", 200);

    assertThat(connections).hasSize(1);
    JsonNode c = connections.get(0);
    assertThat(c.get("owner_vm").asText()).isEqualTo("web1");
    assertThat(c.get("kind").asText()).isEqualTo("stateful");
    assertThat(JSON.writeValueAsString(c.get("original"))).isEqualTo(
        "{\"scope\":\"blue\",\"proto\":\"tcp\",\"src\":\"10.1.0.11\",\"src_port\":40003,"
            + "\"dst\":\"10.1.0.21\",\"dst_port\":5432}");
  }

  @Test
  void traceAnswersWithExactlyTheSpecKeys() throws Exception {
    HttpResponse<String> r = post("/api/v1/trace",
        "{\"vm\":\"web1\",\"direction\":\"out\",\"packet\":\"tcp,nw_dst=10.1.0.21,tp_dst=5432\"}");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue(ApiResponse.JSON);
    JsonNode trace = JSON.readTree(r.body());
    assertThat(fieldNames(trace)).containsExactly("verdict", "layers", "packet", "output", "flows");
    assertThat(trace.get("verdict").asText()).isEqualTo("allow");
    assertThat(fieldNames(trace.get("layers").get(0))).containsExactly("layer", "rule", "action");
    assertThat(trace.get("output").get("kind").asText()).isEqualTo("local");
    assertThat(trace.get("output").get("port").asText()).isEqualTo("p-db1");
    assertThat(trace.get("packet").get("nw_src").asText()).isEqualTo("10.1.0.11");
    assertThat(trace.get("flows")).isNotEmpty();
    assertThat(trace.get("flows").get(0).asText()).startsWith("table=" + UNIFIED + ",");
  }

  @Test
  void traceOfADeniedPacketSaysDropWithNoOutput() throws Exception {
    JsonNode trace = JSON.readTree(post("/api/v1/trace",
        "{\"vm\":\"db1\",\"direction\":\"in\",\"packet\":\"tcp,nw_src=10.1.0.11,tp_dst=9999\"}").body());

    assertThat(trace.get("verdict").asText()).isEqualTo("drop");
    assertThat(trace.get("output").isNull()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "not json",
      "[1,2]",
      "{\"direction\":\"out\",\"packet\":\"tcp,nw_dst=10.1.0.21,tp_dst=80\"}",
      "{\"vm\":\"ghost\",\"direction\":\"out\",\"packet\":\"tcp,nw_dst=10.1.0.21,tp_dst=80\"}",
      "{\"vm\":\"web1\",\"direction\":\"sideways\",\"packet\":\"tcp,nw_dst=10.1.0.21,tp_dst=80\"}",
      "{\"vm\":\"web1\",\"direction\":\"out\",\"packet\":\"tcp,nw_dst=10.1.0.21\"}",
      "{\"vm\":\"web1\",\"direction\":\"out\",\"packet\":\"sctp,nw_dst=10.1.0.21\"}",
      "{\"vm\":\"web1\",\"direction\":\"out\",\"packet\":\"tcp,nw_dst=999.1.0.21,tp_dst=80\"}",
      "{\"vm\":42,\"direction\":\"out\",\"packet\":\"tcp,nw_dst=10.1.0.21,tp_dst=80\"}",
      "{\"vm\":\"web1\",\"direction\":\"out\",\"packet\":\"tcp,nw_dst=10.1.0.21,tp_dst=80\",\"extra\":1}"})
  void traceRejectsBadInputWith400AndAMessage(String body) throws Exception {
    HttpResponse<String> r = post("/api/v1/trace", body);

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("Content-Type")).hasValue(ApiResponse.JSON);
    assertThat(error(r)).isNotBlank();
  }

  @Test
  void traceNamesWhatIsWrongWithThePacket() throws Exception {
    HttpResponse<String> r = post("/api/v1/trace",
        "{\"vm\":\"web1\",\"direction\":\"out\",\"packet\":\"tcp,nw_dst=10.1.0.21\"}");

    assertThat(error(r)).isEqualTo("bad packet 'tcp,nw_dst=10.1.0.21': tp_dst is required for tcp and udp");
  }

  @Test
  void oversizedBodyIsRefusedWith413() throws Exception {
    HttpResponse<String> r = post("/api/v1/trace", "{\"vm\":\"" + "x".repeat(ApiServer.MAX_BODY_BYTES) + "\"}");

    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(error(r)).contains("larger than");
  }

  @Test
  void unknownPathIs404InJson() throws Exception {
    HttpResponse<String> r = get("/api/v1/nothing");

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(error(r)).isEqualTo("no such resource: /api/v1/nothing");
  }

  @Test
  void wrongMethodIs405WithTheAllowedOnes() throws Exception {
    HttpResponse<String> postVms = post("/api/v1/vms", "{}");
    HttpResponse<String> getTrace = get("/api/v1/trace");

    assertThat(postVms.statusCode()).isEqualTo(405);
    assertThat(postVms.headers().firstValue("Allow")).hasValue("GET");
    assertThat(getTrace.statusCode()).isEqualTo(405);
    assertThat(getTrace.headers().firstValue("Allow")).hasValue("POST");
    assertThat(error(getTrace)).contains("GET", "/api/v1/trace");
  }

  @Test
  void metricsAreInPrometheusTextFormat() throws Exception {
    partition.packetIn(host1, packetIn(1, webToDb(40004, 5432)));
    partition.packetIn(host1, packetIn(1, webToDb(40004, 5432)));
    partition.packetIn(host1, packetIn(1, new byte[] {1, 2, 3}));
    OFFlowMod forward = host1.sentOf(OFFlowMod.class).stream()
        .filter(m -> m.getTableId().getValue() == UNIFIED && m.getIdleTimeout() > 0).findFirst().orElseThrow();
    partition.flowRemoved(host1, host1.factory().buildFlowRemoved()
        .setTableId(forward.getTableId()).setPriority(forward.getPriority()).setMatch(forward.getMatch())
        .setCookie(forward.getCookie()).setReason(OFFlowRemovedReason.IDLE_TIMEOUT)
        .setPacketCount(U64.of(12)).setByteCount(U64.of(3400)).build());

    HttpResponse<String> r = get("/metrics");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
    Pattern comment = Pattern.compile("# (HELP [a-z_]+ .+|TYPE [a-z_]+ (counter|gauge))");
    Pattern sample = Pattern.compile("[a-z_]+(\\{([a-z_]+=\"[^\"]*\",?)+\\})? \\d+");
    List<String> lines = r.body().lines().toList();
    assertThat(lines).allMatch(l -> comment.matcher(l).matches() || sample.matcher(l).matches());
    assertThat(lines).contains(
        "nicflow_packet_ins_total 3",
        "nicflow_offloads_total 1",
        "nicflow_duplicate_misses_total 1",
        "nicflow_malformed_frames_total 1",
        "nicflow_denied_misses_total 0",
        "nicflow_switch_errors_total 0",
        "nicflow_connected_switches 1",
        "nicflow_connections 1",
        "# TYPE nicflow_flow_mods_total counter",
        "# TYPE nicflow_packet_outs_total counter",
        "nicflow_openflow_write_pauses_total 0",
        "nicflow_openflow_packet_outs_shed_total 0",
        "nicflow_openflow_outbound_overflow_closes_total 0",
        "nicflow_openflow_dpid_takeovers_total 0",
        "nicflow_rule_packets_total{vm=\"db1\",layer=\"acl\",rule=\"pg-in\"} 12",
        "nicflow_rule_bytes_total{vm=\"db1\",layer=\"acl\",rule=\"pg-in\"} 3400");
    // Every sample's metric family is declared once, before its samples.
    List<String> declared = new ArrayList<>();
    for (String l : lines) {
      if (l.startsWith("# TYPE ")) {
        String name = l.split(" ")[2];
        assertThat(declared).doesNotContain(name);
        declared.add(name);
      } else if (!l.startsWith("#")) {
        assertThat(declared).contains(l.split("[{ ]")[0]);
      }
    }
  }

  /**
   * Serves the API again over a partition of {@code policy} (a clock that stands at 0) with host1
   * connected, in place of the one {@link #setUp} made; the partition, for the test to feed.
   */
  private HostPartition serveWith(Config policy) throws java.io.IOException {
    HostPartition fresh = new HostPartition(PolicySnapshot.of(0, policy),
        new FlowReconciler(new FlowDiffer(), Duration.ofSeconds(5)), new FrameParser(), new ConnectionTable(),
        new RuleStatistics(), () -> 0L);
    fresh.switchConnected(host1);
    server.close();
    FakeLivePolicy live = new FakeLivePolicy(policy);
    server = ApiServer.start("127.0.0.1", 0,
        new ApiSources(live, live.writer(), fresh, new OpenFlowStats()::snapshot));
    return fresh;
  }

  @Test
  void missesOverAVmsBudgetShowInItsStatsAndInTheMetricsByVm() throws Exception {
    Config tight = new Config(config.controller().withMissBudget(new MissBudget(5, 3)), config.hosts(),
        config.vnets(), config.vms(), config.rulesets(), config.loadBalancers(), config.ids());
    HostPartition budgeted = serveWith(tight);
    for (int i = 0; i < 10; i++) {
      budgeted.packetIn(host1, packetIn(1, webToDb(41000 + i, 5432)));
    }

    JsonNode web1 = getJson("/api/v1/vms/web1/stats", 200).get("miss_budget");
    JsonNode db1 = getJson("/api/v1/vms/db1/stats", 200).get("miss_budget");
    List<String> metrics = get("/metrics").body().lines().toList();

    assertThat(web1.get("rate_pps").asLong()).isEqualTo(5);
    assertThat(web1.get("burst").asLong()).isEqualTo(3);
    assertThat(web1.get("over_budget").asLong()).as("10 sent, twice the burst taken").isEqualTo(4);
    assertThat(db1.get("over_budget").asLong()).isZero();
    assertThat(metrics).contains("# TYPE nicflow_vm_misses_over_budget_total counter",
        "nicflow_vm_misses_over_budget_total{vm=\"web1\"} 4", "nicflow_vm_misses_over_budget_total{vm=\"db1\"} 0");
  }

  @Test
  void aVmsFlowBudgetAndItsRefusalsShowInItsStatsAndInTheMetrics() throws Exception {
    java.util.List<org.nicflow.compiler.model.Vm> vms = config.vms().stream().map(v -> !v.name().equals("web1") ? v
        : new org.nicflow.compiler.model.Vm(v.name(), v.host(), v.port(), v.mac(), v.ip(), v.vnet(), v.ruleset(),
            v.meterKbps(), v.missRatePps(), v.missBurst(), java.util.OptionalLong.of(1))).toList();
    Config tight = new Config(config.controller(), config.hosts(), config.vnets(), vms, config.rulesets(),
        config.loadBalancers(), config.ids());
    HostPartition budgeted = serveWith(tight);
    budgeted.packetIn(host1, packetIn(1, webToDb(41100, 5432))); // two flows, over web1's max_flows of 1

    JsonNode web1 = getJson("/api/v1/vms/web1/stats", 200).get("flow_budget");
    List<String> metrics = get("/metrics").body().lines().toList();

    assertThat(web1.get("flows").asLong()).isZero();
    assertThat(web1.get("max_flows").asLong()).isEqualTo(1);
    assertThat(web1.get("host_max_flows").asLong()).isEqualTo(262144);
    assertThat(web1.get("flowless").asLong()).isEqualTo(1);
    assertThat(web1.get("refused").get("vm_limit").asLong()).isEqualTo(1);
    assertThat(web1.get("refused").get("table_full").asLong()).isZero();
    assertThat(metrics).contains("# TYPE nicflow_vm_flows_refused_total counter",
        "nicflow_vm_flows_refused_total{vm=\"web1\",reason=\"vm_limit\"} 1",
        "# TYPE nicflow_vm_flows_evicted_total counter");
  }

  @Test
  void aVmsUsedUpSnatShareShowsInItsStatsAndInTheMetricsByVm() throws Exception {
    List<org.nicflow.compiler.model.Vm> vms = config.vms().stream().map(v -> !v.name().equals("web1") ? v
        : new org.nicflow.compiler.model.Vm(v.name(), v.host(), v.port(), v.mac(), v.ip(), v.vnet(), v.ruleset(),
            v.meterKbps(), v.missRatePps(), v.missBurst(), java.util.OptionalInt.of(1))).toList();
    Config oneEach = new Config(config.controller(), config.hosts(), config.vnets(), vms, config.rulesets(),
        config.loadBalancers());
    HostPartition snat = serveWith(oneEach);
    for (int i = 0; i < 3; i++) {
      snat.packetIn(host1, packetIn(1, FrameBuilder.ipv4(PacketHeaders.tcp(WEB1_MAC, MacAddress.DEFAULT_GATEWAY,
          Ipv4.parse("10.1.0.11"), Ipv4.parse("198.51.100.7"), 42000 + i, 443)).build()));
    }

    JsonNode web1 = getJson("/api/v1/vms/web1/stats", 200).get("snat");
    JsonNode web2 = getJson("/api/v1/vms/web2/stats", 200).get("snat");
    JsonNode db1 = getJson("/api/v1/vms/db1/stats", 200).get("snat");
    List<String> metrics = get("/metrics").body().lines().toList();

    assertThat(web1.get("exhausted").asLong()).as("one port: the second and third connections dropped").isEqualTo(2);
    assertThat(web1.get("shares")).singleElement().satisfies(share -> {
      assertThat(share.get("address").asText()).isEqualTo("203.0.113.10");
      assertThat(share.get("ports").asText()).isEqualTo("1024-1024");
      assertThat(share.get("query_ids").asText()).isEqualTo("0-0");
    });
    assertThat(web2.get("shares").get(0).get("ports").asText()).isEqualTo("1025-65535");
    assertThat(web2.get("exhausted").asLong()).isZero();
    assertThat(db1.get("shares")).as("db1 does not SNAT").isEmpty();
    assertThat(metrics).contains("# TYPE nicflow_vm_snat_exhausted_total counter",
        "nicflow_vm_snat_exhausted_total{vm=\"web1\"} 2", "nicflow_vm_snat_exhausted_total{vm=\"web2\"} 0");
  }

  @Test
  void labelValuesAreEscaped() {
    assertThat(MetricsExposition.label("a\"b\\c\nd")).isEqualTo("a\\\"b\\\\c\\nd");
  }

  private static final String U64_MAX = "18446744073709551615";

  @Test
  void removedFlowCountersAboveLongMaxShowUnsignedInMetricsAndVmStats() throws Exception {
    partition.packetIn(host1, packetIn(1, webToDb(40005, 5432)));
    OFFlowMod forward = reactiveUnifiedFlows().get(0);
    expire(forward, -1L, Long.MIN_VALUE); // 2^64-1 packets, 2^63 bytes

    List<String> lines = get("/metrics").body().lines().toList();
    JsonNode pgIn = rule(getJson("/api/v1/vms/db1/stats", 200).get("rules"), "acl", "pg-in");

    assertThat(lines).contains(
        "nicflow_rule_packets_total{vm=\"db1\",layer=\"acl\",rule=\"pg-in\"} " + U64_MAX,
        "nicflow_rule_bytes_total{vm=\"db1\",layer=\"acl\",rule=\"pg-in\"} 9223372036854775808");
    assertThat(pgIn.get("packets").isIntegralNumber()).isTrue();
    assertThat(pgIn.get("packets").asText()).isEqualTo(U64_MAX);
    assertThat(pgIn.get("bytes").asText()).isEqualTo("9223372036854775808");
  }

  @Test
  void ruleTotalsStopAtTheLargestCounterInsteadOfWrapping() throws Exception {
    partition.packetIn(host1, packetIn(1, webToDb(40006, 5432)));
    OFFlowMod forward = reactiveUnifiedFlows().get(0);
    expire(forward, -2L, 100);
    expire(forward, 5, 100);

    List<String> lines = get("/metrics").body().lines().toList();

    assertThat(lines).contains("nicflow_rule_packets_total{vm=\"db1\",layer=\"acl\",rule=\"pg-in\"} " + U64_MAX,
        "nicflow_rule_bytes_total{vm=\"db1\",layer=\"acl\",rule=\"pg-in\"} 200",
        "nicflow_rule_flows_total{vm=\"db1\",layer=\"acl\",rule=\"pg-in\"} 2");
  }

  @Test
  void liveFlowCountersAreUnsignedPerFlowAndTheirSumsStopAtTheLargestCounter() throws Exception {
    partition.packetIn(host1, packetIn(1, webToDb(40007, 5432)));
    host1.countTraffic(UNIFIED, -1L, Long.MIN_VALUE);

    JsonNode flows = getJson("/api/v1/hosts/host1/flows", 200).get("flows");
    JsonNode live = getJson("/api/v1/vms/db1/stats", 200).get("live");

    JsonNode forward = list(flows).stream()
        .filter(f -> f.get("cookie").path("kind").asText().equals("unified")
            && f.get("match").asText().contains("nw_dst=10.1.0.21"))
        .findFirst().orElseThrow();
    assertThat(forward.get("packets").asText()).isEqualTo(U64_MAX);
    assertThat(forward.get("bytes").asText()).isEqualTo("9223372036854775808");
    assertThat(live.get("flows").asInt()).isGreaterThan(1);
    assertThat(live.get("packets").asText()).isEqualTo(U64_MAX);
    assertThat(live.get("bytes").asText()).isEqualTo(U64_MAX);
    assertThat(rule(live.get("rules"), "acl", "pg-in").get("packets").asText()).isEqualTo(U64_MAX);
  }

  // ---- helpers ----

  private List<OFFlowMod> reactiveUnifiedFlows() {
    return host1.sentOf(OFFlowMod.class).stream()
        .filter(m -> m.getTableId().getValue() == UNIFIED && m.getCookie().getValue() != 0)
        .filter(m -> m.getIdleTimeout() > 0).toList();
  }

  /** The switch reports {@code flow} removed after {@code packets} and {@code bytes} (unsigned on the wire). */
  private void expire(OFFlowMod flow, long packets, long bytes) {
    partition.flowRemoved(host1, host1.factory().buildFlowRemoved()
        .setTableId(flow.getTableId()).setPriority(flow.getPriority()).setMatch(flow.getMatch())
        .setCookie(flow.getCookie()).setReason(OFFlowRemovedReason.IDLE_TIMEOUT)
        .setPacketCount(U64.of(packets)).setByteCount(U64.of(bytes)).build());
  }

  private int hostFlowCount() throws Exception {
    return host1.flowStats().get().size();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return client.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode getJson(String path, int status) throws Exception {
    HttpResponse<String> r = get(path);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type")).hasValue(ApiResponse.JSON);
    return JSON.readTree(r.body());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  private static String error(HttpResponse<String> r) throws Exception {
    JsonNode body = JSON.readTree(r.body());
    assertThat(fieldNames(body)).containsExactly("error");
    return body.get("error").asText();
  }

  private static List<String> names(JsonNode array) {
    return list(array).stream().map(n -> n.get("name").asText()).toList();
  }

  private static List<JsonNode> list(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).toList();
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static JsonNode rule(JsonNode rules, String layer, String rule) {
    return list(rules).stream()
        .filter(r -> r.get("layer").asText().equals(layer) && r.get("rule").asText().equals(rule))
        .findFirst().orElseThrow(() -> new AssertionError("no " + layer + "/" + rule + " in " + rules));
  }

  private static byte[] webToDb(int sport, int dport) {
    return FrameBuilder.ipv4(PacketHeaders.tcp(WEB1_MAC, MacAddress.DEFAULT_GATEWAY, WEB1, DB1, sport, dport))
        .build();
  }

  private OFPacketIn packetIn(int port, byte[] frame) {
    return host1.packetIn(port, frame);
  }
}
