package org.nicflow.compiler.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nicflow.compiler.eval.EvalFixtures.layer;
import static org.nicflow.compiler.eval.EvalFixtures.port;
import static org.nicflow.compiler.eval.EvalFixtures.rule;
import static org.nicflow.compiler.eval.EvalFixtures.tcpFrom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.DefaultAction;

class TraceReportTest {

  private static final Config CONFIG = EvalFixtures.world()
      .rules("web1", layer("acl", DefaultAction.DENY, rule("out", 10).out().allow()),
          layer("qos", DefaultAction.ALLOW, rule("ef", 10).out().setDscp(46)))
      .build();

  @Test
  void jsonHasExactlyTheSpecKeys() throws Exception {
    Decision d = new ReferenceEvaluator(CONFIG).evaluate(port(CONFIG, "web1"),
        tcpFrom(CONFIG, "web1", "10.1.0.12", 40000, 80), ConnectionLookup.NONE);
    String json = TraceReport.of(d, List.of("table=1, priority=1000,tcp actions=output:tun-host2")).toJson();

    JsonNode root = new ObjectMapper().readTree(json);
    assertThat(root.fieldNames()).toIterable().containsExactly("verdict", "layers", "packet", "output", "flows");
    assertThat(root.get("verdict").asText()).isEqualTo("allow");
    assertThat(root.get("layers").get(0).fieldNames()).toIterable().containsExactly("layer", "rule", "action");
    assertThat(root.get("layers").get(1).get("action").asText()).isEqualTo("set_dscp");
    assertThat(root.get("layers").get(2).get("layer").asText()).isEqualTo("acl");
    assertThat(root.get("packet").get("nw_dst").asText()).isEqualTo("10.1.0.12");
    assertThat(root.get("packet").get("tp_dst").asInt()).isEqualTo(80);
    assertThat(root.get("packet").get("ip_dscp").asInt()).isEqualTo(46);
    assertThat(root.get("packet").get("dl_dst").asText()).isEqualTo("02:00:00:00:01:0c");
    assertThat(root.get("output").fieldNames()).toIterable().containsExactly("kind", "port", "host", "vni");
    assertThat(root.get("output").get("kind").asText()).isEqualTo("tunnel");
    assertThat(root.get("output").get("vni").asInt()).isEqualTo(5001);
    assertThat(root.get("flows").get(0).asText()).startsWith("table=1");
  }

  @Test
  void droppedPacketHasNullOutputAndTextNamesTheReason() throws Exception {
    Decision d = new ReferenceEvaluator(CONFIG).evaluate(port(CONFIG, "web1"),
        tcpFrom(CONFIG, "web1", "10.1.0.99", 40000, 80), ConnectionLookup.NONE);
    TraceReport report = TraceReport.of(d, List.of());

    JsonNode root = new ObjectMapper().readTree(report.toJson());
    assertThat(root.get("verdict").asText()).isEqualTo("drop");
    assertThat(root.get("output").isNull()).isTrue();
    assertThat(report.toText()).contains("verdict: drop (no VM at 10.1.0.99 in VNET blue)")
        .contains("acl: out -> allow").contains("packet: tcp,");
  }
}
