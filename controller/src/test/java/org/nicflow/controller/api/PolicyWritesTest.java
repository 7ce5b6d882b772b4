package org.nicflow.controller.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The write endpoints on a real server over the demo config (revision 1). */
class PolicyWritesTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String WEB3 = "{\"host\": \"host2\", \"port\": \"p-web3\", \"mac\": \"02:00:00:00:01:0d\", "
      + "\"ip\": \"10.1.0.13\", \"vnet\": \"blue\", \"ruleset\": \"web\"}";
  private static final String CACHE = "{\"name\": \"cache\", \"layers\": [{\"name\": \"acl\", \"default\": \"deny\", "
      + "\"rules\": [{\"id\": \"redis-in\", \"priority\": 100, \"direction\": \"in\", \"proto\": \"tcp\", "
      + "\"dst_port\": 6379, \"action\": \"allow\"}]}]}";

  private DemoApi api;

  @BeforeEach
  void setUp() throws Exception {
    api = DemoApi.start();
  }

  @AfterEach
  void tearDown() {
    api.close();
  }

  // ---------------------------------------------------------------- reads

  @Test
  void configIsTheWholeDocumentWithItsRevision() throws Exception {
    HttpResponse<String> r = api.get("/api/v1/config");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("ETag")).hasValue("\"1\"");
    JsonNode doc = JSON.readTree(r.body());
    assertThat(fieldNames(doc)).containsExactly("revision", "controller", "hosts", "vnets", "vms", "rulesets",
        "load_balancers");
    assertThat(doc.get("revision").asLong()).isEqualTo(1);
    assertThat(doc.get("vms")).hasSize(5);
    assertThat(doc.get("hosts").get(0).get("dpid").asText()).isEqualTo("0000000000000001");
  }

  @Test
  void everyReadCarriesTheRevisionInForce() throws Exception {
    for (String path : List.of("/api/v1/vms", "/api/v1/rulesets", "/api/v1/load_balancers", "/api/v1/hosts",
        "/api/v1/connections", "/api/v1/vms/web1", "/api/v1/rulesets/web", "/api/v1/load_balancers/web-vip")) {
      HttpResponse<String> r = api.get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(200);
      assertThat(r.headers().firstValue("ETag")).as(path).hasValue("\"1\"");
    }
  }

  @Test
  void oneElementOfEachKindCanBeRead() throws Exception {
    assertThat(JSON.readTree(api.get("/api/v1/vms/db1").body()).get("ip").asText()).isEqualTo("10.1.0.21");
    assertThat(JSON.readTree(api.get("/api/v1/rulesets/db").body()).get("vms").toString()).isEqualTo("[\"db1\"]");
    assertThat(JSON.readTree(api.get("/api/v1/load_balancers/web-vip").body()).get("port").asInt()).isEqualTo(80);
    assertThat(api.get("/api/v1/vms/ghost").statusCode()).isEqualTo(404);
    assertThat(api.get("/api/v1/rulesets/ghost").statusCode()).isEqualTo(404);
    assertThat(api.get("/api/v1/load_balancers/ghost").statusCode()).isEqualTo(404);
  }

  // ---------------------------------------------------------------- round trips

  @Test
  void puttingANewVmCreatesRevisionTwoThatTheNextReadSees() throws Exception {
    HttpResponse<String> r = api.put("/api/v1/vms/web3", WEB3);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    assertThat(r.headers().firstValue("ETag")).hasValue("\"2\"");
    assertThat(JSON.readTree(r.body()).toString()).isEqualTo("{\"revision\":2,\"changed\":true}");
    HttpResponse<String> read = api.get("/api/v1/vms/web3");
    assertThat(read.headers().firstValue("ETag")).hasValue("\"2\"");
    assertThat(JSON.readTree(read.body()).get("port").asText()).isEqualTo("p-web3");
    assertThat(api.policy().latestRevision()).isEqualTo(2);
  }

  @Test
  void puttingAnExistingVmReplacesItInPlace() throws Exception {
    HttpResponse<String> r = api.put("/api/v1/vms/db1", "{\"name\": \"db1\", \"host\": \"host1\", \"port\": \"p-db1\", "
        + "\"mac\": \"02:00:00:00:01:15\", \"ip\": \"10.1.0.22\", \"vnet\": \"blue\", \"ruleset\": \"db\"}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(JSON.readTree(r.body()).get("changed").asBoolean()).isTrue();
    assertThat(names(JSON.readTree(api.get("/api/v1/vms").body()))).containsExactly("web1", "web2", "db1", "red1", "red2");
    assertThat(JSON.readTree(api.get("/api/v1/vms/db1").body()).get("ip").asText()).isEqualTo("10.1.0.22");
  }

  @Test
  void puttingWhatIsAlreadyThereChangesNothing() throws Exception {
    HttpResponse<String> r = api.put("/api/v1/vms/db1", "{\"host\": \"host1\", \"port\": \"p-db1\", "
        + "\"mac\": \"02:00:00:00:01:15\", \"ip\": \"10.1.0.21\", \"vnet\": \"blue\", \"ruleset\": \"db\"}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(JSON.readTree(r.body()).toString()).isEqualTo("{\"revision\":1,\"changed\":false}");
    assertThat(api.policy().latestRevision()).isEqualTo(1);
  }

  @Test
  void deletingAVmRemovesIt() throws Exception {
    HttpResponse<String> r = api.delete("/api/v1/vms/red2");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(JSON.readTree(r.body()).get("revision").asLong()).isEqualTo(2);
    assertThat(api.get("/api/v1/vms/red2").statusCode()).isEqualTo(404);
  }

  @Test
  void aRuleSetCanBeCreatedUsedAndDeleted() throws Exception {
    assertThat(api.put("/api/v1/rulesets/cache", CACHE).statusCode()).isEqualTo(201);
    JsonNode cache = JSON.readTree(api.get("/api/v1/rulesets/cache").body());
    assertThat(cache.get("layers").get(0).get("rules").get(0).get("dst_port").asText()).isEqualTo("6379");

    HttpResponse<String> replaced = api.put("/api/v1/rulesets/cache", CACHE.replace("6379", "6380"));
    assertThat(replaced.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(replaced.body()).get("revision").asLong()).isEqualTo(3);

    HttpResponse<String> deleted = api.delete("/api/v1/rulesets/cache");
    assertThat(deleted.statusCode()).isEqualTo(200);
    assertThat(api.get("/api/v1/rulesets/cache").statusCode()).isEqualTo(404);
    assertThat(api.policy().latestRevision()).isEqualTo(4);
  }

  @Test
  void aLoadBalancerCanBeCreatedAndDeleted() throws Exception {
    HttpResponse<String> created = api.put("/api/v1/load_balancers/db-vip",
        "{\"vip\": \"203.0.113.81\", \"proto\": \"tcp\", \"port\": 5432, \"backends\": [\"db1:5432\"]}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertThat(JSON.readTree(api.get("/api/v1/load_balancers/db-vip").body()).get("backends").get(0).get("vm")
        .asText()).isEqualTo("db1");

    assertThat(api.delete("/api/v1/load_balancers/db-vip").statusCode()).isEqualTo(200);
    assertThat(api.get("/api/v1/load_balancers/db-vip").statusCode()).isEqualTo(404);
  }

  @Test
  void putConfigReplacesTheWholeConfig() throws Exception {
    ObjectNode doc = (ObjectNode) JSON.readTree(api.get("/api/v1/config").body());
    ((ObjectNode) doc.get("vms").get(2)).put("ip", "10.1.0.23");

    HttpResponse<String> r = api.put("/api/v1/config", doc.toString());

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(JSON.readTree(r.body()).get("revision").asLong()).isEqualTo(2);
    assertThat(JSON.readTree(api.get("/api/v1/vms/db1").body()).get("ip").asText()).isEqualTo("10.1.0.23");
  }

  @Test
  void theRevisionInAPutConfigBodyActsAsIfMatch() throws Exception {
    String read = api.get("/api/v1/config").body();
    assertThat(api.put("/api/v1/vms/web3", WEB3).statusCode()).isEqualTo(201);

    HttpResponse<String> r = api.put("/api/v1/config", read);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
    assertThat(api.policy().latestRevision()).isEqualTo(2);
  }

  @Test
  void anIfMatchThatDisagreesWithTheBodysRevisionIs400() throws Exception {
    String read = api.get("/api/v1/config").body();

    HttpResponse<String> r = api.put("/api/v1/config", read, "If-Match", "2");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(error(r)).isEqualTo("If-Match 2 and the body's revision 1 disagree");
    assertUnchanged();
  }

  @Test
  void readsTakeNoQueryParameters() throws Exception {
    HttpResponse<String> r = api.get("/api/v1/vms?limit=3");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(error(r)).isEqualTo("unknown query parameter 'limit' (GET /api/v1/vms takes none)");
  }

  @Test
  void aTraceSeesTheNewRevision() throws Exception {
    String body = "{\"vm\": \"db1\", \"direction\": \"in\", \"packet\": \"tcp,nw_src=10.1.0.11,tp_dst=6379\"}";
    HttpRequest trace = api.request("/api/v1/trace").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    assertThat(JSON.readTree(api.send(trace).body()).get("verdict").asText()).isEqualTo("drop");

    ObjectNode db = (ObjectNode) JSON.readTree(CACHE);
    db.put("name", "db");
    assertThat(api.put("/api/v1/rulesets/db", db.toString()).statusCode()).isEqualTo(200);

    HttpResponse<String> after = api.send(trace);
    assertThat(after.headers().firstValue("ETag")).hasValue("\"2\"");
    assertThat(JSON.readTree(after.body()).get("verdict").asText()).isEqualTo("allow");
  }

  // ---------------------------------------------------------------- validation

  @Test
  void anInvalidRuleNamesItsPathInsideTheBody() throws Exception {
    String bad = "{\"layers\": [{\"name\": \"acl\", \"default\": \"deny\", \"rules\": ["
        + "{\"id\": \"a\", \"priority\": 10, \"action\": \"allow\"},"
        + "{\"id\": \"b\", \"priority\": 20, \"proto\": \"tcp\", \"dst_port\": 70000, \"action\": \"allow\"}]}]}";

    HttpResponse<String> r = api.put("/api/v1/rulesets/web", bad);

    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("error").asText())
        .isEqualTo("invalid rule set 'web': layers[0].rules[1].dst_port: port 70000 is outside 0-65535");
    assertThat(body.get("errors").toString()).isEqualTo("[{\"path\":\"layers[0].rules[1].dst_port\",\"in\":\"body\","
        + "\"message\":\"port 70000 is outside 0-65535\"}]");
    assertUnchanged();
  }

  @Test
  void anInvalidWholeConfigNamesAbsolutePaths() throws Exception {
    ObjectNode doc = (ObjectNode) JSON.readTree(api.get("/api/v1/config").body());
    ((ObjectNode) doc.get("vms").get(1)).put("ip", "10.9.0.12");

    HttpResponse<String> r = api.put("/api/v1/config", doc.toString());

    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode error = JSON.readTree(r.body()).get("errors").get(0);
    assertThat(error.get("path").asText()).isEqualTo("vms[1].ip");
    assertThat(error.get("message").asText()).contains("outside the prefix 10.1.0.0/16");
    assertUnchanged();
  }

  @Test
  void aConfigStringOverTheLoadersLimitsIsRefusedByPathWithoutALineOfAnInternalText() throws Exception {
    ObjectNode doc = (ObjectNode) JSON.readTree(api.get("/api/v1/config").body());
    for (String dir : List.of("/" + "d".repeat(70_000), "/var/lib/nicflow\u0000x")) {
      ((ObjectNode) doc.get("controller")).put("state_dir", dir);

      HttpResponse<String> r = api.put("/api/v1/config", doc.toString());

      assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
      JsonNode error = JSON.readTree(r.body()).get("errors").get(0);
      assertThat(error.get("path").asText()).isEqualTo("controller.state_dir");
      assertThat(error.get("in").asText()).isEqualTo("body");
      assertThat(error.get("message").asText()).doesNotContain("line ")
          .containsAnyOf("a string of 70001 characters, longer than 65536", "the control character U+0000");
    }
    assertUnchanged();
  }

  @Test
  void deletingARuleSetThatVmsUseNamesThem() throws Exception {
    HttpResponse<String> r = api.delete("/api/v1/rulesets/web");

    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("error").asText()).isEqualTo(
        "cannot delete rule set 'web': VMs web1, web2 use it; move them to another rule set or delete them first");
    assertThat(body.get("errors")).hasSize(2);
    assertThat(body.get("errors").get(0).get("path").asText()).isEqualTo("vms[0].ruleset");
    assertThat(body.get("errors").get(0).get("in").asText()).isEqualTo("config");
    assertUnchanged();
  }

  @Test
  void deletingAVmThatALoadBalancerNamesNamesIt() throws Exception {
    HttpResponse<String> r = api.delete("/api/v1/vms/web2");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(r.body()).get("error").asText())
        .isEqualTo("cannot delete VM 'web2': load balancer web-vip has it as a backend; change it first");
    assertUnchanged();
  }

  @Test
  void deletingWhatIsNotThereIs404() throws Exception {
    for (String path : List.of("/api/v1/vms/ghost", "/api/v1/rulesets/ghost", "/api/v1/load_balancers/ghost")) {
      HttpResponse<String> r = api.delete(path);
      assertThat(r.statusCode()).as(path).isEqualTo(404);
      assertThat(error(r)).startsWith("no ").endsWith(" named 'ghost'");
    }
    assertUnchanged();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      bad JSON                         | /api/v1/vms/web3         | {"host": "host2",                 | body is not JSON (line 1, column 18)
      trailing garbage                 | /api/v1/vms/web3         | {"host": "host2"} x               | body is not JSON
      not an object                    | /api/v1/vms/web3         | ["web3"]                          | body must be the VM as a JSON object, got array
      empty body                       | /api/v1/rulesets/web     | ''                                | empty body: expected the rule set as a JSON object
      duplicate key                    | /api/v1/vms/web3         | {"ip": "10.1.0.13", "ip": "10.1.0.14"} | Duplicate field 'ip'
      wrong type                       | /api/v1/vms/db1          | {"host": "host1", "port": "p-db1", "mac": "02:00:00:00:01:15", "ip": "10.1.0.21", "vnet": "blue", "ruleset": "db", "meter_kbps": "fast"} | meter_kbps: wrong type
      unknown field                    | /api/v1/vms/db1          | {"host": "host1", "port": "p-db1", "mac": "02:00:00:00:01:15", "ip": "10.1.0.21", "vnet": "blue", "ruleset": "db", "colour": "red"} | unknown key 'colour'
      unknown rule set for a VM        | /api/v1/vms/db1          | {"host": "host1", "port": "p-db1", "mac": "02:00:00:00:01:15", "ip": "10.1.0.21", "vnet": "blue", "ruleset": "dbx"} | ruleset: no rule set named 'dbx'
      unknown VM in a load balancer    | /api/v1/load_balancers/web-vip | {"vip": "203.0.113.80", "proto": "tcp", "port": 80, "backends": ["web1:8080", "web9:8080"]} | backends[1]: backend 'web9:8080': no VM named 'web9'
      VMs listed in a rule set         | /api/v1/rulesets/db      | {"layers": [{"name": "acl", "default": "deny"}], "vms": ["ghost"]} | unknown key 'vms'
      name differs from the URL        | /api/v1/vms/db1          | {"name": "db2"}                   | name: name "db2" in the body does not match 'db1' in the URL
      missing keys                     | /api/v1/vms/web3         | {"host": "host2"}                 | missing required key
      bad config document              | /api/v1/config           | {"hosts": 3}                      | hosts: wrong type
      """)
  void badInputIsA400NamingTheProblemAndChangesNothing(String what, String path, String body, String expected)
      throws Exception {
    HttpResponse<String> r = api.put(path, body);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(JSON.readTree(r.body()).get("error").asText()).as(what).contains(expected);
    assertUnchanged();
  }

  @Test
  void aTenMegabyteBodyIs413AndChangesNothing() throws Exception {
    byte[] huge = new byte[10 * 1024 * 1024];
    java.util.Arrays.fill(huge, (byte) ' ');
    huge[0] = '{';
    huge[huge.length - 1] = '}';

    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r = api.send(api.request("/api/v1/config")
          .PUT(HttpRequest.BodyPublishers.ofByteArray(huge)).build());

      assertThat(r.statusCode()).isEqualTo(413);
      assertThat(error(r)).isEqualTo("request body larger than 8388608 bytes (the limit for PUT)");
    }
    assertUnchanged();
  }

  @Test
  void badQueryParametersAre400() throws Exception {
    for (String query : List.of("?wait=applied", "?timeout_s=5", "?wait=enforced&timeout_s=0",
        "?dry_run=maybe", "?dry_run=true&wait=enforced", "?force=1")) {
      HttpResponse<String> r = api.put("/api/v1/vms/web3" + query, WEB3);
      assertThat(r.statusCode()).as(query + ": " + r.body()).isEqualTo(400);
    }
    assertUnchanged();
  }

  // ---------------------------------------------------------------- revisions

  @Test
  void ifMatchTakesTheRevisionBareOrQuoted() throws Exception {
    assertThat(api.put("/api/v1/vms/web3", WEB3, "If-Match", "1").statusCode()).isEqualTo(201);
    assertThat(api.delete("/api/v1/vms/web3", "If-Match", "\"2\"").statusCode()).isEqualTo(200);
    assertThat(api.policy().latestRevision()).isEqualTo(3);
  }

  @Test
  void aStaleIfMatchIs409NamingBothRevisions() throws Exception {
    assertThat(api.put("/api/v1/vms/web3", WEB3).statusCode()).isEqualTo(201);

    HttpResponse<String> r = api.delete("/api/v1/vms/web3", "If-Match", "1");

    assertThat(r.statusCode()).isEqualTo(409);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("error").asText()).isEqualTo(
        "If-Match revision 1 is stale: the policy is at revision 2 (nothing changed; read it again and retry)");
    assertThat(body.get("expected").asLong()).isEqualTo(1);
    assertThat(body.get("actual").asLong()).isEqualTo(2);
    assertThat(r.headers().firstValue("ETag")).hasValue("\"2\"");
    assertThat(api.policy().latestRevision()).isEqualTo(2);
    assertThat(api.get("/api/v1/vms/web3").statusCode()).isEqualTo(200);
  }

  @Test
  void aMalformedIfMatchIs400() throws Exception {
    for (String value : List.of("abc", "1, 2", "W/\"1\"", "\"1", "-1")) {
      HttpResponse<String> r = api.put("/api/v1/vms/web3", WEB3, "If-Match", value);
      assertThat(r.statusCode()).as(value).isEqualTo(400);
      assertThat(error(r)).startsWith("malformed If-Match");
    }
    assertUnchanged();
  }

  @Test
  void ofConcurrentWritesWithTheSameIfMatchExactlyOneWins() throws Exception {
    int writers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Integer>> statuses = new ArrayList<>();
    try {
      for (int i = 0; i < writers; i++) {
        String body = WEB3.replace("10.1.0.13", "10.1.0." + (30 + i));
        Callable<Integer> write = () -> {
          go.await();
          return api.put("/api/v1/vms/web3", body, "If-Match", "1").statusCode();
        };
        statuses.add(pool.submit(write));
      }
      go.countDown();
      List<Integer> codes = new ArrayList<>();
      for (Future<Integer> f : statuses) {
        codes.add(f.get());
      }
      assertThat(codes).filteredOn(c -> c == 201).hasSize(1);
      assertThat(codes).filteredOn(c -> c == 409).hasSize(writers - 1);
      assertThat(api.policy().latestRevision()).isEqualTo(2);
    } finally {
      pool.shutdownNow();
    }
  }

  // ---------------------------------------------------------------- wait and dry run

  @Test
  void waitEnforcedAnswersOnceTheSwitchesConfirmed() throws Exception {
    HttpResponse<String> r = api.put("/api/v1/vms/web3?wait=enforced", WEB3);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    assertThat(JSON.readTree(r.body()).toString()).isEqualTo("{\"revision\":2,\"changed\":true,\"enforced\":true}");
  }

  @Test
  void waitEnforcedTimesOutWith504ButTheWriteStands() throws Exception {
    api.policy().holdEnforcement();

    HttpResponse<String> r = api.put("/api/v1/vms/web3?wait=enforced&timeout_s=1", WEB3);

    assertThat(r.statusCode()).isEqualTo(504);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("error").asText()).isEqualTo("revision 2 is accepted and durable, but not every affected "
        + "switch confirmed it within 1 s; the controller keeps enforcing it");
    assertThat(body.get("revision").asLong()).isEqualTo(2);
    assertThat(body.get("enforced").asBoolean()).isFalse();
    assertThat(api.policy().latestRevision()).isEqualTo(2);
  }

  @Test
  void aDryRunAnswersThePlanAndCommitsNothing() throws Exception {
    ObjectNode doc = (ObjectNode) JSON.readTree(api.get("/api/v1/config").body());
    ((ObjectNode) doc.get("vms").get(2)).put("ip", "10.1.0.23");

    HttpResponse<String> r = api.put("/api/v1/config?dry_run=true", doc.toString());

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode plan = JSON.readTree(r.body());
    assertThat(fieldNames(plan)).containsExactly("dry_run", "from_revision", "hosts");
    assertThat(fieldNames(plan.get("hosts"))).containsExactly("host1", "host2");
    assertThat(fieldNames(plan.get("hosts").get("host1")))
        .containsExactly("connected", "added", "changed", "removed", "connections_ended");
    assertThat(plan.get("hosts").get("host1").get("added").toString()).contains("10.1.0.23");
    assertThat(api.policy().planned()).hasSize(1);
    assertUnchanged();
  }

  // ---------------------------------------------------------------- helpers

  private void assertUnchanged() throws Exception {
    assertThat(api.policy().latestRevision()).isEqualTo(1);
    assertThat(api.get("/api/v1/config").headers().firstValue("ETag")).hasValue("\"1\"");
  }

  private static String error(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body()).get("error").asText();
  }

  private static List<String> names(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).map(n -> n.get("name").asText()).toList();
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
