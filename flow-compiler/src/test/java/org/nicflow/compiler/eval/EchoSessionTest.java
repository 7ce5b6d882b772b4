package org.nicflow.compiler.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nicflow.compiler.eval.EvalFixtures.GATEWAY;
import static org.nicflow.compiler.eval.EvalFixtures.INTERNET;
import static org.nicflow.compiler.eval.EvalFixtures.NEXT_HOP_1;
import static org.nicflow.compiler.eval.EvalFixtures.PUBLIC_IP;
import static org.nicflow.compiler.eval.EvalFixtures.layer;
import static org.nicflow.compiler.eval.EvalFixtures.port;
import static org.nicflow.compiler.eval.EvalFixtures.rule;

import org.junit.jupiter.api.Test;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.DefaultAction;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.packet.PacketHeaders;

/** ICMP echo sessions keyed by their identifier, and SNAT of echo (RFC 5508 query-id translation). */
class EchoSessionTest {

  private static final Config SNAT = EvalFixtures.world()
      .rules("web1", layer("nat", DefaultAction.ALLOW, rule("snat", 10).out().snat(PUBLIC_IP.toString())))
      .rules("db1", layer("nat", DefaultAction.ALLOW, rule("snat", 10).out().snat(PUBLIC_IP.toString())))
      .build();
  /**
   * An identifier in web1's share of PUBLIC_IP's identifiers under SNAT: db1 and web1, in the order of
   * their names, share 0-65535 as 0-32767 and 32768-65535 (docs/semantics.md, "SNAT").
   */
  private static final int WEB1_ID = 40_000;
  /** db1 admits nothing unsolicited: echo replies reach web1 only as replies of its own sessions. */
  private static final Config STATEFUL = EvalFixtures.world()
      .rules("web1", layer("acl", DefaultAction.DENY, rule("out", 10).out().stateful().allow()))
      .rules("db1", layer("acl", DefaultAction.DENY, rule("echo-in", 10).in().icmp().allow(),
          rule("out", 10).out().allow()))
      .build();

  private final ConnectionTable table = new ConnectionTable();

  @Test
  void twoPingsFromOneVmToOneHostWithDifferentIdentifiersAreTwoConnections() {
    ReferenceEvaluator ev = new ReferenceEvaluator(STATEFUL);
    Decision first = decideAndKeep(ev, port(STATEFUL, "web1"), request(STATEFUL, "web1", "10.1.0.13", 7));
    Decision second = decideAndKeep(ev, port(STATEFUL, "web1"), request(STATEFUL, "web1", "10.1.0.13", 8));

    assertThat(table.all()).hasSize(2);
    assertThat(table.all()).extracting(c -> c.original().queryId()).containsExactly(7, 8);
    assertThat(first.newConnections()).singleElement().extracting(c -> c.replyKey().queryId()).isEqualTo(7);
    // One exact flow per pair carries both: nothing is translated, so the switch can.
    assertThat(first.controllerPath()).isFalse();
    assertThat(second.controllerPath()).isFalse();
  }

  @Test
  void anEchoReplyWhoseIdentifierNoSessionHasIsAdmittedOnlyWhereTheExactFlowWouldAdmitIt() {
    ReferenceEvaluator ev = new ReferenceEvaluator(STATEFUL);
    Vm db1 = STATEFUL.vm("db1").orElseThrow();
    PacketHeaders unseen = new PacketHeaders(db1.mac(), GATEWAY, Protocol.IPPROTO_ICMP, db1.ip(),
        Ipv4.parse("10.1.0.11"), PacketHeaders.ICMP_ECHO_REPLY, 0, 0, 99);
    assertThat(ev.evaluate(port(STATEFUL, "db1"), unseen, table).allowed())
        .as("no session of the pair: web1's layers deny an unsolicited reply").isFalse();

    decideAndKeep(ev, port(STATEFUL, "web1"), request(STATEFUL, "web1", "10.1.0.13", 7));
    Decision reply = ev.evaluate(port(STATEFUL, "db1"), unseen, table);
    // The pair's reply flow carries every identifier alike; the evaluator says what it does.
    assertThat(reply.allowed()).isTrue();
    assertThat(reply.packet().icmpId()).isEqualTo(99);
    assertThat(reply.layers()).last().extracting(LayerDecision::rule).isEqualTo(LayerDecision.CONNECTION);
  }

  @Test
  void snatKeepsAFreeIdentifierOfTheVmsShareAndTranslatesOneOutsideIt() {
    ReferenceEvaluator ev = new ReferenceEvaluator(SNAT);
    Decision web = decideAndKeep(ev, port(SNAT, "web1"), request(SNAT, "web1", INTERNET.toString(), WEB1_ID));
    Decision db = decideAndKeep(ev, port(SNAT, "db1"), request(SNAT, "db1", INTERNET.toString(), WEB1_ID));

    assertThat(web.packet().nwSrc()).isEqualTo(PUBLIC_IP);
    assertThat(web.packet().icmpId()).as("free and in web1's share: kept").isEqualTo(WEB1_ID);
    assertThat(db.packet().nwSrc()).isEqualTo(PUBLIC_IP);
    assertThat(db.packet().icmpId()).as("taken by web1, outside db1's share: translated")
        .isBetween(0, 32767);
    // Every request of a SNAT echo session reaches the controller, which sees each identifier.
    assertThat(web.controllerPath()).isTrue();
    assertThat(db.controllerPath()).isTrue();

    Decision toWeb = ev.evaluate(new Ingress.Uplink("host1"), reply(WEB1_ID), table);
    Decision toDb = ev.evaluate(new Ingress.Uplink("host1"), reply(db.packet().icmpId()), table);
    assertThat(toWeb.output().orElseThrow().port()).isEqualTo("web1-eth0");
    assertThat(toWeb.packet().icmpId()).isEqualTo(WEB1_ID);
    assertThat(toDb.output().orElseThrow().port()).isEqualTo("db1-eth0");
    assertThat(toDb.packet().nwDst()).isEqualTo(SNAT.vm("db1").orElseThrow().ip());
    assertThat(toDb.packet().icmpId()).as("restored").isEqualTo(WEB1_ID);
    assertThat(toWeb.controllerPath()).as("the pair is shared: replies go through the controller").isTrue();
    assertThat(toDb.controllerPath()).isTrue();

    Decision again = ev.evaluate(port(SNAT, "db1"), request(SNAT, "db1", INTERNET.toString(), WEB1_ID), table);
    assertThat(again.packet().icmpId()).as("the session keeps its mapping").isEqualTo(db.packet().icmpId());
  }

  @Test
  void snatEchoRepliesTakeTheControllersPathAndAnUnknownIdentifierIsNobodysOnceThePairIsShared() {
    ReferenceEvaluator ev = new ReferenceEvaluator(SNAT);
    decideAndKeep(ev, port(SNAT, "web1"), request(SNAT, "web1", INTERNET.toString(), WEB1_ID));
    decideAndKeep(ev, port(SNAT, "web1"), request(SNAT, "web1", INTERNET.toString(), WEB1_ID + 1));
    assertThat(ev.evaluate(new Ingress.Uplink("host1"), reply(WEB1_ID), table).controllerPath()).isTrue();
    Decision stray = ev.evaluate(new Ingress.Uplink("host1"), reply(1234), table);
    assertThat(stray.output().orElseThrow().port()).as("the pair's sessions are alike: web1's")
        .isEqualTo("web1-eth0");

    decideAndKeep(ev, port(SNAT, "db1"), request(SNAT, "db1", INTERNET.toString(), 9));
    assertThat(ev.evaluate(new Ingress.Uplink("host1"), reply(WEB1_ID), table).controllerPath()).isTrue();
    assertThat(ev.evaluate(new Ingress.Uplink("host1"), reply(1234), table).allowed())
        .as("shared pair: an identifier no session has is nobody's").isFalse();
  }

  @Test
  void theQueryIdentifiersOfOnePublicAddressAndHostRunOut() {
    Config one = EvalFixtures.world()
        .rules("web1", layer("nat", DefaultAction.ALLOW, rule("snat", 10).out().snat(PUBLIC_IP.toString())))
        .build();
    ReferenceEvaluator ev = new ReferenceEvaluator(one);
    ConnectionLookup full = EvalFixtures.takenTranslations(t -> true);
    Decision d = ev.evaluate(port(one, "web1"), request(one, "web1", INTERNET.toString(), 1), full);
    assertThat(d.allowed()).isFalse();
    assertThat(d.dropReason().orElseThrow()).contains("no free ICMP query identifier on " + PUBLIC_IP);
  }

  private Decision decideAndKeep(ReferenceEvaluator ev, Ingress ingress, PacketHeaders p) {
    Decision d = ev.evaluate(ingress, p, table);
    assertThat(d.allowed()).as("%s: %s", p, d.dropReason()).isTrue();
    d.newConnections().forEach(table::add);
    return d;
  }

  private static PacketHeaders request(Config config, String vm, String dst, int id) {
    Vm v = config.vm(vm).orElseThrow();
    return new PacketHeaders(v.mac(), GATEWAY, Protocol.IPPROTO_ICMP, v.ip(), Ipv4.parse(dst),
        PacketHeaders.ICMP_ECHO_REQUEST, 0, 0, id);
  }

  private static PacketHeaders reply(int id) {
    return new PacketHeaders(NEXT_HOP_1, GATEWAY, Protocol.IPPROTO_ICMP, INTERNET, PUBLIC_IP,
        PacketHeaders.ICMP_ECHO_REPLY, 0, 0, id);
  }
}
