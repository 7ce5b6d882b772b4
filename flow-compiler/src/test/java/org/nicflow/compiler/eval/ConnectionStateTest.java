package org.nicflow.compiler.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nicflow.compiler.eval.EvalFixtures.INTERNET;
import static org.nicflow.compiler.eval.EvalFixtures.PUBLIC_IP;
import static org.nicflow.compiler.eval.EvalFixtures.fromInternet;
import static org.nicflow.compiler.eval.EvalFixtures.layer;
import static org.nicflow.compiler.eval.EvalFixtures.port;
import static org.nicflow.compiler.eval.EvalFixtures.rule;
import static org.nicflow.compiler.eval.EvalFixtures.tcpFrom;

import org.junit.jupiter.api.Test;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.DefaultAction;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.packet.PacketHeaders;

/**
 * docs/semantics.md, "Connections": connections of stateful rules, SNAT and load balancers admit
 * and restore replies.
 */
class ConnectionStateTest {

  /** web1 may only open connections (its in layers deny); db1 and web2 are open. */
  private static final Config STRICT = EvalFixtures.world()
      .rules("web1", layer("acl", DefaultAction.DENY, rule("out", 10).out().stateful().allow()))
      .rules("db1", layer("acl", DefaultAction.DENY, rule("in-pg", 10).in().tcp().dstPort("5432").allow(),
          rule("out-any", 5).out().allow()))
      .rules("web2", layer("acl", DefaultAction.DENY, rule("any", 10).allow()))
      .build();

  private final ReferenceEvaluator evaluator = new ReferenceEvaluator(STRICT);

  @Test
  void statefulRuleCreatesConnectionOwnedByItsVm() {
    Decision d = evaluator.evaluate(port(STRICT, "web1"), tcpFrom(STRICT, "web1", "10.1.0.13", 40000, 5432),
        ConnectionLookup.NONE);

    FlowTuple t = new FlowTuple(EvalFixtures.BLUE, 6, Ipv4.parse("10.1.0.11"), 40000, Ipv4.parse("10.1.0.13"), 5432);
    assertThat(d.newConnections()).containsExactly(new Connection(t, t, "web1", Connection.Kind.STATEFUL));
  }

  @Test
  void replyIsAdmittedWhateverTheRulesSayWhileTheConnectionLives() {
    ConnectionTable table = new ConnectionTable();
    evaluator.evaluate(port(STRICT, "web1"), tcpFrom(STRICT, "web1", "10.1.0.13", 40000, 5432), table)
        .newConnections().forEach(table::add);

    PacketHeaders reply = tcpFrom(STRICT, "db1", "10.1.0.11", 5432, 40000);
    Decision withState = evaluator.evaluate(port(STRICT, "db1"), reply, table);
    Decision without = evaluator.evaluate(port(STRICT, "db1"), reply, ConnectionLookup.NONE);

    assertThat(withState.allowed()).isTrue();
    assertThat(withState.layers()).extracting(LayerDecision::vm, LayerDecision::rule)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("db1", "out-any"),
            org.assertj.core.groups.Tuple.tuple("web1", LayerDecision.CONNECTION));
    assertThat(without.verdict()).isEqualTo(Verdict.DROP);
  }

  @Test
  void replyAcrossHostsIsAdmittedOnBothHosts() {
    ConnectionTable table = new ConnectionTable();
    evaluator.evaluate(port(STRICT, "web1"), tcpFrom(STRICT, "web1", "10.1.0.12", 40000, 22), table)
        .newConnections().forEach(table::add);

    Decision atWeb2 = evaluator.evaluate(port(STRICT, "web2"), tcpFrom(STRICT, "web2", "10.1.0.11", 22, 40000), table);
    assertThat(atWeb2.output().orElseThrow().kind()).isEqualTo(Output.Kind.TUNNEL);

    Decision atHost1 = evaluator.evaluate(new Ingress.Tunnel("host1", "host2", EvalFixtures.BLUE), atWeb2.packet(), table);
    assertThat(atHost1.allowed()).isTrue();
    assertThat(atHost1.layers()).singleElement().extracting(LayerDecision::rule).isEqualTo(LayerDecision.CONNECTION);
    assertThat(atHost1.output().orElseThrow()).isEqualTo(new Output(Output.Kind.LOCAL, "web1-eth0", "host1", 0));
  }

  @Test
  void statelessAllowCreatesNoConnection() {
    Config open = EvalFixtures.world().build();
    Decision d2 = new ReferenceEvaluator(open).evaluate(port(open, "db1"), tcpFrom(open, "db1", "10.1.0.12", 1, 2),
        ConnectionLookup.NONE);
    assertThat(d2.allowed()).isTrue();
    assertThat(d2.newConnections()).isEmpty();
  }

  @Test
  void senderAndReceiverEachOwnTheirConnection() {
    Config both = EvalFixtures.world()
        .rules("web1", layer("acl", DefaultAction.DENY, rule("out", 10).out().stateful().allow()))
        .rules("db1", layer("acl", DefaultAction.DENY, rule("in", 10).in().stateful().allow()))
        .build();
    Decision d = new ReferenceEvaluator(both).evaluate(port(both, "web1"), tcpFrom(both, "web1", "10.1.0.13", 1, 2),
        ConnectionLookup.NONE);
    assertThat(d.newConnections()).extracting(Connection::ownerVm).containsExactly("web1", "db1");

    ConnectionTable table = ConnectionTable.of(d.newConnections());
    Decision reply = new ReferenceEvaluator(both).evaluate(port(both, "db1"), tcpFrom(both, "db1", "10.1.0.11", 2, 1),
        table);
    assertThat(reply.layers()).extracting(LayerDecision::rule)
        .containsExactly(LayerDecision.CONNECTION, LayerDecision.CONNECTION);
  }

  @Test
  void snatReplyFromUplinkIsRestoredAndSkipsOwnerInLayers() {
    Config config = EvalFixtures.world()
        .rules("web1", layer("acl", DefaultAction.DENY, rule("out", 10).out().allow()),
            layer("nat", DefaultAction.ALLOW, rule("snat", 10).out().snat(PUBLIC_IP.toString())))
        .build();
    ReferenceEvaluator ev = new ReferenceEvaluator(config);
    Decision out = ev.evaluate(port(config, "web1"), tcpFrom(config, "web1", INTERNET.toString(), 40000, 443),
        ConnectionLookup.NONE);
    Connection snat = out.newConnections().get(0);
    assertThat(snat.kind()).isEqualTo(Connection.Kind.SNAT);
    assertThat(snat.translated().scope()).isEqualTo(FlowTuple.PUBLIC);
    int port = out.packet().tpSrc();

    Decision reply = ev.evaluate(new Ingress.Uplink("host1"), fromInternet(INTERNET, 443, PUBLIC_IP, port),
        ConnectionTable.of(out.newConnections()));

    assertThat(reply.allowed()).isTrue();
    assertThat(reply.layers()).singleElement().extracting(LayerDecision::rule).isEqualTo(LayerDecision.CONNECTION);
    assertThat(reply.packet().nwDst()).isEqualTo(Ipv4.parse("10.1.0.11"));
    assertThat(reply.packet().tpDst()).isEqualTo(40000);
    assertThat(reply.packet().ethDst()).isEqualTo(config.vm("web1").orElseThrow().mac());
    assertThat(reply.output().orElseThrow().port()).isEqualTo("web1-eth0");
  }

  @Test
  void snatReplyArrivingAtAnotherHostsUplinkIsTunnelledAndAdmittedAtTheOwner() {
    Config config = EvalFixtures.world()
        .rules("web1", layer("acl", DefaultAction.DENY, rule("out", 10).out().allow()),
            layer("nat", DefaultAction.ALLOW, rule("snat", 10).out().snat(PUBLIC_IP.toString())))
        .build();
    ReferenceEvaluator ev = new ReferenceEvaluator(config);
    Decision out = ev.evaluate(port(config, "web1"), tcpFrom(config, "web1", INTERNET.toString(), 40000, 443),
        ConnectionLookup.NONE);
    ConnectionTable table = ConnectionTable.of(out.newConnections());

    Decision atHost2 = ev.evaluate(new Ingress.Uplink("host2"),
        fromInternet(INTERNET, 443, PUBLIC_IP, out.packet().tpSrc()), table);
    assertThat(atHost2.output()).contains(new Output(Output.Kind.TUNNEL, "tun-host1", "host1", EvalFixtures.BLUE));

    Decision atHost1 = ev.evaluate(new Ingress.Tunnel("host1", "host2", EvalFixtures.BLUE), atHost2.packet(), table);
    assertThat(atHost1.allowed()).isTrue();
    assertThat(atHost1.layers()).singleElement().extracting(LayerDecision::rule).isEqualTo(LayerDecision.CONNECTION);
    assertThat(atHost1.packet().tpDst()).isEqualTo(40000);
  }

  @Test
  void snatReusesTheMappingOfALiveConnectionAndAvoidsTakenPorts() {
    Config config = EvalFixtures.world()
        .rules("web1", layer("nat", DefaultAction.ALLOW, rule("snat", 10).out().snat(PUBLIC_IP.toString())))
        .rules("db1", layer("nat", DefaultAction.ALLOW, rule("snat", 10).out().snat(PUBLIC_IP.toString())))
        .build();
    ReferenceEvaluator ev = new ReferenceEvaluator(config);
    ConnectionTable table = new ConnectionTable();
    Decision first = ev.evaluate(port(config, "web1"), tcpFrom(config, "web1", INTERNET.toString(), 40000, 443), table);
    first.newConnections().forEach(table::add);

    Decision again = ev.evaluate(port(config, "web1"), tcpFrom(config, "web1", INTERNET.toString(), 40000, 443), table);
    assertThat(again.packet().tpSrc()).isEqualTo(first.packet().tpSrc());

    // Fill every port from db1's hashed start onwards a few steps: allocation probes upwards past them.
    PacketHeaders fromDb = tcpFrom(config, "db1", INTERNET.toString(), 40000, 443);
    int start = ev.evaluate(port(config, "db1"), fromDb, ConnectionLookup.NONE).packet().tpSrc();
    ConnectionLookup crowded = EvalFixtures.takenTranslations(
        t -> Math.floorMod(t.srcPort() - start, 65535 - 1024 + 1) < 3);
    int allocated = ev.evaluate(port(config, "db1"), fromDb, crowded).packet().tpSrc();
    assertThat(allocated).isEqualTo(start + 3 > 65535 ? start + 3 - 64512 : start + 3);
  }

  @Test
  void snatPortsAreUniquePerPublicAddressProtocolAndRemoteEndpoint() {
    Config config = EvalFixtures.world()
        .rules("web1", layer("nat", DefaultAction.ALLOW, rule("snat", 10).out().snat(PUBLIC_IP.toString())))
        .rules("db1", layer("nat", DefaultAction.ALLOW, rule("snat", 10).out().snat(PUBLIC_IP.toString())))
        .build();
    ReferenceEvaluator ev = new ReferenceEvaluator(config);
    ConnectionTable table = new ConnectionTable();
    java.util.Set<Integer> ports = new java.util.HashSet<>();
    for (int i = 0; i < 300; i++) {
      String vm = i % 2 == 0 ? "web1" : "db1";
      Decision d = ev.evaluate(port(config, vm), tcpFrom(config, vm, INTERNET.toString(), 40000 + i / 2, 443), table);
      d.newConnections().forEach(table::add);
      assertThat(ports.add(d.packet().tpSrc())).as("port %d allocated twice", d.packet().tpSrc()).isTrue();
    }
    assertThat(table.size()).isEqualTo(300);
  }

  @Test
  void snatPortIsStableAcrossEvaluatorsAndInRange() {
    Config config = EvalFixtures.world()
        .rules("web1", layer("nat", DefaultAction.ALLOW, rule("snat", 10).out().snat(PUBLIC_IP.toString()))).build();
    for (int sport = 30000; sport < 30050; sport++) {
      PacketHeaders p = tcpFrom(config, "web1", INTERNET.toString(), sport, 443);
      int a = new ReferenceEvaluator(config).evaluate(port(config, "web1"), p, ConnectionLookup.NONE).packet().tpSrc();
      int b = new ReferenceEvaluator(config).evaluate(port(config, "web1"), p, ConnectionLookup.NONE).packet().tpSrc();
      assertThat(a).isEqualTo(b).isBetween(1024, 65535);
    }
  }

  @Test
  void overlappingVnetAddressesNeverShareConnections() {
    // web1 (blue) and red1 (red) have the same address; web1 owns a connection to db1.
    Config config = EvalFixtures.world()
        .rules("red1", layer("acl", DefaultAction.DENY))
        .rules("web1", layer("acl", DefaultAction.DENY, rule("out", 10).out().stateful().allow()))
        .build();
    ReferenceEvaluator ev = new ReferenceEvaluator(config);
    ConnectionTable table = ConnectionTable.of(ev.evaluate(port(config, "web1"),
        tcpFrom(config, "web1", "10.1.0.13", 40000, 80), ConnectionLookup.NONE).newConnections());
    // red1 sends what looks like db1's reply in its own VNET: not a reply of web1's connection.
    Decision d = ev.evaluate(port(config, "red1"),
        new PacketHeaders(config.vm("red1").orElseThrow().mac(), EvalFixtures.GATEWAY, Protocol.IPPROTO_TCP,
            Ipv4.parse("10.1.0.11"), Ipv4.parse("10.1.0.13"), 80, 40000, 0), table);
    assertThat(d.verdict()).isEqualTo(Verdict.DROP);
    assertThat(d.layers()).extracting(LayerDecision::rule).doesNotContain(LayerDecision.CONNECTION);
  }

  @Test
  void icmpEchoReplyMatchesEchoRequestConnection() {
    Config config = EvalFixtures.world()
        .rules("web1", layer("acl", DefaultAction.DENY, rule("ping", 10).out().icmpType(8).stateful().allow()))
        .build();
    ReferenceEvaluator ev = new ReferenceEvaluator(config);
    PacketHeaders request = EvalFixtures.from(config, "web1", Protocol.IPPROTO_ICMP, "10.1.0.12", 8, 0);
    ConnectionTable table = ConnectionTable.of(ev.evaluate(port(config, "web1"), request, ConnectionLookup.NONE)
        .newConnections());
    PacketHeaders reply = EvalFixtures.from(config, "web2", Protocol.IPPROTO_ICMP, "10.1.0.11", 0, 0);

    Decision atHost1 = ev.evaluate(new Ingress.Tunnel("host1", "host2", EvalFixtures.BLUE),
        reply.withEth(EvalFixtures.GATEWAY, config.vm("web1").orElseThrow().mac()), table);

    assertThat(atHost1.allowed()).isTrue();
    assertThat(atHost1.layers()).singleElement().extracting(LayerDecision::rule).isEqualTo(LayerDecision.CONNECTION);
    // A second echo request is not a reply.
    Decision unsolicited = ev.evaluate(new Ingress.Tunnel("host1", "host2", EvalFixtures.BLUE),
        EvalFixtures.from(config, "web2", Protocol.IPPROTO_ICMP, "10.1.0.11", 8, 0), table);
    assertThat(unsolicited.verdict()).isEqualTo(Verdict.DROP);
  }

  @Test
  void inboundSnatRunsOnceWhenThePacketArrivesByTunnel() {
    // web2 translates what it receives and refuses the public range it translates to.
    Config config = EvalFixtures.world()
        .rules("web2", layer("acl", DefaultAction.ALLOW, rule("no-public", 20).in().src("203.0.113.0/24").deny(),
            rule("hide", 10).in().snat(PUBLIC_IP.toString())))
        .build();
    ReferenceEvaluator eval = new ReferenceEvaluator(config);
    ConnectionTable table = new ConnectionTable();
    Decision atSender = eval.evaluate(port(config, "web1"), tcpFrom(config, "web1", "10.1.0.12", 40000, 80), table);
    atSender.newConnections().forEach(table::add);
    assertThat(atSender.output().orElseThrow().kind()).isEqualTo(Output.Kind.TUNNEL);
    assertThat(atSender.packet().nwSrc()).isEqualTo(PUBLIC_IP);

    Decision atReceiver = eval.evaluate(new Ingress.Tunnel("host2", "host1", EvalFixtures.BLUE), atSender.packet(),
        table);

    assertThat(atReceiver.allowed()).as("both hosts reach the same verdict").isTrue();
    assertThat(atReceiver.packet()).as("translated once, at the sender's host").isEqualTo(atSender.packet());
    assertThat(atReceiver.layers()).singleElement().extracting(LayerDecision::rule)
        .isEqualTo(LayerDecision.CONNECTION);
    assertThat(atReceiver.newConnections()).isEmpty();
  }
}
