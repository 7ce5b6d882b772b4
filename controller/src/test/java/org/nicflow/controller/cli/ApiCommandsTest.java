package org.nicflow.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nicflow.compiler.eval.Connection;
import org.nicflow.compiler.eval.FlowTuple;
import org.nicflow.compiler.model.ApiLimits;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.controller.api.DemoApi;

/** {@code nicflow get}, {@code apply} and {@code delete} against a real API server. */
class ApiCommandsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String DEMO = DemoApi.DEMO.toString();

  @TempDir
  Path dir;

  private DemoApi api;
  private String out;
  private String err;

  @BeforeEach
  void setUp() throws Exception {
    api = DemoApi.start();
  }

  @AfterEach
  void tearDown() {
    api.close();
  }

  private int run(String... args) {
    CliRun run = CliRun.of(args);
    out = run.out();
    err = run.err();
    return run.code();
  }

  private int runAgainstApi(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--api");
    all.add(api.address());
    return run(all.toArray(String[]::new));
  }

  // ---------------------------------------------------------------- get

  @Test
  void getPrintsTheApisDocument() throws Exception {
    assertThat(runAgainstApi("get", "vms")).isEqualTo(NicflowCli.EXIT_OK);
    JsonNode vms = JSON.readTree(out);
    assertThat(vms).hasSize(5);
    assertThat(err).isEmpty();

    assertThat(runAgainstApi("get", "config")).isEqualTo(NicflowCli.EXIT_OK);
    assertThat(JSON.readTree(out).get("revision").asLong()).isEqualTo(1);
  }

  @Test
  void getWithANamePrintsOneElement() throws Exception {
    assertThat(runAgainstApi("get", "rulesets", "db")).isEqualTo(NicflowCli.EXIT_OK);
    assertThat(JSON.readTree(out).get("name").asText()).isEqualTo("db");

    assertThat(runAgainstApi("get", "hosts", "host2")).isEqualTo(NicflowCli.EXIT_OK);
    assertThat(JSON.readTree(out).get("connected").asBoolean()).isFalse();
  }

  @Test
  void getConnectionsFollowsEveryPageIntoOneListAndLimitBoundsIt() throws Exception {
    api.close();
    api = DemoApi.start(ApiLimits.DEFAULTS.withPageSizes(2, 2));
    addConnections(5);

    assertThat(runAgainstApi("get", "connections")).as(err).isEqualTo(NicflowCli.EXIT_OK);
    JsonNode all = JSON.readTree(out);
    assertThat(all).extracting(c -> c.get("original").get("src_port").asInt()).containsExactly(1, 2, 3, 4, 5);
    String firstPage = api.get("/api/v1/connections").body();
    assertThat(out).as("the API's layout, the first page as the API wrote it")
        .isEqualTo(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(all) + "\n")
        .startsWith(firstPage.substring(0, firstPage.lastIndexOf(" ]")));

    assertThat(runAgainstApi("get", "connections", "--limit", "3")).as(err).isEqualTo(NicflowCli.EXIT_OK);
    assertThat(JSON.readTree(out)).extracting(c -> c.get("original").get("src_port").asInt())
        .containsExactly(1, 2, 3);
    assertThat(runAgainstApi("get", "connections", "--limit", "2")).isEqualTo(NicflowCli.EXIT_OK);
    assertThat(JSON.readTree(out)).hasSize(2);
  }

  @Test
  void getConnectionsOfAnEmptyTableIsAnEmptyListAndLimitGoesOnlyWithConnections() throws Exception {
    assertThat(runAgainstApi("get", "connections")).isEqualTo(NicflowCli.EXIT_OK);
    assertThat(out).isEqualTo("[ ]\n");

    assertThat(runAgainstApi("get", "connections", "--limit", "0")).isEqualTo(NicflowCli.EXIT_BAD_INPUT);
    assertThat(err).contains("--limit must be at least 1, got 0");
    assertThat(runAgainstApi("get", "vms", "--limit", "3")).isEqualTo(NicflowCli.EXIT_BAD_INPUT);
    assertThat(err).contains("--limit goes only with connections");
  }

  private void addConnections(int n) {
    Ipv4 web1 = Ipv4.parse("10.1.0.11");
    Ipv4 db1 = Ipv4.parse("10.1.0.21");
    for (int port = 1; port <= n; port++) {
      FlowTuple t = new FlowTuple(5001, 6, web1, port, db1, 5432);
      api.partition().connections().add(new Connection(t, t, "web1", Connection.Kind.STATEFUL));
    }
  }

  @Test
  void getOfAnUnknownNameExitsTwoNamingTheUrl() {
    assertThat(runAgainstApi("get", "vms", "ghost")).isEqualTo(NicflowCli.EXIT_BAD_INPUT);
    assertThat(err).isEqualTo("error: GET http://" + api.address() + "/api/v1/vms/ghost: 404: "
        + "no VM named 'ghost'\n");
    assertThat(out).isEmpty();

    assertThat(runAgainstApi("get", "hosts", "ghost")).isEqualTo(NicflowCli.EXIT_BAD_INPUT);
    assertThat(runAgainstApi("get", "connections", "x")).isEqualTo(NicflowCli.EXIT_BAD_INPUT);
    assertThat(err).contains("connections has no elements to name");
  }

  @Test
  void aNameThatCannotBeOneIsBadInputAndNeverSent() {
    assertThat(runAgainstApi("get", "vms", "web1/stats")).isEqualTo(NicflowCli.EXIT_BAD_INPUT);
    assertThat(err).isEqualTo("error: 'web1/stats' is not a name (1-63 of A-Z a-z 0-9 _ . -, starting with a letter "
        + "or digit)\n");
    assertThat(runAgainstApi("delete", "vm", "../config")).isEqualTo(NicflowCli.EXIT_BAD_INPUT);
    assertThat(api.policy().latestRevision()).isEqualTo(1);
  }

  @Test
  void anUnreachableControllerExitsOneNamingTheUrl() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    assertThat(run("get", "vms", "--api", "127.0.0.1:" + port)).isEqualTo(NicflowCli.EXIT_FAILURE);
    assertThat(err).startsWith("error: cannot reach the nicflow API at http://127.0.0.1:" + port
        + "/api/v1/vms");
  }

  @Test
  void theTokenFileIsSentAsABearerToken() throws Exception {
    Path token = Files.writeString(dir.resolve("api.token"), "tok-123456\n");
    try (DemoApi remote = DemoApi.start("0.0.0.0", Optional.of("tok-123456"))) {
      assertThat(run("get", "vms", "--api", remote.address())).isEqualTo(NicflowCli.EXIT_BAD_INPUT);
      assertThat(err).contains(": 401: this API needs 'Authorization: Bearer <token>'");

      assertThat(run("get", "vms", "--api", remote.address(), "--token-file", token.toString()))
          .isEqualTo(NicflowCli.EXIT_OK);
    }
    assertThat(run("get", "vms", "--api", api.address(), "--token-file", dir.resolve("none").toString()))
        .isEqualTo(NicflowCli.EXIT_BAD_INPUT);
    assertThat(err).contains("no token file");
  }

  // ---------------------------------------------------------------- apply

  @Test
  void applyingTheRunningConfigChangesNothing() {
    assertThat(runAgainstApi("apply", "-c", DEMO)).isEqualTo(NicflowCli.EXIT_OK);
    assertThat(out).isEqualTo("revision 1 (unchanged)\n");
  }

  @Test
  void applyingAnEditedFileMakesTheNextRevision() throws Exception {
    Path edited = edited("ip: 10.1.0.21,", "ip: 10.1.0.22,");

    assertThat(runAgainstApi("apply", "-c", edited.toString(), "--wait")).isEqualTo(NicflowCli.EXIT_OK);

    assertThat(out).isEqualTo("revision 2 (enforced)\n");
    assertThat(api.policy().current().config().vm("db1").orElseThrow().ip().toString()).isEqualTo("10.1.0.22");
  }

  @Test
  void anInvalidFileIsRejectedLocallyLikeValidate() throws Exception {
    Path bad = edited("vni: 5002", "vni: 5001");
    assertThat(run("validate", "-c", bad.toString())).isEqualTo(NicflowCli.EXIT_BAD_INPUT);
    String validateErrors = err;

    assertThat(runAgainstApi("apply", "-c", bad.toString())).isEqualTo(NicflowCli.EXIT_BAD_INPUT);

    assertThat(err).isEqualTo(validateErrors).contains("vnets[1].vni: duplicate VNI 5001");
    assertThat(out).isEmpty();
    assertThat(api.policy().latestRevision()).isEqualTo(1);
  }

  @Test
  void aDryRunPrintsThePlanPerHostAndCommitsNothing() throws Exception {
    Path edited = edited("ip: 10.1.0.21,", "ip: 10.1.0.22,");

    assertThat(runAgainstApi("apply", "-c", edited.toString(), "--dry-run")).isEqualTo(NicflowCli.EXIT_OK);

    List<String> lines = out.lines().toList();
    assertThat(lines.get(0)).matches("host1: \\+\\d+ ~\\d+ -\\d+ flows, 0 connections would end \\(not connected\\)");
    assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("+ ").contains("10.1.0.22"));
    assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("- ").contains("10.1.0.21"));
    assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("host2: "));
    assertThat(api.policy().latestRevision()).isEqualTo(1);
  }

  @Test
  void aStaleIfMatchExitsTwoAndChangesNothing() throws Exception {
    Path edited = edited("ip: 10.1.0.21,", "ip: 10.1.0.22,");

    assertThat(runAgainstApi("apply", "-c", edited.toString(), "--if-match", "7")).isEqualTo(NicflowCli.EXIT_BAD_INPUT);

    assertThat(err).startsWith("error: PUT http://" + api.address() + "/api/v1/config: 409: "
        + "If-Match revision 7 is stale: the policy is at revision 1");
    assertThat(api.policy().latestRevision()).isEqualTo(1);
  }

  // ---------------------------------------------------------------- delete

  @Test
  void deleteRemovesAnElement() {
    assertThat(runAgainstApi("delete", "vm", "red2", "--if-match", "1")).isEqualTo(NicflowCli.EXIT_OK);

    assertThat(out).isEqualTo("revision 2\n");
    assertThat(api.policy().current().config().vm("red2")).isEmpty();
  }

  @Test
  void deletingARuleSetInUseExitsTwoNamingTheVms() {
    assertThat(runAgainstApi("delete", "ruleset", "web")).isEqualTo(NicflowCli.EXIT_BAD_INPUT);

    assertThat(err).startsWith("error: DELETE http://" + api.address() + "/api/v1/rulesets/web: 400: "
        + "cannot delete rule set 'web': VMs web1, web2 use it")
        .contains("\n  vms[0].ruleset: no rule set named 'web' (known: db, red)\n"
            + "  vms[1].ruleset: no rule set named 'web' (known: db, red)\n");
    assertThat(api.policy().latestRevision()).isEqualTo(1);
  }

  // ---------------------------------------------------------------- one trace path

  @Test
  void theCliAndTheApiTraceAPacketAlike() throws Exception {
    List<String[]> packets = List.of(
        new String[] {"web1", "out", "tcp,nw_dst=10.1.0.21,tp_dst=5432"},
        new String[] {"red1", "out", "tcp,nw_dst=10.1.0.12,tp_dst=80"},
        new String[] {"db1", "in", "tcp,nw_src=10.1.0.11,tp_dst=9999"},
        new String[] {"web1", "out", "udp,nw_dst=198.51.100.7,tp_dst=53"},
        new String[] {"web1", "in", "tcp,nw_src=198.51.100.7,nw_dst=203.0.113.80,tp_dst=80"});
    for (String[] p : packets) {
      assertThat(run("trace", "-c", DEMO, "--vm", p[0], "--direction", p[1], p[2], "--json"))
          .isEqualTo(NicflowCli.EXIT_OK);
      JsonNode cli = JSON.readTree(out);
      String body = JSON.writeValueAsString(java.util.Map.of("vm", p[0], "direction", p[1], "packet", p[2]));
      JsonNode rest = JSON.readTree(api.send(api.request("/api/v1/trace")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build()).body());

      assertThat(rest).as(String.join(" ", p)).isEqualTo(cli);
      assertThat(rest.get("flows")).isNotEmpty();
    }
  }

  private Path edited(String from, String to) throws Exception {
    String text = Files.readString(DemoApi.DEMO);
    assertThat(text).contains(from);
    return Files.writeString(dir.resolve("edited.yaml"), text.replaceFirst(java.util.regex.Pattern.quote(from), to));
  }
}
