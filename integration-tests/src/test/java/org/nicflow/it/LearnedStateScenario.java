package org.nicflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.eval.Connection;
import org.nicflow.compiler.flow.Cookie;
import org.nicflow.compiler.flow.FlowKind;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.DefaultAction;
import org.nicflow.compiler.model.Direction;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.Ipv4Prefix;
import org.nicflow.compiler.model.Layer;
import org.nicflow.compiler.model.OffloadMode;
import org.nicflow.compiler.model.PortRange;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.model.Rule;
import org.nicflow.compiler.model.RuleAction;
import org.nicflow.compiler.model.RuleSet;
import org.nicflow.controller.mininet.MininetHarness.CommandResult;
import org.nicflow.controller.mininet.MininetHarness.DumpedFlow;

/**
 * TCP connections admitted by a stateful allow (va's {@code all-out}) in proactive mode, with
 * {@code controller.learn_state} as a subclass says, on real Open vSwitch and Mininet: every
 * connection is answered; with learning it costs no packet-in, the switch holds one learned entry
 * per connection with the rule's cookie, an unsolicited packet shaped like a reply is dropped, and
 * a revision without the rule ends the learned state.
 *
 * <p>Fixture {@code one-host.yaml}: va (client, stateful out, denies everything in but ping from
 * vb), vb (server: TCP 8000-8099 in, TCP out).
 */
abstract class LearnedStateScenario extends OneHostScenario {

  static final int CONNECTIONS = 10;
  static final int PORT = 8080;

  abstract boolean learnState();

  @Override
  java.util.Optional<java.net.InetSocketAddress> api() {
    return java.util.Optional.of(new java.net.InetSocketAddress("127.0.0.1", 0));
  }

  @Override
  OffloadMode mode() {
    return OffloadMode.PROACTIVE;
  }

  @Override
  Config configure(Config fixture) {
    return fixture.withLearnState(learnState());
  }

  @Test
  @Order(1)
  void statefulTcpConnectionsAreAnsweredAndCountTheirPacketIns() {
    String server = serve("vb", "tcp", PORT);
    try {
      long before = controller.partition().counters().packetIns();
      for (int i = 0; i < CONNECTIONS; i++) {
        assertThat(connect("va", VB, PORT, 41000 + i)).as("va -> vb:%d connection %d", PORT, i).isTrue();
      }
      long packetIns = controller.partition().counters().packetIns() - before;
      System.out.printf("[figures] proactive mode, learn_state %s: %d TCP connections through a stateful allow,"
          + " %d packet-ins (%.2f per connection)%n", learnState(), CONNECTIONS, packetIns,
          packetIns / (double) CONNECTIONS);
      if (learnState()) {
        assertThat(packetIns).as("packet-ins for connections the switch learns").isZero();
        assertThat(learned()).as("learned entries for va's connections to vb:%d", PORT)
            .filteredOn(f -> f.match().contains("tp_src=" + PORT)).hasSizeGreaterThanOrEqualTo(CONNECTIONS)
            .allSatisfy(f -> assertThat(f.table()).isEqualTo(Pipeline.number(Pipeline.STATE_RECEIVER)));
      } else {
        assertThat(packetIns).as("packet-ins without learning").isGreaterThanOrEqualTo(CONNECTIONS);
      }
    } finally {
      harness.kill(server);
    }
  }

  @Test
  @Order(2)
  void auditsAndTheFlowsEndpointReadTheNiciraActionsBackAndLeaveLearnedEntriesAlone() throws Exception {
    String server = serve("vb", "tcp", PORT);
    try {
      assertThat(connect("va", VB, PORT, 41900)).isTrue();
      int learnedBefore = learned().size();

      int repairs = controller.partition().audit().get(10, java.util.concurrent.TimeUnit.SECONDS);

      assertThat(repairs).as("flow-mods the audit sent").isZero();
      assertThat(learned()).as("learned entries after the audit").hasSize(learnedBefore);
      java.net.http.HttpResponse<String> flows = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
              + controller.apiPort().getAsInt() + "/api/v1/hosts/" + BRIDGE + "/flows")).GET().build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(flows.statusCode()).as(flows.body()).isEqualTo(200);
      if (learnState()) {
        assertThat(flows.body()).contains("resubmit(,50)").contains("learn(table=51")
            .doesNotContainPattern("\"translated\"\\s*:\\s*false");
      }
    } finally {
      harness.kill(server);
    }
  }

  @Test
  @Order(3)
  void anUnsolicitedReplyShapedPacketIsDropped() {
    // vb -> va from the server's port to a client port no connection used: va's acl denies it.
    assertThat(connect("vb", VA, 43999, PORT)).as("vb:%d -> va:43999 without a connection", PORT).isFalse();
  }

  @Test
  @Order(4)
  void aRevisionWithoutTheRuleEndsTheLearnedState() throws Exception {
    String server = serve("vb", "tcp", PORT);
    try {
      assertThat(connect("va", VB, PORT, 42000)).isTrue();
      if (learnState()) {
        assertThat(learned()).isNotEmpty();
      }
      putConfig(controller.config().withoutRule("client", "all-out"));
      assertThat(learned()).as("learned entries after the rule went").isEmpty();
      assertThat(connect("va", VB, PORT, 42001)).as("a new connection without the rule").isFalse();
    } finally {
      harness.kill(server);
    }
  }

  /**
   * vb admits TCP with a stateful rule and sends no TCP itself; va translates every TCP segment it
   * receives from vb (an inbound snat rule). With learning, va's SYN is learned for vb and vb's
   * SYN-ACK, which skips vb's layers in the switch, still goes to the controller for va's snat rule,
   * marked in its metadata (SKIP_OUT, vb): the controller must decide it with vb's connection, as the
   * evaluator does (allowed and translated; without the connection vb's default deny would drop it).
   * va's kernel refuses the translated SYN-ACK, so the connection itself does not complete.
   */
  @Test
  @Order(5)
  void aLearnedReplyThatReachesTheControllerIsDecidedWithItsConnection() throws Exception {
    Config now = controller.config();
    Rule tcpOut = rule("tcp-out", Direction.OUT, Ipv4Prefix.ANY, RuleAction.ALLOW, Optional.empty(), false);
    Rule natFromVb = rule("nat-from-vb", Direction.IN, Ipv4Prefix.parse(VB + "/32"), RuleAction.SNAT,
        Optional.of(Ipv4.parse("192.0.2.50")), false);
    Rule webIn = new Rule("web-in", 100, Direction.IN, Protocol.TCP, Ipv4Prefix.ANY, Ipv4Prefix.ANY, PortRange.ANY,
        PortRange.parse("8000-8099"), OptionalInt.empty(), RuleAction.ALLOW, Optional.empty(), OptionalInt.empty(),
        true);
    List<RuleSet> sets = now.rulesets().stream().map(rs -> switch (rs.name()) {
      case "client" -> new RuleSet("client", List.of(new Layer("acl", DefaultAction.DENY, List.of(natFromVb, tcpOut))));
      case "server" -> new RuleSet("server", List.of(new Layer("acl", DefaultAction.DENY, List.of(webIn))));
      default -> rs;
    }).toList();
    putConfig(new Config(now.controller(), now.hosts(), now.vnets(), now.vms(), sets, now.loadBalancers()));
    String server = serve("vb", "tcp", PORT);
    try {
      long deniedBefore = controller.partition().counters().deniedMisses();

      connect("va", VB, PORT, 44000);

      List<Connection> live = controller.partition().connections().all();
      assertThat(live).as("connections after va's SYN and vb's SYN-ACK").anySatisfy(c -> {
        assertThat(c.ownerVm()).isEqualTo("vb");
        assertThat(c.kind()).isEqualTo(Connection.Kind.STATEFUL);
        assertThat(c.original().srcPort()).isEqualTo(44000);
      });
      if (learnState()) {
        // Without learning the controller made vb's connection itself and the SYN-ACK may take its reverse flow.
        assertThat(live).as("va's translation of the SYN-ACK the controller decided").anySatisfy(c -> {
          assertThat(c.ownerVm()).isEqualTo("va");
          assertThat(c.kind()).isEqualTo(Connection.Kind.SNAT);
        });
      }
      assertThat(controller.partition().counters().deniedMisses() - deniedBefore)
          .as("misses denied: vb's SYN-ACK must not be").isZero();
    } finally {
      harness.kill(server);
    }
  }

  private static Rule rule(String id, Direction direction, Ipv4Prefix src, RuleAction action, Optional<Ipv4> snatTo,
      boolean stateful) {
    return new Rule(id, 10, direction, Protocol.TCP, src, Ipv4Prefix.ANY, PortRange.ANY, PortRange.ANY,
        OptionalInt.empty(), action, snatTo, OptionalInt.empty(), stateful);
  }

  private boolean connect(String from, String to, int port, int sourcePort) {
    CommandResult r = harness.cmd(from, "/usr/bin/python3 " + probe + " connect tcp " + to + " " + port
        + " --timeout 2 --source-port " + sourcePort, Duration.ofSeconds(15));
    return r.succeeded() && r.output().contains("ok");
  }

  /** The entries the switch learned (cookie kind LEARNED). */
  private List<DumpedFlow> learned() {
    return harness.dumpFlows(BRIDGE).stream()
        .filter(f -> Cookie.kindOf(Long.parseUnsignedLong(f.cookie().substring(2), 16))
            .filter(k -> k == FlowKind.LEARNED).isPresent())
        .toList();
  }
}
