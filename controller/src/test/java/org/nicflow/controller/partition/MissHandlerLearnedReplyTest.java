package org.nicflow.controller.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nicflow.compiler.eval.EvalFixtures.layer;
import static org.nicflow.compiler.eval.EvalFixtures.rule;
import static org.nicflow.compiler.eval.EvalFixtures.tcpFrom;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.eval.Connection;
import org.nicflow.compiler.eval.ConnectionLookup;
import org.nicflow.compiler.eval.ConnectionTable;
import org.nicflow.compiler.eval.Decision;
import org.nicflow.compiler.eval.EvalFixtures;
import org.nicflow.compiler.eval.FlowTuple;
import org.nicflow.compiler.eval.Ingress;
import org.nicflow.compiler.eval.ReferenceEvaluator;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.DefaultAction;
import org.nicflow.compiler.model.Layer;
import org.nicflow.compiler.model.OffloadMode;
import org.nicflow.compiler.model.PolicyIds;
import org.nicflow.compiler.model.Rule;
import org.nicflow.compiler.model.RuleSet;
import org.nicflow.compiler.packet.PacketHeaders;
import org.nicflow.compiler.unified.UnifiedFlowBuilder;

/**
 * A packet-in whose metadata carries a learned-state marker is decided as the reference evaluator
 * decides the reply of the connection the switch learned (docs/semantics.md, "Connection state in
 * the NIC"); markers that name no VM able to own it are dropped, not thrown.
 */
class MissHandlerLearnedReplyTest {

  /**
   * db1 admits web1's connections to 5432 with a stateful rule of its in layer and denies all it
   * sends; web1's in layer translates everything it receives from db1 (a deciding inbound snat
   * rule), so the reply db1 → web1 of a connection the switch learned still reaches the controller.
   */
  private static final Config OWNER_DENIES_REPLIER_TRANSLATES = learning(EvalFixtures.world()
      .rules("db1", layer("acl", DefaultAction.DENY, rule("pg", 10).in().tcp().dstPort("5432").stateful().allow()))
      .rules("web1", layer("acl", DefaultAction.ALLOW, rule("nat-db", 10).in().tcp().src("10.1.0.13/32")
          .snat("203.0.113.10")))
      .build());

  private final MissHandler handler = handlerFor(OWNER_DENIES_REPLIER_TRANSLATES);

  @Test
  void replyOfAConnectionTheReplierLearnedSkipsTheReplierLayersAsTheEvaluatorDoes() {
    Config config = OWNER_DENIES_REPLIER_TRANSLATES;
    PacketHeaders reply = tcpFrom(config, "db1", "10.1.0.11", 5432, 40000);
    long metadata = Pipeline.srcVmMetadata(config.vmIndex("db1")) | Pipeline.SKIP_OUT;

    Miss.Offload withoutMarker = offload(handler.handle("host1", Optional.of("db1-eth0"), OptionalLong.empty(),
        reply, new ConnectionTable()));
    Miss.Offload withMarker = offload(fromDb1(handler, metadata, reply));

    Connection learned = stateful(config, "db1", reply);
    Decision truth = new ReferenceEvaluator(config).evaluate(new Ingress.VmPort("host1", "db1"), reply,
        ConnectionTable.of(List.of(learned)));
    assertThat(withoutMarker.decision().allowed()).as("db1's out layer denies when the connection is unknown")
        .isFalse();
    assertThat(truth.allowed()).isTrue();
    assertThat(withMarker.decision()).isEqualTo(truth);
    assertThat(withMarker.adopted()).containsExactly(learned);
    assertThat(withMarker.carried()).contains(learned).containsAll(truth.newConnections());
    assertThat(withMarker.forwardFlow()).as("the reply's unified flow").isPresent();
  }

  @Test
  void replyOfAConnectionItsReceiverLearnedIsDecidedWithThatConnection() {
    Config config = learning(EvalFixtures.world()
        .rules("web1", layer("acl", DefaultAction.DENY, rule("to-db", 10).out().tcp().dstPort("5432").stateful()
            .allow()))
        .rules("db1", layer("acl", DefaultAction.ALLOW, rule("nat-out", 10).out().tcp().snat("203.0.113.10")))
        .build());
    PacketHeaders reply = tcpFrom(config, "db1", "10.1.0.11", 5432, 40001);
    long metadata = Pipeline.srcVmMetadata(config.vmIndex("db1")) | Pipeline.SKIP_IN;

    Miss.Offload miss = offload(fromDb1(handlerFor(config), metadata, reply));

    Connection learned = stateful(config, "web1", reply);
    Decision truth = new ReferenceEvaluator(config).evaluate(new Ingress.VmPort("host1", "db1"), reply,
        ConnectionTable.of(List.of(learned)));
    assertThat(miss.adopted()).containsExactly(learned);
    assertThat(miss.decision()).isEqualTo(truth);
  }

  @Test
  void bothMarkersAdoptOneConnectionPerOwner() {
    Config config = OWNER_DENIES_REPLIER_TRANSLATES;
    PacketHeaders reply = tcpFrom(config, "db1", "10.1.0.11", 5432, 40002);
    long metadata = Pipeline.srcVmMetadata(config.vmIndex("db1")) | Pipeline.SKIP_OUT | Pipeline.SKIP_IN;

    Miss.Offload miss = offload(fromDb1(handler, metadata, reply));

    List<Connection> learned = List.of(stateful(config, "db1", reply), stateful(config, "web1", reply));
    assertThat(miss.adopted()).containsExactlyElementsOf(learned);
    assertThat(miss.decision()).isEqualTo(new ReferenceEvaluator(config)
        .evaluate(new Ingress.VmPort("host1", "db1"), reply, ConnectionTable.of(learned)));
  }

  @Test
  void aMarkerNamingAVmNumberOutOfRangeIsAnIgnoredMiss() {
    Config config = OWNER_DENIES_REPLIER_TRANSLATES;
    PacketHeaders reply = tcpFrom(config, "db1", "10.1.0.11", 5432, 40003);
    long metadata = (Pipeline.SRC_VM_MASK & 0xfff0L) | Pipeline.SKIP_OUT;

    Miss miss = fromDb1(handler, metadata, reply);

    assertThat(miss).isInstanceOf(Miss.Ignored.class);
    assertThat(((Miss.Ignored) miss).reason()).contains("marker names VM number");
  }

  @Test
  void aSenderMarkerNamingAnotherVmThanThePortsIsAnIgnoredMiss() {
    Config config = OWNER_DENIES_REPLIER_TRANSLATES;
    PacketHeaders reply = tcpFrom(config, "db1", "10.1.0.11", 5432, 40004);
    long metadata = Pipeline.srcVmMetadata(config.vmIndex("web1")) | Pipeline.SKIP_OUT;

    Miss miss = fromDb1(handler, metadata, reply);

    assertThat(miss).isInstanceOf(Miss.Ignored.class);
  }

  @Test
  void metadataWithoutMarkersDecidesAsWithoutMetadata() {
    Config config = OWNER_DENIES_REPLIER_TRANSLATES;
    PacketHeaders reply = tcpFrom(config, "db1", "10.1.0.11", 5432, 40005);
    long metadata = Pipeline.srcVmMetadata(config.vmIndex("db1")) | Pipeline.LEARN_PENDING;

    Miss.Offload miss = offload(fromDb1(handler, metadata, reply));

    assertThat(miss.adopted()).isEmpty();
    assertThat(miss.decision()).isEqualTo(new ReferenceEvaluator(config)
        .evaluate(new Ingress.VmPort("host1", "db1"), reply, ConnectionLookup.NONE));
  }

  @Test
  void aPolicyUpdateEndsTheMissThatAdoptedALearnedConnectionWhenItsOwnersRuleSetChanged() {
    Config before = OWNER_DENIES_REPLIER_TRANSLATES;
    PacketHeaders reply = tcpFrom(before, "db1", "10.1.0.11", 5432, 40006);
    long metadata = Pipeline.srcVmMetadata(before.vmIndex("db1")) | Pipeline.SKIP_OUT;
    Miss.Offload miss = offload(fromDb1(handler, metadata, reply));
    FlowRedecider.Installed installed = new FlowRedecider.Installed("host1", "db1-eth0", OptionalLong.empty(), reply,
        miss.flows(), miss.flows(), new FlowRedecider(handler).whole("host1", miss), handler.learnedOwners(miss));
    ConnectionTable live = ConnectionTable.of(miss.carried());

    Config ownerChanged = revised(before, "db1");
    Config otherChanged = revised(before, "web2");

    assertThat(installed.learnedOwners()).containsExactly(Map.entry("db1", before.generationOf(
        before.vm("db1").orElseThrow())));
    assertThat(new FlowRedecider(handlerFor(ownerChanged)).redecide("host1", List.of(installed), live).ended())
        .as("db1's rule set changed: the switch ended its learned connections").containsExactly(installed);
    assertThat(new FlowRedecider(handlerFor(otherChanged)).redecide("host1", List.of(installed), live).kept())
        .as("another VM's rule set changed").hasSize(1);
  }

  /** {@code before} with one more (never deciding) rule in {@code vm}'s rule set, numbered as a policy store would. */
  private static Config revised(Config before, String vm) {
    Rule never = rule("never", 1).in().udp().dstPort("9").src("192.0.2.1/32").deny();
    List<RuleSet> sets = before.rulesets().stream().map(rs -> !rs.name().equals(vm) ? rs
        : new RuleSet(rs.name(), rs.layers().stream().map(l -> new Layer(l.name(), l.defaultAction(),
            Stream.concat(l.rules().stream(), Stream.of(never)).toList())).toList()))
        .toList();
    Config changed = new Config(before.controller(), before.hosts(), before.vnets(), before.vms(), sets,
        before.loadBalancers());
    return changed.withIds(PolicyIds.next(before.ids(), before.rulesets(), changed));
  }

  private static Connection stateful(Config config, String owner, PacketHeaders reply) {
    FlowTuple original = FlowTuple.of(reply, config.vnetOf(config.vm("db1").orElseThrow()).vni()).reversed();
    return new Connection(original, original, owner, Connection.Kind.STATEFUL);
  }

  /** The miss of {@code reply}, from db1's port on host1 with {@code metadata}, and no live connection. */
  private static Miss fromDb1(MissHandler handler, long metadata, PacketHeaders reply) {
    return handler.handle("host1", Optional.of("db1-eth0"), OptionalLong.empty(), metadata, reply,
        new ConnectionTable());
  }

  private static Miss.Offload offload(Miss miss) {
    assertThat(miss).isInstanceOf(Miss.Offload.class);
    return (Miss.Offload) miss;
  }

  private static MissHandler handlerFor(Config config) {
    ReferenceEvaluator evaluator = new ReferenceEvaluator(config);
    return new MissHandler(config, evaluator, new UnifiedFlowBuilder(config, evaluator));
  }

  private static Config learning(Config c) {
    return new Config(c.controller().withMode(OffloadMode.PROACTIVE).withLearnState(true), c.hosts(), c.vnets(),
        c.vms(), c.rulesets(), c.loadBalancers(), c.ids());
  }
}
