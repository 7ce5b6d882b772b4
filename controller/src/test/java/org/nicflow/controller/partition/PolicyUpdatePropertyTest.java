package org.nicflow.controller.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.diff.FlowDiffer;
import org.nicflow.compiler.eval.Connection;
import org.nicflow.compiler.eval.ConnectionTable;
import org.nicflow.compiler.eval.Ingress;
import org.nicflow.compiler.flow.Cookie;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Host;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.model.OffloadMode;
import org.nicflow.compiler.model.PolicyIds;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.packet.PacketHeaders;
import org.nicflow.compiler.testing.PropertyRun;
import org.nicflow.compiler.testing.RandomConfigs;
import org.nicflow.compiler.testing.RandomTraffic;
import org.nicflow.controller.openflow.packet.FrameBuilder;
import org.nicflow.controller.openflow.packet.FrameParser;
import org.nicflow.controller.openflow.packet.ParsedFrame;
import org.nicflow.controller.openflow.translate.FlowModTranslator;
import org.nicflow.controller.policy.PolicySnapshot;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFFlowModCommand;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.projectfloodlight.openflow.protocol.instruction.OFInstruction;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/**
 * The live-update property: for a random config A with live traffic and a random edit B of it,
 * applying B leaves (a) every bridge's compiled flows exactly as a fresh partition started on B
 * would program them, and (b) every connection flow still in a bridge exactly as B decides the
 * packet that made it, given the connections still live. Checked in reactive and proactive mode.
 */
class PolicyUpdatePropertyTest {

  private static final int RUNS = 30;
  private static final int PACKETS = 30;
  /** How many configs a run draws, at most, to find one its first edit can be made on. */
  private static final int CONFIG_DRAWS = 100;

  /** A flow as a bridge holds it, without its counters: what (a) compares. */
  private record Installed(TableId table, int priority, Match match, U64 cookie, List<OFInstruction> instructions,
      int idleTimeout, int hardTimeout, Set<?> flags) {
    Installed {
      instructions = List.copyOf(instructions);
      flags = Set.copyOf(flags);
    }

    static Installed of(OFFlowStatsEntry e) {
      return new Installed(e.getTableId(), e.getPriority(), e.getMatch(), e.getCookie(), e.getInstructions(),
          e.getIdleTimeout(), e.getHardTimeout(), e.getFlags());
    }

    Key key() {
      return new Key(table, priority, match);
    }
  }

  /** A flow's identity in a bridge. */
  private record Key(TableId table, int priority, Match match) {
    static Key of(OFFlowMod mod) {
      return new Key(mod.getTableId(), mod.getPriority(), mod.getMatch());
    }
  }

  /** A packet fed to the partition as a miss: where it came in and what it was, as parsed. */
  private record Sent(String host, String inPort, OptionalLong tunnelId, PacketHeaders packet) {
    Sent {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(inPort, "inPort");
      Objects.requireNonNull(tunnelId, "tunnelId");
      Objects.requireNonNull(packet, "packet");
    }
  }

  /** What one update did, for the coverage figures. */
  record Outcome(OffloadMode mode, int connectionFlowsBefore, int connectionFlowsAfter, int kept, int ended) {}

  @Test
  void liveUpdateLeavesEveryBridgeAsAFreshStartOnTheNewRevisionAndEveryKeptFlowAsItDecides() {
    PropertyRun run = PropertyRun.of("live policy update", RUNS);
    List<Outcome> outcomes = new ArrayList<>();
    List<RandomEdits.Kind> editsRun = new ArrayList<>();
    RandomEdits edits = new RandomEdits();
    RandomEdits.Kind[] kinds = RandomEdits.Kind.values();
    run.forEach((index, seed, rnd) -> {
      // Run i's first edit is of kind i mod 6 (on a config it can be made on), so that a whole run
      // covers every kind; a run's inputs depend on its index and seed only, so it replays alone.
      RandomEdits.Kind first = kinds[index % kinds.length];
      Config a = RandomConfigs.generate(rnd);
      for (int draw = 1; !RandomEdits.canMake(first, a); draw++) {
        if (draw == CONFIG_DRAWS) {
          throw new IllegalStateException("no config of " + CONFIG_DRAWS + " drawn takes an edit " + first);
        }
        a = RandomConfigs.generate(rnd);
      }
      int count = 1 + rnd.nextInt(2);
      List<RandomEdits.Edit> done = new ArrayList<>();
      Config edited = a;
      for (int i = 0; i < count; i++) {
        RandomEdits.Edit edit = edits.next(edited, rnd, i == 0 ? Set.of(first) : Set.of());
        done.add(edit);
        editsRun.add(edit.kind());
        edited = edit.config();
      }
      long trafficSeed = rnd.nextLong();
      for (OffloadMode mode : List.of(OffloadMode.REACTIVE, OffloadMode.PROACTIVE)) {
        outcomes.add(checkUpdate(a.withMode(mode), edited.withMode(mode), done, new Random(trafficSeed)));
      }
    });

    Map<RandomEdits.Kind, Integer> byKind = new EnumMap<>(RandomEdits.Kind.class);
    Map<OffloadMode, Integer> flowsByMode = new EnumMap<>(OffloadMode.class);
    Map<OffloadMode, Integer> flowsAfterByMode = new EnumMap<>(OffloadMode.class);
    int kept = 0;
    int ended = 0;
    editsRun.forEach(k -> byKind.merge(k, 1, Integer::sum));
    for (Outcome o : outcomes) {
      flowsByMode.merge(o.mode(), o.connectionFlowsBefore(), Integer::sum);
      flowsAfterByMode.merge(o.mode(), o.connectionFlowsAfter(), Integer::sum);
      kept += o.kept();
      ended += o.ended();
    }
    System.out.printf("live policy update: %d configs, %d updates (each edit in both modes); edits %s;"
        + " connection flows by mode before the update %s, after %s; connections kept %d, ended %d%n", run.runs(),
        outcomes.size(), byKind, flowsByMode, flowsAfterByMode, kept, ended);
    if (!run.whole() || run.runs() < kinds.length) {
      return; // the figures below are asserted of a whole run, at least one run per kind of edit
    }
    assertThat(byKind.keySet()).as("every kind of edit ran").containsExactlyInAnyOrder(RandomEdits.Kind.values());
    assertThat(kept).as("connections kept over the run").isPositive();
    assertThat(ended).as("connections ended over the run").isPositive();
    assertThat(flowsByMode).as("connection flows existed in both modes")
        .allSatisfy((mode, flows) -> assertThat(flows).isPositive()).containsOnlyKeys(OffloadMode.values());
  }

  /**
   * Shrunk from base seed -7433561338891372512: a unified flow matches neither Ethernet address
   * (docs/semantics.md, "Offload: details"), so a packet with a spoofed source MAC and the VM's own
   * packet of the same tuple share one flow key. The spoofed one gets a drop flow; the VM's own,
   * later, replaces it in place with its forwarding flow. After an update that leaves the flow as it
   * is, the bridge holds the flow of the second miss, and that is the miss to judge it by.
   */
  @Test
  void aForwardingFlowThatReplacedASpoofedPacketsDropFlowIsJudgedByTheMissThatReplacedIt() throws Exception {
    Config a = new ConfigLoader().parse(TWO_VMS, "two VMs");
    Config b = withVm(a, "vm2", "10.0.0.12");
    PacketHeaders gre = new PacketHeaders(VM0_MAC, GATEWAY_MAC, 47, VM0, VM1, 0, 0, 0);
    List<RandomTraffic.Probe> traffic = List.of(
        new RandomTraffic.Probe(new Ingress.VmPort("h0", "vm0"), gre.withEth(RandomTraffic.ROUTER_MAC, GATEWAY_MAC)),
        new RandomTraffic.Probe(new Ingress.VmPort("h0", "vm0"), gre));
    for (OffloadMode mode : OffloadMode.values()) {
      Outcome outcome = checkUpdate(a.withMode(mode), b.withMode(mode), "vm vm2 added", traffic);
      assertThat(outcome.connectionFlowsAfter()).as("%s: the forwarding flow stays", mode).isPositive();
    }
  }

  /**
   * Shrunk from base seed -2409788486132094503: vm0's echo reply to vm1, sent before any request,
   * is denied (a drop flow); vm1's echo request then makes a stateful connection owned by vm0, whose
   * reply flow has the same key and replaces the drop flow in place. The update keeps the
   * connection, and the flow is judged by the request that made it, not by the earlier reply.
   */
  @Test
  void aReplyFlowThatReplacedAnUnsolicitedReplysDropFlowIsJudgedByTheConnectionThatMadeIt() throws Exception {
    Config a = new ConfigLoader().parse(TWO_VMS.replace("rules: []", STATEFUL_ICMP_IN_NO_REPLY_OUT), "two VMs");
    Config b = withVm(a, "vm2", "10.0.0.12");
    PacketHeaders reply = new PacketHeaders(VM0_MAC, GATEWAY_MAC, 1, VM0, VM1, 0, 0, 0);
    PacketHeaders request = new PacketHeaders(VM1_MAC, GATEWAY_MAC, 1, VM1, VM0, 8, 0, 0);
    List<RandomTraffic.Probe> traffic = List.of(
        new RandomTraffic.Probe(new Ingress.VmPort("h0", "vm0"), reply),
        new RandomTraffic.Probe(new Ingress.VmPort("h0", "vm1"), request));
    for (OffloadMode mode : OffloadMode.values()) {
      Outcome outcome = checkUpdate(a.withMode(mode), b.withMode(mode), "vm vm2 added", traffic);
      assertThat(outcome.kept()).as("%s: the echo connection is kept", mode).isPositive();
    }
  }

  private static final MacAddress GATEWAY_MAC = MacAddress.DEFAULT_GATEWAY;
  private static final MacAddress VM0_MAC = MacAddress.parse("02:00:00:00:01:00");
  private static final MacAddress VM1_MAC = MacAddress.parse("02:00:00:00:01:01");
  private static final Ipv4 VM0 = Ipv4.parse("10.0.0.10");
  private static final Ipv4 VM1 = Ipv4.parse("10.0.0.11");
  /** One host, two VMs of one VNET, one rule set that lets everything through. */
  private static final String TWO_VMS = """
      hosts:
        - {name: h0, dpid: "0000000000000001", uplink: h0-up, underlay_ip: 192.168.0.1}
      vnets:
        - {name: n0, vni: 100, prefix: 10.0.0.0/24, gateway: 10.0.0.1}
      vms:
        - {name: vm0, host: h0, port: vm0-eth0, mac: "02:00:00:00:01:00", ip: 10.0.0.10, vnet: n0, ruleset: rs0}
        - {name: vm1, host: h0, port: vm1-eth0, mac: "02:00:00:00:01:01", ip: 10.0.0.11, vnet: n0, ruleset: rs0}
      rulesets:
        - name: rs0
          layers:
            - name: l0
              default: allow
              rules: []
      """;
  /** Inbound ICMP makes a connection; an outbound echo reply is denied unless it is a connection's reply. */
  private static final String STATEFUL_ICMP_IN_NO_REPLY_OUT = """
      rules:
                - {id: icmp-in, priority: 10, direction: in, proto: icmp, action: allow, stateful: true}
                - {id: no-reply-out, priority: 10, direction: out, proto: icmp, icmp_type: 0, action: deny}""";

  /** {@code config} with one more VM, {@code name} at {@code ip}, on h0 in n0 with rule set rs0. */
  private static Config withVm(Config config, String name, String ip) {
    List<Vm> vms = new ArrayList<>(config.vms());
    vms.add(new Vm(name, "h0", name + "-eth0", MacAddress.parse("02:00:00:00:01:0" + vms.size()), Ipv4.parse(ip),
        "n0", "rs0", OptionalLong.empty()));
    return new Config(config.controller(), config.hosts(), config.vnets(), vms, config.rulesets(),
        config.loadBalancers());
  }

  private Outcome checkUpdate(Config a, Config edited, List<RandomEdits.Edit> edits, Random rnd) {
    RandomTraffic traffic = new RandomTraffic(a);
    List<RandomTraffic.Probe> probes = new ArrayList<>();
    for (int i = 0; i < PACKETS; i++) {
      probes.add(traffic.next(rnd));
    }
    return checkUpdate(a, edited, edits.stream().map(RandomEdits.Edit::what).toList().toString(), probes);
  }

  /**
   * Sends {@code traffic} through a partition on {@code a}, applies {@code edited} (numbered as the
   * revision after {@code a}) and checks the bridges and the kept connection flows.
   */
  static Outcome checkUpdate(Config a, Config edited, String what, List<RandomTraffic.Probe> traffic) {
    Config b = edited.withIds(PolicyIds.next(a.ids(), a.rulesets(), edited));
    String context = a.controller().mode() + " mode, " + what;
    Map<String, Map<String, Integer>> ports = portsByHost(a, b);

    HostPartition live = partition(PolicySnapshot.of(1, a));
    Map<String, FakeBridge> bridges = connect(live, a, ports);
    Map<String, Map<Key, Sent>> madeBy = new HashMap<>();
    for (RandomTraffic.Probe probe : traffic) {
      send(live, bridges, probe, a, madeBy);
    }
    int before = bridges.values().stream().mapToInt(br -> BridgeTables.connectionEntries(br).size()).sum();
    Set<Connection> liveBefore = Set.copyOf(live.connections().all());

    PolicySnapshot next = PolicySnapshot.of(2, b);
    live.apply(next).join();

    assertThat(live.errors()).as(context).isEmpty();
    assertThat(live.counters().reconcileFailures()).as(context).isZero();
    HostPartition fresh = partition(next);
    Map<String, FakeBridge> freshBridges = connect(fresh, b, ports);
    for (String host : bridges.keySet()) {
      assertThat(compiled(bridges.get(host)))
          .as("%s: compiled flows of %s after the update vs a fresh start on the new revision", context, host)
          .containsExactlyInAnyOrderElementsOf(compiled(freshBridges.get(host)));
    }
    // (b) Every connection flow left in a bridge is what B decides for the packet that made it.
    Map<String, Map<Key, FlowEntry>> connectionFlows = new HashMap<>();
    for (FakeBridge bridge : bridges.values()) {
      FlowModTranslator translator = new FlowModTranslator(bridge.factory(), bridge.ports());
      Map<Key, FlowEntry> flows = new HashMap<>();
      for (OFFlowStatsEntry e : bridge.flowStats().join()) {
        if (BridgeTables.isConnectionCookie(e.getCookie().getValue())) {
          flows.put(Installed.of(e).key(), translator.fromStats(e).orElseThrow());
        }
      }
      connectionFlows.put(bridge.host(), Map.copyOf(flows));
    }
    Set<Sent> survivors = new HashSet<>();
    connectionFlows.forEach((host, flows) -> flows.forEach((key, flow) -> {
      Sent origin = madeBy.getOrDefault(host, Map.of()).get(key);
      assertThat(origin).as("%s: connection flow on %s made by no packet: %s", context, host, flow).isNotNull();
      assertThat(decidedAfresh(next, live.connections(), origin, host))
          .as("%s: flow on %s kept after the update vs the new decision for %s", context, host, origin)
          .contains(flow);
      survivors.add(origin);
    }));
    // The other way round: a miss whose flows survived has every flow B decides for it, on every
    // bridge, but for a key another miss's flow holds (a flow key holds one flow: the last one sent).
    for (Sent sent : survivors) {
      for (FakeBridge bridge : bridges.values()) {
        Map<Key, Sent> owners = madeBy.getOrDefault(bridge.host(), Map.of());
        FlowModTranslator translator = new FlowModTranslator(bridge.factory(), bridge.ports());
        List<FlowEntry> wanted = decidedAfresh(next, live.connections(), sent, bridge.host()).stream()
            .filter(f -> FlowPorts.resolvable(f, bridge.ports()))
            .filter(f -> {
              Sent owner = owners.get(Key.of(translator.add(f)));
              return owner == null || owner.equals(sent);
            })
            .toList();
        assertThat(connectionFlows.get(bridge.host()).values())
            .as("%s: flows on %s that the new decision for %s (whose flows were kept) wants", context,
                bridge.host(), sent)
            .containsAll(wanted);
      }
    }
    int after = connectionFlows.values().stream().mapToInt(Map::size).sum();
    Set<Connection> ended = new HashSet<>(liveBefore);
    ended.removeAll(live.connections().all());
    assertThat(liveBefore).as(context).containsAll(live.connections().all());
    return new Outcome(a.controller().mode(), before, after, liveBefore.size() - ended.size(), ended.size());
  }

  /** The flows a fresh decision under {@code next} puts on {@code host}'s bridge for the packet {@code sent}. */
  private static List<FlowEntry> decidedAfresh(PolicySnapshot next, ConnectionTable connections, Sent sent,
      String host) {
    Miss miss = next.missHandler().handle(sent.host(), Optional.of(sent.inPort()), sent.tunnelId(), sent.packet(),
        connections);
    if (!(miss instanceof Miss.Offload offload)) {
      return List.of();
    }
    return sent.host().equals(host) ? offload.flows()
        : next.missHandler().remoteReplyFlows(offload).getOrDefault(host, List.of());
  }

  /**
   * Feeds {@code probe} to the partition as a miss and notes which connection flows it installed
   * where: every key it sent a flow for is its own from then on.
   */
  private static void send(HostPartition partition, Map<String, FakeBridge> bridges, RandomTraffic.Probe probe,
      Config config, Map<String, Map<Key, Sent>> madeBy) {
    Ingress ingress = probe.ingress();
    FakeBridge bridge = bridges.get(ingress.host());
    String port;
    OptionalLong tunnelId = OptionalLong.empty();
    if (ingress instanceof Ingress.VmPort vm) {
      port = config.vm(vm.vm()).map(Vm::port).orElseThrow();
    } else if (ingress instanceof Ingress.Tunnel tunnel) {
      port = Host.tunnelPortName(tunnel.fromHost());
      tunnelId = OptionalLong.of(tunnel.vni());
    } else {
      port = config.host(ingress.host()).map(Host::uplink).orElseThrow();
    }
    byte[] frame = FrameBuilder.ipv4(probe.packet()).build();
    if (!(new FrameParser().parse(frame) instanceof ParsedFrame.Ipv4Frame parsed)) {
      throw new AssertionError("test traffic did not parse: " + probe);
    }
    bridges.values().forEach(FakeBridge::clearSent);
    partition.packetIn(bridge, packetIn(bridge, port, tunnelId, frame));
    Sent sent = new Sent(ingress.host(), port, tunnelId, parsed.headers());
    for (FakeBridge b : bridges.values()) {
      for (OFFlowMod mod : b.sentOf(OFFlowMod.class)) {
        if (mod.getCommand() == OFFlowModCommand.ADD && Cookie.isOurs(mod.getCookie().getValue())) {
          // An ADD over a key the bridge holds replaces that flow in place (a flow that lets traffic
          // through takes the place of a drop flow: HostPartition.replacesHeld), so a key's flow is
          // the one of the last miss that sent it, not of the first.
          madeBy.computeIfAbsent(b.host(), h -> new HashMap<>()).put(Key.of(mod), sent);
        }
      }
    }
  }

  private static OFPacketIn packetIn(FakeBridge bridge, String port, OptionalLong tunnelId, byte[] frame) {
    OFPacketIn plain = bridge.packetIn(bridge.ports().number(port).orElseThrow().getPortNumber(), frame);
    if (tunnelId.isEmpty()) {
      return plain;
    }
    Match.Builder match = bridge.factory().buildMatch()
        .setExact(MatchField.IN_PORT, OFPort.of(bridge.ports().number(port).orElseThrow().getPortNumber()))
        .setExact(MatchField.TUNNEL_ID, U64.of(tunnelId.getAsLong()));
    return plain.createBuilder().setMatch(match.build()).build();
  }

  /** The flows of {@code bridge} that are not connection flows, without counters. */
  private static List<Installed> compiled(FakeBridge bridge) {
    return bridge.flowStats().join().stream()
        .filter(e -> !BridgeTables.isConnectionCookie(e.getCookie().getValue()))
        .map(Installed::of).toList();
  }

  private static HostPartition partition(PolicySnapshot snapshot) {
    return new HostPartition(snapshot, new FlowReconciler(new FlowDiffer(), Duration.ofSeconds(5)), new FrameParser(),
        new ConnectionTable(), new RuleStatistics());
  }

  private static Map<String, FakeBridge> connect(HostPartition partition, Config config,
      Map<String, Map<String, Integer>> ports) {
    Map<String, FakeBridge> bridges = new LinkedHashMap<>();
    for (Host host : config.hosts()) {
      FakeBridge bridge = new FakeBridge(host.name(), host.dpid(), ports.get(host.name()));
      partition.switchConnected(bridge);
      bridges.put(host.name(), bridge);
    }
    return Map.copyOf(bridges);
  }

  /**
   * The ports of every host's bridge: the VM ports either revision puts there, the uplink and a
   * tunnel port to every other host, numbered in name order.
   */
  private static Map<String, Map<String, Integer>> portsByHost(Config a, Config b) {
    Map<String, Map<String, Integer>> out = new HashMap<>();
    for (Host host : a.hosts()) {
      TreeSet<String> names = new TreeSet<>();
      names.add(host.uplink());
      a.hosts().stream().filter(h -> !h.name().equals(host.name())).forEach(h -> names.add(Host.tunnelPortName(h.name())));
      for (Config c : List.of(a, b)) {
        c.vmsOnHost(host.name()).forEach(vm -> names.add(vm.port()));
      }
      Map<String, Integer> numbered = new LinkedHashMap<>();
      names.forEach(n -> numbered.put(n, numbered.size() + 1));
      out.put(host.name(), Map.copyOf(numbered));
    }
    return Map.copyOf(out);
  }
}
