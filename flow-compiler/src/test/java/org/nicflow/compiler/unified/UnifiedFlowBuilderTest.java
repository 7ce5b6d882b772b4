package org.nicflow.compiler.unified;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nicflow.compiler.eval.EvalFixtures.GATEWAY;
import static org.nicflow.compiler.eval.EvalFixtures.INTERNET;
import static org.nicflow.compiler.eval.EvalFixtures.PUBLIC_IP;
import static org.nicflow.compiler.eval.EvalFixtures.VIP;
import static org.nicflow.compiler.eval.EvalFixtures.fromInternet;
import static org.nicflow.compiler.eval.EvalFixtures.layer;
import static org.nicflow.compiler.eval.EvalFixtures.port;
import static org.nicflow.compiler.eval.EvalFixtures.rule;
import static org.nicflow.compiler.eval.EvalFixtures.tcpFrom;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nicflow.compiler.eval.ConnectionLookup;
import org.nicflow.compiler.eval.ConnectionTable;
import org.nicflow.compiler.eval.Decision;
import org.nicflow.compiler.eval.EvalFixtures;
import org.nicflow.compiler.eval.Ingress;
import org.nicflow.compiler.eval.ReferenceEvaluator;
import org.nicflow.compiler.flow.Cookie;
import org.nicflow.compiler.flow.FieldMatch;
import org.nicflow.compiler.flow.FlowAction;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.FlowKind;
import org.nicflow.compiler.flow.MatchField;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.DefaultAction;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.packet.PacketHeaders;

class UnifiedFlowBuilderTest {

  private static final int GENERATION = 7;

  private static final Config CONFIG = EvalFixtures.world()
      .rules("web1",
          layer("acl", DefaultAction.DENY, rule("https-in", 20).in().tcp().dstPort("8443").allow(),
              rule("out", 10).out().stateful().allow()),
          layer("nat", DefaultAction.ALLOW, rule("east-west", 20).out().dst("10.1.0.0/16").allow(),
              rule("snat", 10).out().snat(PUBLIC_IP.toString())))
      .rules("db1", layer("acl", DefaultAction.DENY, rule("pg", 10).in().tcp().dstPort("5432").stateful().allow(),
          rule("out", 5).out().allow()))
      .loadBalancer("vip-local", VIP, 80, "web1:8443")
      .loadBalancer("vip-remote", VIP, 81, "web2:8080")
      .build();

  private final ReferenceEvaluator evaluator = new ReferenceEvaluator(CONFIG);
  private final UnifiedFlowBuilder builder = new UnifiedFlowBuilder(CONFIG.withIds(CONFIG.ids().withGeneration(GENERATION)));

  private static Vm vm(String name) {
    return CONFIG.vm(name).orElseThrow();
  }

  private List<FlowEntry> flows(Ingress ingress, PacketHeaders packet) {
    return builder.flowsFor(ingress, packet, evaluator.evaluate(ingress, packet, ConnectionLookup.NONE));
  }

  @Test
  void forwardFlowMatchesExactlyAndCarriesRewritesAndOutput() {
    PacketHeaders p = tcpFrom(CONFIG, "web1", "10.1.0.13", 40000, 5432);
    FlowEntry f = flows(port(CONFIG, "web1"), p).get(0);

    assertThat(f.table()).isEqualTo(Pipeline.UNIFIED);
    assertThat(f.priority()).isEqualTo(1000);
    assertThat(f.match().fields()).containsExactly(
        Map.entry(MatchField.IN_PORT, FieldMatch.inPort("web1-eth0")),
        Map.entry(MatchField.ETH_TYPE, FieldMatch.exact(MatchField.ETH_TYPE, 0x0800)),
        Map.entry(MatchField.IP_PROTO, FieldMatch.exact(MatchField.IP_PROTO, 6)),
        Map.entry(MatchField.IPV4_SRC, FieldMatch.exact(MatchField.IPV4_SRC, Ipv4.parse("10.1.0.11").unsigned())),
        Map.entry(MatchField.IPV4_DST, FieldMatch.exact(MatchField.IPV4_DST, Ipv4.parse("10.1.0.13").unsigned())),
        Map.entry(MatchField.TCP_SRC, FieldMatch.exact(MatchField.TCP_SRC, 40000)),
        Map.entry(MatchField.TCP_DST, FieldMatch.exact(MatchField.TCP_DST, 5432)));
    assertThat(f.actions()).containsExactly(
        new FlowAction.SetField(MatchField.ETH_SRC, GATEWAY.bits()),
        new FlowAction.SetField(MatchField.ETH_DST, vm("db1").mac().bits()),
        new FlowAction.Output("db1-eth0"));
    assertThat(f.idleTimeout()).isEqualTo(CONFIG.controller().idleTimeoutS());
    assertThat(f.hardTimeout()).isZero();
    assertThat(f.sendFlowRemoved()).isTrue();
    assertThat(f.meterId()).isEmpty();
    assertThat(f.gotoTable()).isEmpty();
    assertThat(Pipeline.violations(f)).isEmpty();
  }

  @Test
  void cookieNamesTheLastLayerDecidedByARule() {
    // web1: acl "out" (layer 0, rule 1), nat "east-west" (layer 1, rule 0); db1: acl "pg" (layer 0, rule 0).
    FlowEntry f = flows(port(CONFIG, "web1"), tcpFrom(CONFIG, "web1", "10.1.0.13", 40000, 5432)).get(0);
    assertThat(Cookie.decode(f.cookie()))
        .isEqualTo(new Cookie(FlowKind.UNIFIED, GENERATION, CONFIG.vmIndex("db1"), 0, 0));

    FlowEntry out = flows(port(CONFIG, "web1"), tcpFrom(CONFIG, "web1", "10.1.0.12", 40000, 22)).get(0);
    assertThat(Cookie.decode(out.cookie()))
        .isEqualTo(new Cookie(FlowKind.UNIFIED, GENERATION, CONFIG.vmIndex("web1"), 1, 0));
  }

  @Test
  void cookieOfADeniedFlowNamesTheStepThatDenied() {
    // web1 -> db1:9999 passes web1's layers and is denied by db1's acl default.
    FlowEntry f = flows(port(CONFIG, "web1"), tcpFrom(CONFIG, "web1", "10.1.0.13", 40000, 9999)).get(0);
    assertThat(f.drops()).isTrue();
    assertThat(Cookie.decode(f.cookie()))
        .isEqualTo(new Cookie(FlowKind.DENIED, GENERATION, CONFIG.vmIndex("db1"), 0, Cookie.NO_RULE));
  }

  @Test
  void laterPacketsWithOtherMacsAndDscpLeaveLikeTheFirst() {
    // The first packet already carries the delivery MACs; the flow must set them anyway, since it
    // does not match on them.
    PacketHeaders first = tcpFrom(CONFIG, "web1", "10.1.0.13", 40000, 5432);
    FlowEntry f = flows(port(CONFIG, "web1"), first).get(0);
    assertThat(f.actions()).startsWith(
        new FlowAction.SetField(MatchField.ETH_SRC, GATEWAY.bits()),
        new FlowAction.SetField(MatchField.ETH_DST, vm("db1").mac().bits()));
    assertThat(f.match().has(MatchField.ETH_SRC)).isFalse();
    assertThat(f.match().has(MatchField.IP_DSCP)).isFalse();
  }

  @Test
  void tunnelOutputSetsTheVniThenOutputsToTheTunnelPort() {
    FlowEntry f = flows(port(CONFIG, "web1"), tcpFrom(CONFIG, "web1", "10.1.0.12", 40000, 22)).get(0);
    assertThat(f.actions()).endsWith(new FlowAction.SetField(MatchField.TUN_ID, EvalFixtures.BLUE),
        new FlowAction.Output("tun-host2"));
  }

  @Test
  void tunnelIngressMatchesTunnelPortAndVni() {
    PacketHeaders inner = tcpFrom(CONFIG, "web2", "10.1.0.11", 40000, 8443).withEth(GATEWAY, vm("web1").mac());
    FlowEntry f = flows(new Ingress.Tunnel("host1", "host2", EvalFixtures.BLUE), inner).get(0);

    assertThat(f.match().get(MatchField.IN_PORT)).contains(FieldMatch.inPort("tun-host2"));
    assertThat(f.match().get(MatchField.TUN_ID)).contains(FieldMatch.exact(MatchField.TUN_ID, EvalFixtures.BLUE));
    assertThat(f.actions()).containsExactly(
        new FlowAction.SetField(MatchField.ETH_SRC, GATEWAY.bits()),
        new FlowAction.SetField(MatchField.ETH_DST, vm("web1").mac().bits()),
        new FlowAction.Output("web1-eth0"));
  }

  @Test
  void icmpFlowsMatchTypeAndCode() {
    PacketHeaders ping = EvalFixtures.from(CONFIG, "web1", Protocol.IPPROTO_ICMP, "10.1.0.12", 8, 0);
    FlowEntry f = flows(port(CONFIG, "web1"), ping).get(0);
    assertThat(f.match().get(MatchField.ICMPV4_TYPE)).contains(FieldMatch.exact(MatchField.ICMPV4_TYPE, 8));
    assertThat(f.match().get(MatchField.ICMPV4_CODE)).contains(FieldMatch.exact(MatchField.ICMPV4_CODE, 0));
    assertThat(f.match().has(MatchField.TCP_SRC)).isFalse();
  }

  @Test
  void udpFlowsMatchAndRewriteUdpPorts() {
    PacketHeaders dns = EvalFixtures.from(CONFIG, "web1", Protocol.IPPROTO_UDP, INTERNET.toString(), 5353, 53);
    List<FlowEntry> fs = flows(port(CONFIG, "web1"), dns);

    assertThat(fs.get(0).match().get(MatchField.UDP_SRC)).contains(FieldMatch.exact(MatchField.UDP_SRC, 5353));
    assertThat(fs.get(0).match().get(MatchField.UDP_DST)).contains(FieldMatch.exact(MatchField.UDP_DST, 53));
    assertThat(fs.get(0).actions()).anyMatch(a -> a instanceof FlowAction.SetField s && s.field() == MatchField.UDP_SRC);
    assertThat(fs.get(1).match().get(MatchField.UDP_SRC)).contains(FieldMatch.exact(MatchField.UDP_SRC, 53));
    assertThat(fs.get(1).actions()).contains(new FlowAction.SetField(MatchField.UDP_DST, 5353));
  }

  @Test
  void droppedPacketGetsOneShortLivedDeniedFlow() {
    PacketHeaders p = tcpFrom(CONFIG, "web2", "10.1.0.13", 40000, 22);
    List<FlowEntry> fs = flows(port(CONFIG, "web2"), p);

    assertThat(fs).singleElement().satisfies(f -> {
      assertThat(f.drops()).isTrue();
      assertThat(f.actions()).isEmpty();
      assertThat(f.priority()).isEqualTo(1000);
      assertThat(f.idleTimeout()).isEqualTo(5);
      assertThat(f.hardTimeout()).isEqualTo(10);
      assertThat(f.sendFlowRemoved()).isTrue();
      assertThat(f.match().get(MatchField.IN_PORT)).contains(FieldMatch.inPort("web2-eth0"));
      // db1's acl default-denies port 22: the last layer step, a default, so no rule index.
      assertThat(Cookie.decode(f.cookie())).isEqualTo(
          new Cookie(FlowKind.DENIED, GENERATION, CONFIG.vmIndex("db1"), 0, Cookie.NO_RULE));
    });
  }

  @Test
  void outputIsDeterministic() {
    PacketHeaders p = tcpFrom(CONFIG, "web1", INTERNET.toString(), 40000, 443);
    assertThat(flows(port(CONFIG, "web1"), p)).isEqualTo(new UnifiedFlowBuilder(CONFIG.withIds(CONFIG.ids().withGeneration(GENERATION)))
        .flowsFor(port(CONFIG, "web1"), p, new ReferenceEvaluator(CONFIG).evaluate(port(CONFIG, "web1"), p,
            ConnectionLookup.NONE)));
  }

  /**
   * Scenarios: the first packet, where it enters, and the reply as it enters the same bridge (hand
   * written, independent of the builder), or null when no reply enters this bridge.
   */
  static Stream<Arguments> connections() {
    Vm web1 = vm("web1");
    Vm db1 = vm("db1");
    return Stream.of(
        Arguments.of("stateful, receiver local: reply from its port",
            port(CONFIG, "web1"), tcpFrom(CONFIG, "web1", "10.1.0.13", 40000, 5432),
            List.of(new Reply(port(CONFIG, "db1"), tcpFrom(CONFIG, "db1", "10.1.0.11", 5432, 40000)))),
        Arguments.of("stateful, receiver remote: reply from the tunnel",
            port(CONFIG, "web1"), tcpFrom(CONFIG, "web1", "10.1.0.12", 40000, 22),
            List.of(new Reply(new Ingress.Tunnel("host1", "host2", EvalFixtures.BLUE),
                tcpFrom(CONFIG, "web2", "10.1.0.11", 22, 40000).withEth(GATEWAY, web1.mac())))),
        Arguments.of("snat: reply from the uplink to the public address",
            port(CONFIG, "web1"), tcpFrom(CONFIG, "web1", INTERNET.toString(), 40000, 443),
            List.of(new Reply(new Ingress.Uplink("host1"), null))),
        Arguments.of("load balancer, local backend: reply from the backend's port",
            new Ingress.Uplink("host1"), fromInternet(INTERNET, 5555, VIP, 80),
            List.of(new Reply(port(CONFIG, "web1"), tcpFrom(CONFIG, "web1", INTERNET.toString(), 8443, 5555)))),
        Arguments.of("load balancer, remote backend: the reply leaves host2 by its own uplink",
            new Ingress.Uplink("host1"), fromInternet(INTERNET, 5555, VIP, 81), List.of()),
        Arguments.of("receiver's stateful rule, from another VM of the host",
            port(CONFIG, "web1"), tcpFrom(CONFIG, "web1", "10.1.0.13", 40001, 5432),
            List.of(new Reply(port(CONFIG, "db1"), tcpFrom(CONFIG, "db1", "10.1.0.11", 5432, 40001)))),
        Arguments.of("receiver's stateful rule, over the tunnel: reply from its local port",
            new Ingress.Tunnel("host1", "host2", EvalFixtures.BLUE),
            tcpFrom(CONFIG, "web2", "10.1.0.13", 40000, 5432).withEth(GATEWAY, db1.mac()),
            List.of(new Reply(port(CONFIG, "db1"), tcpFrom(CONFIG, "db1", "10.1.0.12", 5432, 40000)))));
  }

  /** A reply entering the bridge; a null packet means "the SNAT reply to the allocated port". */
  record Reply(Ingress ingress, PacketHeaders packet) {}

  @ParameterizedTest(name = "{0}")
  @MethodSource("connections")
  void reverseFlowDoesWhatTheEvaluatorDecidesForTheReply(String name, Ingress ingress, PacketHeaders packet,
      List<Reply> replies) {
    Decision decision = evaluator.evaluate(ingress, packet, ConnectionLookup.NONE);
    assertThat(decision.allowed()).isTrue();
    assertThat(decision.newConnections()).isNotEmpty();
    List<FlowEntry> fs = builder.flowsFor(ingress, packet, decision);
    List<FlowEntry> reverse = fs.stream()
        .filter(f -> Cookie.decode(f.cookie()).kind() == FlowKind.REVERSE).toList();
    ConnectionTable state = ConnectionTable.of(decision.newConnections());

    assertThat(reverse).hasSameSizeAs(replies);
    for (Reply r : replies) {
      PacketHeaders reply = r.packet() != null ? r.packet()
          : fromInternet(INTERNET, 443, PUBLIC_IP, decision.packet().tpSrc());
      Decision expected = evaluator.evaluate(r.ingress(), reply, state);
      assertThat(expected.allowed()).as("the evaluator admits the reply").isTrue();

      FlowEntry flow = reverse.stream().filter(f -> FlowSimulation.matches(f, CONFIG, r.ingress(), reply))
          .findFirst().orElseThrow(() -> new AssertionError("no reverse flow matches " + reply + " at " + r.ingress()));
      FlowSimulation.Result result = FlowSimulation.apply(flow, reply);

      assertThat(result.packet()).isEqualTo(expected.packet());
      assertThat(result.outputPort()).isEqualTo(expected.output().orElseThrow().port());
      assertThat(result.tunId()).isEqualTo(expected.output().orElseThrow().vni());
      assertThat(flow.idleTimeout()).isEqualTo(CONFIG.controller().idleTimeoutS());
      assertThat(flow.sendFlowRemoved()).isTrue();
      assertThat(Pipeline.violations(flow)).isEmpty();
    }
    // The forward flow does what the evaluator decided for the first packet.
    FlowEntry forward = fs.get(0);
    assertThat(FlowSimulation.matches(forward, CONFIG, ingress, packet)).isTrue();
    assertThat(FlowSimulation.apply(forward, packet).packet()).isEqualTo(decision.packet());
  }

  @Test
  void snatReverseFlowRestoresTheVmsAddressAndPort() {
    PacketHeaders p = tcpFrom(CONFIG, "web1", INTERNET.toString(), 40000, 443);
    Decision d = evaluator.evaluate(port(CONFIG, "web1"), p, ConnectionLookup.NONE);
    List<FlowEntry> fs = builder.flowsFor(port(CONFIG, "web1"), p, d);
    FlowEntry reverse = fs.get(1);
    int allocated = d.packet().tpSrc();

    assertThat(reverse.match().get(MatchField.IN_PORT)).contains(FieldMatch.inPort("host1-up"));
    assertThat(reverse.match().get(MatchField.IPV4_DST))
        .contains(FieldMatch.exact(MatchField.IPV4_DST, PUBLIC_IP.unsigned()));
    assertThat(reverse.match().get(MatchField.TCP_DST)).contains(FieldMatch.exact(MatchField.TCP_DST, allocated));
    assertThat(reverse.actions()).contains(
        new FlowAction.SetField(MatchField.IPV4_DST, vm("web1").ip().unsigned()),
        new FlowAction.SetField(MatchField.TCP_DST, 40000),
        new FlowAction.Output("web1-eth0"));
    // The forward flow rewrites the source to the public address and port, out of the uplink.
    assertThat(fs.get(0).actions()).containsExactly(
        new FlowAction.SetField(MatchField.ETH_SRC, GATEWAY.bits()),
        new FlowAction.SetField(MatchField.ETH_DST, MacAddress.parse("02:00:00:00:fe:01").bits()),
        new FlowAction.SetField(MatchField.IPV4_SRC, PUBLIC_IP.unsigned()),
        new FlowAction.SetField(MatchField.TCP_SRC, allocated),
        new FlowAction.Output("host1-up"));
  }

  @Test
  void everyFlowConformsToTheUnifiedTable() {
    for (PacketHeaders p : List.of(tcpFrom(CONFIG, "web1", "10.1.0.13", 1, 5432),
        tcpFrom(CONFIG, "web1", "10.1.0.12", 1, 2), tcpFrom(CONFIG, "web1", INTERNET.toString(), 1, 2),
        tcpFrom(CONFIG, "web1", "10.1.0.99", 1, 2))) {
      assertThat(flows(port(CONFIG, "web1"), p)).allSatisfy(f -> assertThat(Pipeline.violations(f)).isEmpty());
    }
  }

  @Test
  void vmAddressingItselfHairpinsThroughInPort() {
    PacketHeaders p = tcpFrom(CONFIG, "web1", "10.1.0.11", 40000, 8443);
    Decision d = evaluator.evaluate(port(CONFIG, "web1"), p, ConnectionLookup.NONE);
    assertThat(d.output().orElseThrow().port()).isEqualTo("web1-eth0");

    FlowEntry f = builder.flowsFor(port(CONFIG, "web1"), p, d).get(0);

    assertThat(f.actions()).last().isEqualTo(new FlowAction.OutputInPort());
    assertThat(f.actions()).doesNotContain(new FlowAction.Output("web1-eth0"));
  }

  @Test
  void reverseFlowsFollowTheLiveConnections() {
    // web2 backs a VIP; a client whose address is web1's (VNET spaces and the physical network may
    // overlap) holds a load-balancer connection, so web2's replies to that address and port go back
    // through the VIP, not to web1.
    Config config = EvalFixtures.world()
        .rules("web2", layer("acl", DefaultAction.ALLOW, rule("in", 10).in().tcp().dstPort("8080").stateful().allow()))
        .loadBalancer("vip", VIP, 80, "web2:8080")
        .build();
    ReferenceEvaluator eval = new ReferenceEvaluator(config);
    UnifiedFlowBuilder flows = new UnifiedFlowBuilder(config);
    ConnectionTable live = new ConnectionTable();
    eval.evaluate(new Ingress.Uplink("host2"), fromInternet(Ipv4.parse("10.1.0.11"), 40000, VIP, 80), live)
        .newConnections().forEach(live::add);
    PacketHeaders p = tcpFrom(config, "web1", "10.1.0.12", 40000, 8080);
    Decision d = eval.evaluate(port(config, "web1"), p, live);
    assertThat(d.newConnections()).isNotEmpty();
    ConnectionTable after = ConnectionTable.of(live.all());
    d.newConnections().forEach(after::add);
    Decision reply = eval.evaluate(port(config, "web2"), tcpFrom(config, "web2", "10.1.0.11", 8080, 40000), after);
    assertThat(reply.output().orElseThrow().kind()).isEqualTo(org.nicflow.compiler.eval.Output.Kind.UPLINK);

    List<FlowEntry> withLive = flows.flowsFor(port(config, "web1"), p, d, live);
    List<FlowEntry> withoutLive = flows.flowsFor(port(config, "web1"), p, d);

    assertThat(withLive).as("the reply never comes back to host1").singleElement()
        .extracting(f -> Cookie.decode(f.cookie()).kind()).isEqualTo(FlowKind.UNIFIED);
    assertThat(withoutLive).extracting(f -> Cookie.decode(f.cookie()).kind()).contains(FlowKind.REVERSE);
  }

  @Test
  void packetArrivingByTunnelGetsTheReverseFlowOfTheConnectionItsSendersHostMade() {
    Config config = EvalFixtures.world()
        .rules("web1", layer("acl", DefaultAction.DENY, rule("out", 10).out().stateful().allow()))
        .build();
    ReferenceEvaluator eval = new ReferenceEvaluator(config);
    UnifiedFlowBuilder flows = new UnifiedFlowBuilder(config);
    ConnectionTable live = new ConnectionTable();
    Decision atSender = eval.evaluate(port(config, "web1"), tcpFrom(config, "web1", "10.1.0.12", 40000, 22), live);
    atSender.newConnections().forEach(live::add);
    Ingress.Tunnel arrival = new Ingress.Tunnel("host2", "host1", EvalFixtures.BLUE);
    Decision atReceiver = eval.evaluate(arrival, atSender.packet(), live);
    assertThat(atReceiver.newConnections()).isEmpty();

    List<FlowEntry> fs = flows.flowsFor(arrival, atSender.packet(), atReceiver, live);

    PacketHeaders reply = tcpFrom(config, "web2", "10.1.0.11", 22, 40000);
    Decision expected = eval.evaluate(port(config, "web2"), reply, live);
    FlowEntry reverse = fs.stream().filter(f -> Cookie.decode(f.cookie()).kind() == FlowKind.REVERSE)
        .filter(f -> FlowSimulation.matches(f, config, port(config, "web2"), reply)).findFirst().orElseThrow();
    FlowSimulation.Result result = FlowSimulation.apply(reverse, reply);
    assertThat(result.packet()).isEqualTo(expected.packet());
    assertThat(result.outputPort()).isEqualTo("tun-host1");
    assertThat(result.tunId()).isEqualTo(EvalFixtures.BLUE);
  }
}
