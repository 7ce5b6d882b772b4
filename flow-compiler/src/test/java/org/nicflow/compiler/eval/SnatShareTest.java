package org.nicflow.compiler.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nicflow.compiler.eval.EvalFixtures.BLUE;
import static org.nicflow.compiler.eval.EvalFixtures.GATEWAY;
import static org.nicflow.compiler.eval.EvalFixtures.INTERNET;
import static org.nicflow.compiler.eval.EvalFixtures.PUBLIC_IP;
import static org.nicflow.compiler.eval.EvalFixtures.layer;
import static org.nicflow.compiler.eval.EvalFixtures.port;
import static org.nicflow.compiler.eval.EvalFixtures.rule;
import static org.nicflow.compiler.eval.EvalFixtures.tcpFrom;

import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.DefaultAction;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.model.SnatShares;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.packet.PacketHeaders;

/** docs/semantics.md, "SNAT": each VM's share of a public address's ports and query identifiers. */
class SnatShareTest {

  private static final int HTTPS = 443;

  /** web1 and db1 both SNAT to PUBLIC_IP; the others do not. */
  private static Config twoSharers() {
    return EvalFixtures.world()
        .rules("web1", layer("nat", DefaultAction.ALLOW, rule("snat", 10).out().snat(PUBLIC_IP.toString())))
        .rules("db1", layer("nat", DefaultAction.ALLOW, rule("snat", 10).out().snat(PUBLIC_IP.toString())))
        .build();
  }

  private static Config onlyWeb1() {
    return EvalFixtures.world()
        .rules("web1", layer("nat", DefaultAction.ALLOW, rule("snat", 10).out().snat(PUBLIC_IP.toString())))
        .build();
  }

  private static Config withSnatPorts(Config config, String vm, int ports) {
    List<Vm> vms = config.vms().stream().map(v -> !v.name().equals(vm) ? v : new Vm(v.name(), v.host(), v.port(),
        v.mac(), v.ip(), v.vnet(), v.ruleset(), v.meterKbps(), v.missRatePps(), v.missBurst(), OptionalInt.of(ports)))
        .toList();
    return new Config(config.controller(), config.hosts(), config.vnets(), vms, config.rulesets(),
        config.loadBalancers());
  }

  /** Evaluates and keeps the connections made, as the controller does. */
  private static Decision open(ReferenceEvaluator ev, ConnectionTable table, Config config, String vm, int sport) {
    Decision d = ev.evaluate(port(config, vm), tcpFrom(config, vm, INTERNET.toString(), sport, HTTPS), table);
    d.newConnections().forEach(table::add);
    return d;
  }

  @Test
  void oneVmUsingUpItsShareLeavesAnotherVmTheSameDestination() {
    Config config = twoSharers();
    ReferenceEvaluator ev = new ReferenceEvaluator(config);
    ConnectionTable table = new ConnectionTable();
    int opened = 0;
    Decision last = null;
    for (int sport = 1; sport <= 40_000; sport++) {
      last = open(ev, table, config, "web1", sport);
      if (!last.allowed()) {
        break;
      }
      opened++;
    }
    assertThat(opened).as("web1 opens its half of 1024-65535 and no more").isEqualTo(SnatShares.PORTS / 2);
    assertThat(last.dropReason().orElseThrow()).contains("no free SNAT port on " + PUBLIC_IP)
        .contains("web1's share 33280-65535");
    assertThat(last.snatExhaustion()).contains(new SnatExhaustion("web1", PUBLIC_IP, false));

    Decision other = open(ev, table, config, "db1", 5555);
    assertThat(other.allowed()).as("db1 towards the same destination: %s", other.dropReason()).isTrue();
    assertThat(other.packet().tpSrc()).isBetween(1024, 33279);
    assertThat(other.snatExhaustion()).isEmpty();
  }

  @Test
  void anExplicitShareIsAllAVmGets() {
    Config config = withSnatPorts(twoSharers(), "web1", 2);
    ReferenceEvaluator ev = new ReferenceEvaluator(config);
    ConnectionTable table = new ConnectionTable();
    assertThat(open(ev, table, config, "web1", 1).allowed()).isTrue();
    assertThat(open(ev, table, config, "web1", 2).allowed()).isTrue();
    Decision third = open(ev, table, config, "web1", 3);
    assertThat(third.allowed()).isFalse();
    assertThat(third.dropReason().orElseThrow()).contains("web1's share 65534-65535");
    assertThat(open(ev, table, config, "web1", 1).allowed()).as("a later packet keeps its mapping").isTrue();
    assertThat(open(ev, table, config, "db1", 3).allowed()).isTrue();
  }

  /**
   * The allocation asks the connection lookup as many questions with all of web1's ports but one
   * taken as with none taken: the free port is found by the lookup, not by a probe per port.
   */
  @Test
  void allocationCostDoesNotGrowWithOccupancy() {
    Config config = onlyWeb1();
    ReferenceEvaluator ev = new ReferenceEvaluator(config);
    PacketHeaders next = tcpFrom(config, "web1", INTERNET.toString(), 65_000, HTTPS);
    int start = SnatShares.PORT_SPACE.pick(ReferenceEvaluator.hash(FlowTuple.of(next, BLUE)));
    int onlyFree = start == 1024 ? 65535 : start - 1; // a probe from start passes every other port

    CountingLookup empty = new CountingLookup(new ConnectionTable());
    Decision first = ev.evaluate(port(config, "web1"), next, empty);
    assertThat(first.packet().tpSrc()).isEqualTo(start);

    ConnectionTable full = new ConnectionTable();
    Vm web1 = config.vm("web1").orElseThrow();
    int sport = 1;
    for (int p = 1024; p <= 65535; p++) {
      if (p != onlyFree) {
        full.add(new Connection(new FlowTuple(BLUE, Protocol.IPPROTO_TCP, web1.ip(), sport++, INTERNET, HTTPS),
            new FlowTuple(FlowTuple.PUBLIC, Protocol.IPPROTO_TCP, PUBLIC_IP, p, INTERNET, HTTPS), "web1",
            Connection.Kind.SNAT));
      }
    }
    CountingLookup crowded = new CountingLookup(full);
    Decision last = ev.evaluate(port(config, "web1"), next, crowded);
    assertThat(last.packet().tpSrc()).isEqualTo(onlyFree);
    assertThat(crowded.inUseQuestions).isEqualTo(empty.inUseQuestions).isLessThanOrEqualTo(1);
    assertThat(crowded.freeQuestions).isEqualTo(empty.freeQuestions).isEqualTo(1);
  }

  @Test
  void aLiveConnectionKeepsItsPortWhenTheSharesAreLaidOutAgain() {
    Config before = onlyWeb1();
    ConnectionTable table = new ConnectionTable();
    Decision d = open(new ReferenceEvaluator(before), table, before, "web1", 40_000);
    int port = d.packet().tpSrc();

    Config after = twoSharers(); // db1 now SNATs too and takes 1024-33279 (names in order)
    ReferenceEvaluator ev = new ReferenceEvaluator(after);
    assertThat(open(ev, table, after, "web1", 40_000).packet().tpSrc()).isEqualTo(port);
    assertThat(open(ev, table, after, "web1", 40_001).packet().tpSrc()).isBetween(33280, 65535);
  }

  @Test
  void aVmThatUsesUpItsQueryIdentifiersLeavesAnotherVmItsOwn() {
    Config config = withSnatPorts(twoSharers(), "web1", 3); // db1 0-65532, web1 65533-65535
    ReferenceEvaluator ev = new ReferenceEvaluator(config);
    ConnectionTable table = new ConnectionTable();
    for (int id = 1; id <= 3; id++) {
      Decision d = ev.evaluate(port(config, "web1"), echo(config, "web1", id), table);
      assertThat(d.allowed()).as("request %d: %s", id, d.dropReason()).isTrue();
      assertThat(d.packet().icmpId()).as("an identifier outside web1's share is rewritten").isBetween(65533, 65535);
      d.newConnections().forEach(table::add);
    }
    Decision fourth = ev.evaluate(port(config, "web1"), echo(config, "web1", 4), table);
    assertThat(fourth.allowed()).isFalse();
    assertThat(fourth.snatExhaustion()).contains(new SnatExhaustion("web1", PUBLIC_IP, true));

    Decision other = ev.evaluate(port(config, "db1"), echo(config, "db1", 4), table);
    assertThat(other.allowed()).isTrue();
    assertThat(other.packet().icmpId()).as("db1 keeps its own identifier, in its share").isEqualTo(4);
  }

  private static PacketHeaders echo(Config config, String vm, int id) {
    Vm v = config.vm(vm).orElseThrow();
    return new PacketHeaders(v.mac(), GATEWAY, Protocol.IPPROTO_ICMP, v.ip(), INTERNET,
        PacketHeaders.ICMP_ECHO_REQUEST, 0, 0, id);
  }

  /** A table that counts the allocation questions it is asked. */
  private static final class CountingLookup implements ConnectionLookup {
    final ConnectionTable table;
    int inUseQuestions;
    int freeQuestions;

    CountingLookup(ConnectionTable table) {
      this.table = table;
    }

    @Override
    public boolean translatedInUse(FlowTuple translated) {
      inUseQuestions++;
      return table.translatedInUse(translated);
    }

    @Override
    public OptionalInt freeSourcePort(FlowTuple translated, int lo, int hi) {
      freeQuestions++;
      return table.freeSourcePort(translated, lo, hi);
    }

    @Override
    public OptionalInt freeQueryId(FlowTuple translated, int lo, int hi) {
      freeQuestions++;
      return table.freeQueryId(translated, lo, hi);
    }

    @Override
    public List<Connection> allByReplyKey(FlowTuple replyKey) {
      return table.allByReplyKey(replyKey);
    }

    @Override
    public List<Connection> allByOriginal(FlowTuple original) {
      return table.allByOriginal(original);
    }

    @Override
    public List<Connection> allByReplyPair(FlowTuple replyPair) {
      return table.allByReplyPair(replyPair);
    }

    @Override
    public List<Connection> allByOriginalPair(FlowTuple originalPair) {
      return table.allByOriginalPair(originalPair);
    }
  }
}
