package org.nicflow.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TraceCommandTest {

  private static final String DEMO = Path.of("..", "examples", "demo.yaml").toString();

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    var cli = NicflowCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  private JsonNode json(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--json");
    assertThat(run(all.toArray(String[]::new))).isEqualTo(NicflowCli.EXIT_OK);
    return new ObjectMapper().readTree(out.toString());
  }

  @Test
  void textShowsEveryLayerOfBothVmsAndTheFlowsOfBothBridges() {
    int code = run("trace", "-c", DEMO, "--vm", "red1", "--direction", "out", "tcp,nw_dst=10.1.0.12,tp_dst=80");

    assertThat(code).isEqualTo(NicflowCli.EXIT_OK);
    assertThat(err.toString()).isEmpty();
    List<String> lines = out.toString().lines().toList();
    assertThat(lines).startsWith(
        "enters: host host1, port of VM red1",
        "verdict: allow",
        "layers:",
        "  red1 out acl: default -> allow",
        "  red2 in acl: default -> allow",
        "packet: tcp,dl_src=02:00:00:00:00:01,dl_dst=02:00:00:00:02:0c,nw_src=10.1.0.11,nw_dst=10.1.0.12,"
            + "tp_src=49152,tp_dst=80",
        "output: tunnel port tun-host2 host host2 vni 5002",
        "flows on host1:");
    assertThat(lines).contains("flows on host2:");
    assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("  table=1,priority=1000,")
        .contains("in_port=p-red1").endsWith("set_field:0x138a->tun_id,output:tun-host2"));
    assertThat(lines).anySatisfy(l -> assertThat(l)
        .contains("in_port=tun-host1,tun_id=0x138a,nw_src=10.1.0.11,nw_dst=10.1.0.12").endsWith("output:p-red2"));
  }

  @Test
  void textGivesTheDropReasonAndTheDropFlow() {
    int code = run("trace", "-c", DEMO, "--vm", "red1", "--direction", "out", "tcp,nw_dst=10.1.0.12,tp_dst=23");

    assertThat(code).isEqualTo(NicflowCli.EXIT_OK);
    assertThat(out.toString()).contains("verdict: drop (denied by rule deny-telnet in layer acl of red1)\n")
        .contains("  red1 out acl: deny-telnet -> deny\n")
        .doesNotContain("output:").doesNotContain("flows on host2")
        .contains("idle_timeout=5,hard_timeout=10,send_flow_rem,tcp,in_port=p-red1");
  }

  @Test
  void jsonHasExactlyTheSpecKeys() throws Exception {
    JsonNode root = json("trace", "-c", DEMO, "--vm", "web1", "--direction", "in",
        "tcp,nw_src=10.1.0.21,tp_src=40000,tp_dst=8080");

    assertThat(root.fieldNames()).toIterable().containsExactly("verdict", "layers", "packet", "output", "flows");
    assertThat(root.get("verdict").asText()).isEqualTo("allow");
    assertThat(root.get("layers")).allSatisfy(
        l -> assertThat(l.fieldNames()).toIterable().containsExactly("layer", "rule", "action"));
    assertThat(root.get("layers").get(0).get("rule").asText()).isEqualTo("all-out");
    assertThat(root.get("output").get("kind").asText()).isEqualTo("local");
    assertThat(root.get("output").get("port").asText()).isEqualTo("p-web1");
    assertThat(root.get("output").get("host").asText()).isEqualTo("host1");
    assertThat(root.get("packet").get("dl_dst").asText()).isEqualTo("02:00:00:00:01:0b");
    assertThat(root.get("packet").get("tp_src").asInt()).isEqualTo(40000);
    assertThat(root.get("flows")).isNotEmpty().allSatisfy(f -> assertThat(f.asText()).startsWith("table=1,"));
  }

  @Test
  void jsonOfADroppedPacketHasANullOutput() throws Exception {
    JsonNode root = json("trace", "-c", DEMO, "--vm", "db1", "--direction", "in", "icmp,nw_src=10.1.0.12");

    assertThat(root.get("verdict").asText()).isEqualTo("drop");
    assertThat(root.get("output").isNull()).isTrue();
    assertThat(root.get("flows")).hasSize(1);
  }

  @Test
  void aPacketToTheVipFromTheUplinkIsRewrittenToABackend() throws Exception {
    JsonNode root = json("trace", "-c", DEMO, "--vm", "web1", "--direction", "in",
        "tcp,nw_src=198.51.100.7,nw_dst=203.0.113.80,tp_dst=80");

    assertThat(root.get("verdict").asText()).isEqualTo("allow");
    assertThat(root.get("layers").get(0).get("layer").asText()).isEqualTo("load_balancer");
    assertThat(root.get("packet").get("tp_dst").asInt()).isEqualTo(8080);
    assertThat(root.get("packet").get("nw_dst").asText()).isIn("10.1.0.11", "10.1.0.12");
  }

  @Test
  void unknownVmExitsTwoListingTheVms() {
    int code = run("trace", "-c", DEMO, "--vm", "web9", "--direction", "out", "tcp,nw_dst=10.1.0.12,tp_dst=80");

    assertThat(code).isEqualTo(NicflowCli.EXIT_BAD_INPUT);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).isEqualTo(
        "error: no VM named 'web9' in " + DEMO + " (VMs: web1, web2, db1, red1, red2)\n");
  }

  @Test
  void badPacketExitsTwoSayingWhatIsWrong() {
    int code = run("trace", "-c", DEMO, "--vm", "web1", "--direction", "out", "tcp,nw_dst=10.1.0.12");

    assertThat(code).isEqualTo(NicflowCli.EXIT_BAD_INPUT);
    assertThat(err.toString())
        .isEqualTo("error: bad packet 'tcp,nw_dst=10.1.0.12': tp_dst is required for tcp and udp\n");
  }

  @Test
  void badDirectionIsAUsageError() {
    int code = run("trace", "-c", DEMO, "--vm", "web1", "--direction", "both", "tcp,nw_dst=10.1.0.12,tp_dst=80");

    assertThat(code).isEqualTo(NicflowCli.EXIT_BAD_INPUT);
    assertThat(err.toString()).contains("--direction").contains("[in, out]");
  }
}
