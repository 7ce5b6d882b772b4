package org.nicflow.controller.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.diff.FlowDiffer;
import org.nicflow.compiler.eval.Connection;
import org.nicflow.compiler.eval.ConnectionTable;
import org.nicflow.compiler.flow.Cookie;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.FlowEntry.FlowKey;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Direction;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.Ipv4Prefix;
import org.nicflow.compiler.model.Layer;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.model.PolicyIds;
import org.nicflow.compiler.model.PortRange;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.model.Rule;
import org.nicflow.compiler.model.RuleAction;
import org.nicflow.compiler.model.RuleSet;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.packet.PacketHeaders;
import org.nicflow.compiler.proactive.OvsFlowRenderer;
import org.nicflow.controller.openflow.packet.FrameBuilder;
import org.nicflow.controller.openflow.packet.FrameParser;
import org.nicflow.controller.policy.PolicySnapshot;
import org.nicflow.controller.policy.UpdatePlan;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFFlowModCommand;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.U64;

/**
 * A new policy revision applied while connections are live, on the demo config: what stays in the
 * bridges, what leaves, what is rewritten in place, and that a dry-run plan says exactly that.
 */
class HostPartitionLiveUpdateTest {

  private static final MacAddress GATEWAY = MacAddress.DEFAULT_GATEWAY;
  private static final MacAddress WEB1_MAC = MacAddress.parse("02:00:00:00:01:0b");
  private static final MacAddress DB1_MAC = MacAddress.parse("02:00:00:00:01:15");
  private static final Ipv4 WEB1 = Ipv4.parse("10.1.0.11");
  private static final Ipv4 WEB2 = Ipv4.parse("10.1.0.12");
  private static final Ipv4 DB1 = Ipv4.parse("10.1.0.21");
  private static final int WEB1_PORT = 1;
  private static final int DB1_PORT = 2;
  private static final int UNIFIED = Pipeline.number(Pipeline.UNIFIED);

  private Config demo;
  private PolicySnapshot initial;
  private HostPartition partition;
  private FakeBridge host1;
  private FakeBridge host2;

  /** The flow-mods one miss sent to each bridge, and the connections it opened. */
  private record Opened(List<OFFlowMod> onHost1, List<OFFlowMod> onHost2, Set<Connection> connections) {
    Opened {
      onHost1 = List.copyOf(onHost1);
      onHost2 = List.copyOf(onHost2);
      connections = Set.copyOf(connections);
    }

    List<OFFlowMod> on(FakeBridge bridge) {
      return bridge.host().equals("host1") ? onHost1 : onHost2;
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    demo = new ConfigLoader().load(Path.of("../examples/demo.yaml"));
    initial = PolicySnapshot.of(1, demo);
    partition = new HostPartition(initial, new FlowReconciler(new FlowDiffer(), Duration.ofSeconds(5)),
        new FrameParser(), new ConnectionTable(), new RuleStatistics());
    host1 = new FakeBridge("host1", 1L,
        Map.of("p-web1", WEB1_PORT, "p-db1", DB1_PORT, "p-red1", 3, "host1-up", 4, "tun-host2", 5));
    host2 = new FakeBridge("host2", 2L,
        Map.of("p-web2", 1, "p-red2", 2, "host2-up", 3, "tun-host1", 4, "p-db2", 5));
    partition.switchConnected(host1);
    partition.switchConnected(host2);
    clearRecords();
  }

  @Test
  void ruleChangeThatDeniesAConnectionDeletesItsFlowsAndEndsItButLeavesOtherRuleSetsAlone() {
    Opened db = open(WEB1, DB1, 40000, 5432);
    Opened web = open(WEB1, WEB2, 40001, 8080);
    assertThat(db.onHost1()).isNotEmpty();
    assertThat(web.onHost1()).isNotEmpty();
    assertThat(web.onHost2()).as("web2's reply flow on host2").isNotEmpty();
    assertThat(db.connections()).isNotEmpty();
    assertThat(web.connections()).isNotEmpty();
    Map<OFFlowMod, Long> webCookies = new HashMap<>();
    for (FakeBridge bridge : List.of(host1, host2)) {
      web.on(bridge).forEach(m -> webCookies.put(m, installed(bridge, m).orElseThrow().getCookie().getValue()));
    }

    partition.apply(revision(2, withoutRule(demo, "db", "acl", "pg-in"))).join();

    for (OFFlowMod m : db.onHost1()) {
      assertThat(installed(host1, m)).as("web1->db1 flow %s", m.getMatch()).isEmpty();
    }
    assertThat(partition.connections().all()).containsExactlyInAnyOrderElementsOf(web.connections());
    for (FakeBridge bridge : List.of(host1, host2)) {
      for (OFFlowMod m : web.on(bridge)) {
        assertThat(installed(bridge, m)).as("web1->web2 flow on %s", bridge.host()).isPresent();
        assertThat(installed(bridge, m).get().getCookie().getValue()).isEqualTo(webCookies.get(m));
        assertThat(bridge.sentOf(OFFlowMod.class)).noneMatch(sameKey(m));
      }
    }
  }

  @Test
  void denyingAConnectionAlsoDeletesTheReplyFlowItMadeOnTheOtherHost() {
    Opened toWeb2 = open(DB1_PORT, DB1_MAC, DB1, WEB2, 40010, 8080);
    assertThat(toWeb2.onHost2()).as("web2's reply flow on host2").isNotEmpty();
    assertThat(toWeb2.connections()).isNotEmpty();

    partition.apply(revision(2, withoutRule(demo, "web", "acl", "http-in"))).join();

    for (FakeBridge bridge : List.of(host1, host2)) {
      for (OFFlowMod m : toWeb2.on(bridge)) {
        assertThat(installed(bridge, m)).as("db1->web2 flow on %s: %s", bridge.host(), m.getMatch()).isEmpty();
      }
    }
    assertThat(partition.connections().all()).doesNotContainAnyElementsOf(toWeb2.connections());
  }

  @Test
  void keptConnectionKeepsTheReplyFlowItMadeOnTheOtherHostUnderTheNewCookie() {
    Opened web = open(WEB1, WEB2, 40011, 8080);
    assertThat(web.onHost2()).isNotEmpty();
    PolicySnapshot next = revision(2, withRule(demo, "web", "acl", tcpIn("redis-in", 95, 6379)));
    int generation = next.config().generationOf(demo.vm("web1").orElseThrow());
    assertThat(generation).isNotEqualTo(demo.generationOf(demo.vm("web1").orElseThrow()));

    partition.apply(next).join();

    assertThat(partition.connections().all()).containsExactlyInAnyOrderElementsOf(web.connections());
    for (FakeBridge bridge : List.of(host1, host2)) {
      for (OFFlowMod m : web.on(bridge)) {
        OFFlowMod now = installed(bridge, m)
            .orElseThrow(() -> new AssertionError("web1->web2 flow gone from " + bridge.host() + ": " + m));
        assertThat(Cookie.decode(now.getCookie().getValue()).generation()).isEqualTo(generation);
      }
    }
  }

  @Test
  void ruleThatMakesAKeptConnectionStatefulAlsoAdmitsItsReplies() {
    Config stateless = editLayer(demo, "db", "acl", l -> new Layer(l.name(), l.defaultAction(), l.rules().stream()
        .map(r -> !r.id().equals("all-out") ? r : new Rule(r.id(), r.priority(), r.direction(), r.proto(), r.src(),
            r.dst(), r.srcPort(), r.dstPort(), r.icmpType(), r.action(), r.snatTo(), r.dscp(), false))
        .toList()));
    PolicySnapshot withoutState = revision(2, stateless);
    partition.apply(withoutState).join();
    Opened toWeb2 = open(DB1_PORT, DB1_MAC, DB1, WEB2, 40030, 8080);
    assertThat(toWeb2.connections()).as("db1's rules keep no state now").isEmpty();
    assertThat(toWeb2.onHost1()).isNotEmpty();
    // Back to the stateful rule, with an unrelated rule beside it.
    Config stateful = withRule(demo, "db", "acl", tcpIn("redis-in", 95, 6379));
    PolicySnapshot next = PolicySnapshot.of(3,
        stateful.withIds(PolicyIds.next(withoutState.config().ids(), withoutState.config().rulesets(), stateful)));

    partition.apply(next).join();

    // The flow that carried it without state is not the new decision's: it goes, and the next
    // packet is decided afresh, which opens the connection.
    for (OFFlowMod m : toWeb2.onHost1()) {
      assertThat(installed(host1, m)).as("db1->web2 stateless flow %s", m.getMatch()).isEmpty();
    }
    Opened again = open(DB1_PORT, DB1_MAC, DB1, WEB2, 40030, 8080);
    assertThat(again.connections()).isNotEmpty();
    // web2's reply reaches host1 by the tunnel: under the new policy it belongs to db1's connection.
    byte[] reply = FrameBuilder.ipv4(PacketHeaders.tcp(GATEWAY, DB1_MAC, WEB2, DB1, 8080, 40030)).build();
    OFPacketIn fromTunnel = host1.packetIn(5, reply).createBuilder().setMatch(host1.factory().buildMatch()
        .setExact(MatchField.IN_PORT, OFPort.of(5)).setExact(MatchField.TUNNEL_ID, U64.of(5001)).build()).build();
    long deniedBefore = partition.counters().deniedMisses();
    partition.packetIn(host1, fromTunnel);
    assertThat(partition.counters().deniedMisses() - deniedBefore).as("web2's reply to db1, denied").isZero();
  }

  @Test
  void editThatKeepsAVerdictRewritesTheCookieInPlaceAndKeepsTheCounters() {
    Opened db = open(WEB1, DB1, 40002, 5432);
    host1.countTraffic(UNIFIED, 7, 700);
    PolicySnapshot next = revision(2, withRule(demo, "db", "acl", tcpIn("redis-in", 95, 6379)));
    int generation = next.config().generationOf(demo.vm("db1").orElseThrow());
    assertThat(generation).isNotEqualTo(demo.generationOf(demo.vm("db1").orElseThrow()));
    clearRecords();

    partition.apply(next).join();

    assertThat(partition.connections().all()).containsExactlyInAnyOrderElementsOf(db.connections());
    for (OFFlowMod m : db.onHost1()) {
      OFFlowStatsEntry now = stats(host1, m).orElseThrow(() -> new AssertionError("flow deleted: " + m));
      assertThat(Cookie.decode(now.getCookie().getValue()).generation()).isEqualTo(generation);
      assertThat(now.getPacketCount().getValue()).isEqualTo(7);
      assertThat(now.getByteCount().getValue()).isEqualTo(700);
      assertThat(host1.sentOf(OFFlowMod.class).stream().filter(sameKey(m)))
          .extracting(OFFlowMod::getCommand).containsExactly(OFFlowModCommand.ADD);
    }
  }

  @Test
  void editThatChangesNothingForAHostSendsItOnlyABarrier() {
    PolicySnapshot next = revision(2, withRule(demo, "db", "acl", tcpIn("redis-in", 95, 6379)));

    partition.apply(next).join();

    assertThat(host1.sentOf(OFFlowMod.class)).as("db1 lives on host1: its flows follow the edit").isNotEmpty();
    assertThat(host2.sentOf(OFMessage.class)).isEmpty();
    assertThat(host2.barriers()).isEqualTo(1);
  }

  @Test
  void ruleSetEditBringsTheCookiesOfItsVmsBaseFlowsToTheNewGeneration() {
    PolicySnapshot next = revision(2, withRule(demo, "db", "acl", tcpIn("redis-in", 95, 6379)));
    int db1 = demo.vmIndex("db1");
    assertThat(BridgeTables.entries(host1)).anyMatch(namesVm(db1));

    partition.apply(next).join();

    assertThat(BridgeTables.compiledEntries(host1)).filteredOn(namesVm(db1)).isNotEmpty()
        .allMatch(f -> Cookie.decode(f.cookie()).generation() == next.config().generationOf(next.config().vm("db1")
            .orElseThrow()));
    assertThat(BridgeTables.compiledEntries(host1)).containsExactlyInAnyOrderElementsOf(next.compiler().flows("host1"));
    // Brought to the new revision once: reconciling again finds nothing to do.
    clearRecords();
    partition.switchConnected(host1);
    assertThat(host1.sentOf(OFFlowMod.class)).isEmpty();
  }

  @Test
  void deletedVmLosesItsBaseAndConnectionFlows() {
    Opened db = open(WEB1, DB1, 40003, 5432);
    int db1 = demo.vmIndex("db1");
    assertThat(BridgeTables.entries(host1)).anyMatch(namesVm(db1));
    Config without = new Config(demo.controller(), demo.hosts(), demo.vnets(),
        demo.vms().stream().filter(vm -> !vm.name().equals("db1")).toList(), demo.rulesets(), demo.loadBalancers());

    PolicySnapshot next = revision(2, without);

    partition.apply(next).join();

    assertThat(BridgeTables.entries(host1)).noneMatch(namesVm(db1));
    assertThat(host1.flowsIn(0)).noneMatch(m -> OFPort.of(DB1_PORT).equals(m.getMatch().get(MatchField.IN_PORT)));
    for (OFFlowMod m : db.onHost1()) {
      assertThat(installed(host1, m)).isEmpty();
    }
    assertThat(partition.connections().all()).doesNotContainAnyElementsOf(db.connections());
    assertThat(BridgeTables.compiledEntries(host1))
        .containsExactlyInAnyOrderElementsOf(next.compiler().flows("host1"));
  }

  @Test
  void addedVmGetsItsBaseFlows() {
    PolicySnapshot next = revision(2, withDb2(demo));
    int db2 = next.config().vmIndex("db2");
    List<FlowEntry> wanted = next.compiler().flows("host2").stream().filter(namesVm(db2)).toList();
    assertThat(wanted).isNotEmpty();
    assertThat(BridgeTables.entries(host2)).noneMatch(namesVm(db2));

    partition.apply(next).join();

    assertThat(BridgeTables.entries(host2)).containsAll(wanted);
    assertThat(BridgeTables.compiledEntries(host2)).containsExactlyInAnyOrderElementsOf(next.compiler().flows("host2"));
  }

  @Test
  void planReportsWhatApplyThenDoesAndChangesNothing() {
    Opened db = open(WEB1, DB1, 40004, 5432);
    Opened web = open(WEB1, WEB2, 40005, 8080);
    PolicySnapshot next = revision(2, withDb2(withoutRule(demo, "db", "acl", "pg-in")));
    Map<String, List<FlowEntry>> before = Map.of("host1", BridgeTables.entries(host1), "host2",
        BridgeTables.entries(host2));
    Set<Connection> live = Set.copyOf(partition.connections().all());
    clearRecords();

    Map<String, UpdatePlan.HostPlan> plan = partition.plan(next).join();

    assertThat(host1.sentOf(OFMessage.class)).isEmpty();
    assertThat(host2.sentOf(OFMessage.class)).isEmpty();
    assertThat(BridgeTables.entries(host1)).isEqualTo(before.get("host1"));
    assertThat(BridgeTables.entries(host2)).isEqualTo(before.get("host2"));
    assertThat(partition.policy()).isSameAs(initial);
    assertThat(Set.copyOf(partition.connections().all())).isEqualTo(live);
    assertThat(plan.keySet()).containsExactlyInAnyOrder("host1", "host2");

    partition.apply(next).join();

    for (FakeBridge bridge : List.of(host1, host2)) {
      UpdatePlan.HostPlan hostPlan = plan.get(bridge.host());
      TableChange done = TableChange.between(before.get(bridge.host()), BridgeTables.entries(bridge));
      assertThat(hostPlan.connected()).isTrue();
      assertThat(hostPlan.added()).as("added on %s", bridge.host()).containsExactlyInAnyOrderElementsOf(done.added());
      assertThat(hostPlan.changed()).as("changed on %s", bridge.host())
          .containsExactlyInAnyOrderElementsOf(done.changed());
      assertThat(hostPlan.removed()).as("removed on %s", bridge.host())
          .containsExactlyInAnyOrderElementsOf(done.removed());
    }
    assertThat(plan.get("host2").added()).as("db2's base flows").isNotEmpty();
    assertThat(plan.get("host1").removed()).isNotEmpty();
    assertThat(plan.get("host1").connectionsEnded()).singleElement().asString()
        .contains("10.1.0.11:40004 -> 10.1.0.21:5432");
    assertThat(plan.get("host2").connectionsEnded()).isEmpty();
    Set<Connection> ended = new HashSet<>(live);
    ended.removeAll(partition.connections().all());
    assertThat(ended).isEqualTo(db.connections());
    assertThat(partition.connections().all()).containsExactlyInAnyOrderElementsOf(web.connections());
  }

  /** What changed between two readings of a table, rendered as a plan renders flows. */
  private record TableChange(List<String> added, List<String> changed, List<String> removed) {
    TableChange {
      added = List.copyOf(added);
      changed = List.copyOf(changed);
      removed = List.copyOf(removed);
    }

    static TableChange between(List<FlowEntry> before, List<FlowEntry> after) {
      OvsFlowRenderer renderer = new OvsFlowRenderer(false);
      Map<FlowKey, FlowEntry> was = new HashMap<>();
      before.forEach(f -> was.put(f.key(), f));
      Map<FlowKey, FlowEntry> is = new HashMap<>();
      after.forEach(f -> is.put(f.key(), f));
      List<String> added = new ArrayList<>();
      List<String> changed = new ArrayList<>();
      List<String> removed = new ArrayList<>();
      is.forEach((key, f) -> {
        FlowEntry old = was.get(key);
        if (old == null) {
          added.add(renderer.render(f));
        } else if (!old.equals(f)) {
          changed.add(renderer.render(f));
        }
      });
      was.forEach((key, f) -> {
        if (!is.containsKey(key)) {
          removed.add(renderer.render(f));
        }
      });
      return new TableChange(added, changed, removed);
    }
  }

  // ---- traffic ----

  /** Sends the first packet of a TCP connection from web1's port and records what it installed. */
  private Opened open(Ipv4 src, Ipv4 dst, int sport, int dport) {
    return open(WEB1_PORT, WEB1_MAC, src, dst, sport, dport);
  }

  /** Sends the first packet of a TCP connection from port {@code port} of host1. */
  private Opened open(int port, MacAddress mac, Ipv4 src, Ipv4 dst, int sport, int dport) {
    clearRecords();
    Set<Connection> before = Set.copyOf(partition.connections().all());
    byte[] frame = FrameBuilder.ipv4(PacketHeaders.tcp(mac, GATEWAY, src, dst, sport, dport)).build();
    partition.packetIn(host1, host1.packetIn(port, frame));
    Set<Connection> opened = new HashSet<>(partition.connections().all());
    opened.removeAll(before);
    Opened result = new Opened(host1.sentOf(OFFlowMod.class), host2.sentOf(OFFlowMod.class), opened);
    clearRecords();
    return result;
  }

  private void clearRecords() {
    host1.clearSent();
    host2.clearSent();
    host1.clearBarriers();
    host2.clearBarriers();
  }

  private static Optional<OFFlowMod> installed(FakeBridge bridge, OFFlowMod like) {
    return bridge.flowsIn(like.getTableId().getValue()).stream().filter(sameKey(like)).findFirst();
  }

  private static Optional<OFFlowStatsEntry> stats(FakeBridge bridge, OFFlowMod like) {
    return bridge.flowStats().join().stream()
        .filter(e -> e.getTableId().equals(like.getTableId()) && e.getPriority() == like.getPriority()
            && e.getMatch().equals(like.getMatch()))
        .findFirst();
  }

  private static Predicate<OFFlowMod> sameKey(OFFlowMod like) {
    return m -> m.getTableId().equals(like.getTableId()) && m.getPriority() == like.getPriority()
        && m.getMatch().equals(like.getMatch());
  }

  private static Predicate<FlowEntry> namesVm(int vmIndex) {
    return f -> Cookie.isOurs(f.cookie()) && Cookie.decode(f.cookie()).vmIndex() == vmIndex;
  }

  // ---- revisions ----

  /** Revision {@code revision} of {@code edited}, numbered from the initial one as the policy writer does. */
  private PolicySnapshot revision(long revision, Config edited) {
    return PolicySnapshot.of(revision,
        edited.withIds(PolicyIds.next(initial.config().ids(), initial.config().rulesets(), edited)));
  }

  private static Rule tcpIn(String id, int priority, int port) {
    return new Rule(id, priority, Direction.IN, Protocol.TCP, Ipv4Prefix.ANY, Ipv4Prefix.ANY, PortRange.ANY,
        new PortRange(port, port), OptionalInt.empty(), RuleAction.ALLOW, Optional.empty(), OptionalInt.empty(),
        false);
  }

  private static Config withoutRule(Config config, String ruleset, String layer, String rule) {
    return editLayer(config, ruleset, layer,
        l -> new Layer(l.name(), l.defaultAction(), l.rules().stream().filter(r -> !r.id().equals(rule)).toList()));
  }

  private static Config withRule(Config config, String ruleset, String layer, Rule rule) {
    return editLayer(config, ruleset, layer, l -> {
      List<Rule> rules = new ArrayList<>(l.rules());
      rules.add(rule);
      return new Layer(l.name(), l.defaultAction(), rules);
    });
  }

  private static Config editLayer(Config config, String ruleset, String layer,
      UnaryOperator<Layer> edit) {
    List<RuleSet> sets = config.rulesets().stream()
        .map(rs -> !rs.name().equals(ruleset) ? rs : new RuleSet(rs.name(),
            rs.layers().stream().map(l -> l.name().equals(layer) ? edit.apply(l) : l).toList()))
        .toList();
    return new Config(config.controller(), config.hosts(), config.vnets(), config.vms(), sets,
        config.loadBalancers());
  }

  /** {@code config} with a second database VM, db2, on host2's port p-db2. */
  private static Config withDb2(Config config) {
    List<Vm> vms = new ArrayList<>(config.vms());
    vms.add(new Vm("db2", "host2", "p-db2", MacAddress.parse("02:00:00:00:01:16"), Ipv4.parse("10.1.0.22"), "blue",
        "db", OptionalLong.empty()));
    return new Config(config.controller(), config.hosts(), config.vnets(), vms, config.rulesets(),
        config.loadBalancers());
  }
}
