package org.nicflow.controller.partition;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.nicflow.controller.openflow.PortMap;
import org.nicflow.controller.openflow.SwitchConnection;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFFlowModCommand;
import org.projectfloodlight.openflow.protocol.OFFlowModFlags;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.projectfloodlight.openflow.protocol.OFPacketInReason;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.DatapathId;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.OFValueType;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/**
 * A bridge that keeps its flow table as OVS would: flow-mods add, replace, modify and delete by
 * (table, priority, match); flow stats report what is there. Messages are recorded in order. Single
 * threaded, like a switch's executor; flow-mods and flow stats are synchronized so that a reader on
 * another thread (an API worker) sees a consistent table. Counters are zero unless {@link
 * #countTraffic} set them.
 */
public final class FakeBridge implements SwitchConnection {

  private record Key(TableId table, int priority, Match match) {}

  /**
   * A message the bridge owes the controller about its flows (a FLOW_REMOVED, or an error with the
   * request it answers), in the order the bridge sends them.
   */
  public record Answer(OFMessage message, java.util.Optional<OFMessage> request) {}

  private final String host;
  private final DatapathId dpid;
  private final OFFactory factory = OFFactories.getFactory(OFVersion.OF_13);
  private PortMap ports;
  private final Map<Key, OFFlowMod> flows = new LinkedHashMap<>();
  private final Map<Key, long[]> traffic = new LinkedHashMap<>();
  final List<OFMessage> sent = new ArrayList<>();
  private int flowStatsToIgnore;
  private int flowStatsRequests;
  final List<CompletableFuture<List<OFFlowStatsEntry>>> ignoredFlowStats = new ArrayList<>();
  private int barriers;
  private int commits;
  /** Per table, how many flows it holds at most (OVS's Flow_Table flow_limit with overflow_policy=refuse). */
  private final Map<Integer, Integer> tableLimits = new java.util.HashMap<>();
  /**
   * TABLE_FULL errors for refused ADDs and FLOW_REMOVED messages owed, until taken by {@link
   * #takeAnswers}: one list, because OVS answers on one connection in the order it did things.
   */
  private final List<Answer> answers = new ArrayList<>();

  public FakeBridge(String host, long dpid, Map<String, Integer> ports) {
    this.host = host;
    this.dpid = DatapathId.of(dpid);
    Map<String, OFPort> byName = new LinkedHashMap<>();
    ports.forEach((name, number) -> byName.put(name, OFPort.of(number)));
    this.ports = new PortMap(byName);
  }

  void removePort(String name) {
    ports = ports.without(name);
  }

  void addPort(String name, int number) {
    ports = ports.with(name, OFPort.of(number));
  }

  /** Installs a flow behind the controller's back, as another program would. */
  public synchronized void preinstall(OFFlowMod mod) {
    apply(mod);
  }

  /** Sets the packet and byte counters of every flow of {@code table}, as if traffic had passed. */
  public synchronized void countTraffic(int table, long packets, long bytes) {
    flows.forEach((key, mod) -> {
      if (key.table().getValue() == table) {
        traffic.put(key, new long[] {packets, bytes});
      }
    });
  }

  int flowCount() {
    return flows.size();
  }

  List<OFFlowMod> flowsIn(int table) {
    return flows.values().stream().filter(f -> f.getTableId().getValue() == table).toList();
  }

  public synchronized <T extends OFMessage> List<T> sentOf(Class<T> type) {
    return sent.stream().filter(type::isInstance).map(type::cast).toList();
  }

  public synchronized void clearSent() {
    sent.clear();
  }

  @Override
  public DatapathId dpid() {
    return dpid;
  }

  @Override
  public String host() {
    return host;
  }

  @Override
  public OFFactory factory() {
    return factory;
  }

  @Override
  public PortMap ports() {
    return ports;
  }

  @Override
  public synchronized void send(OFMessage message) {
    sent.add(message);
    if (message instanceof OFFlowMod mod) {
      apply(mod);
    }
  }

  /**
   * As OVS 2.x/3.x with OpenFlow 1.3: an ADD over an existing key replaces cookie, timeouts, flags
   * and instructions and keeps the counters; MODIFY and MODIFY_STRICT change only the instructions
   * (the cookie, timeouts and flags stay) and never add; OFPFF_RESET_COUNTS zeroes the counters.
   * MODIFY and DELETE select loosely: every field of their match must be matched the same way by
   * the flow, the table must be theirs (or ALL for DELETE) and the cookie equal under the mask.
   */
  private void apply(OFFlowMod mod) {
    Key key = new Key(mod.getTableId(), mod.getPriority(), mod.getMatch());
    boolean resetCounts = mod.getFlags() != null && mod.getFlags().contains(OFFlowModFlags.RESET_COUNTS);
    OFFlowModCommand command = mod.getCommand();
    switch (command) {
      case ADD -> {
        Integer limit = tableLimits.get((int) mod.getTableId().getValue());
        if (limit != null && !flows.containsKey(key) && flowsIn(mod.getTableId().getValue()).size() >= limit) {
          // a full table takes no new flow; a flow over an existing key replaces it
          answers.add(new Answer(factory.errorMsgs().buildFlowModFailedErrorMsg()
              .setCode(org.projectfloodlight.openflow.protocol.OFFlowModFailedCode.TABLE_FULL).build(),
              java.util.Optional.of(mod)));
          return;
        }
        flows.put(key, mod);
        if (resetCounts) {
          traffic.remove(key);
        }
      }
      case MODIFY_STRICT -> {
        if (flows.containsKey(key)) {
          modify(key, mod, resetCounts);
        }
      }
      case MODIFY -> selected(mod).forEach(k -> modify(k, mod, resetCounts));
      case DELETE_STRICT -> deleted(key);
      case DELETE -> selected(mod).forEach(this::deleted);
      default -> throw new IllegalStateException("fake bridge does not do " + command);
    }
  }

  /** Deletes a flow by flow-mod; one that asked for it owes a FLOW_REMOVED (reason DELETE), as OVS sends. */
  private void deleted(Key key) {
    OFFlowMod gone = flows.remove(key);
    traffic.remove(key);
    if (gone != null && gone.getFlags() != null && gone.getFlags().contains(OFFlowModFlags.SEND_FLOW_REM)) {
      answers.add(new Answer(removed(gone, org.projectfloodlight.openflow.protocol.OFFlowRemovedReason.DELETE),
          java.util.Optional.empty()));
    }
  }

  private org.projectfloodlight.openflow.protocol.OFFlowRemoved removed(OFFlowMod mod,
      org.projectfloodlight.openflow.protocol.OFFlowRemovedReason reason) {
    return factory.buildFlowRemoved()
        .setTableId(mod.getTableId()).setPriority(mod.getPriority()).setMatch(mod.getMatch())
        .setCookie(mod.getCookie()).setReason(reason)
        .setPacketCount(U64.of(1)).setByteCount(U64.of(100)).build();
  }

  /**
   * What the bridge sent about its flows since last asked, in the order it sent it: the TABLE_FULL
   * errors for the ADDs it refused (each with the refused request), and the FLOW_REMOVED messages
   * of flows deleted by flow-mod or idled out.
   */
  public synchronized List<Answer> takeAnswers() {
    List<Answer> out = List.copyOf(answers);
    answers.clear();
    return out;
  }

  /** As {@link #takeAnswers}, leaving them owed. */
  public synchronized List<Answer> answersOwed() {
    return List.copyOf(answers);
  }

  private void modify(Key key, OFFlowMod mod, boolean resetCounts) {
    flows.computeIfPresent(key, (k, old) -> old.createBuilder().setInstructions(mod.getInstructions()).build());
    if (resetCounts) {
      traffic.remove(key);
    }
  }

  /** The flows a loose MODIFY or DELETE selects. */
  private List<Key> selected(OFFlowMod mod) {
    long mask = mod.getCookieMask().getValue();
    return flows.entrySet().stream()
        .filter(e -> mod.getTableId().equals(TableId.ALL) || mod.getTableId().equals(e.getKey().table()))
        .filter(e -> (e.getValue().getCookie().getValue() & mask) == (mod.getCookie().getValue() & mask))
        .filter(e -> coversLoosely(mod.getMatch(), e.getKey().match()))
        .map(Map.Entry::getKey)
        .toList();
  }

  private static boolean coversLoosely(Match loose, Match flow) {
    for (MatchField<?> field : loose.getMatchFields()) {
      if (!sameCondition(loose, flow, field)) {
        return false;
      }
    }
    return true;
  }

  private static <F extends OFValueType<F>> boolean sameCondition(Match a, Match b, MatchField<F> field) {
    if (a.isExact(field)) {
      return b.isExact(field) && a.get(field).equals(b.get(field));
    }
    return b.isPartiallyMasked(field) && a.getMasked(field).equals(b.getMasked(field));
  }

  /** Applies every message in order, as one change: the fake applies flow-mods as they come. */
  @Override
  public synchronized CompletableFuture<Void> commit(List<OFMessage> messages) {
    messages.forEach(this::send);
    commits++;
    return barrier();
  }

  /** How many changes went as one commit. */
  public synchronized int commits() {
    return commits;
  }

  @Override
  public synchronized CompletableFuture<Void> barrier() {
    barriers++;
    return CompletableFuture.completedFuture(null);
  }

  /** The next {@code n} flow-stats requests are never answered, as by a stalled switch. */
  public synchronized void ignoreFlowStats(int n) {
    flowStatsToIgnore = n;
  }

  /** The flow statistics requests left unanswered by {@link #ignoreFlowStats(int)}, in order. */
  public synchronized List<CompletableFuture<List<OFFlowStatsEntry>>> unansweredFlowStats() {
    return List.copyOf(ignoredFlowStats);
  }

  /** How many flow-stats requests the bridge has had. */
  public synchronized int flowStatsRequests() {
    return flowStatsRequests;
  }

  /** How many barriers were asked for: a barrier is a round trip here, not a recorded message. */
  public synchronized int barriers() {
    return barriers;
  }

  public synchronized void clearBarriers() {
    barriers = 0;
  }

  @Override
  public synchronized CompletableFuture<List<OFFlowStatsEntry>> flowStats() {
    flowStatsRequests++;
    if (flowStatsToIgnore > 0) {
      flowStatsToIgnore--;
      var never = new CompletableFuture<List<OFFlowStatsEntry>>();
      ignoredFlowStats.add(never);
      return never;
    }
    List<OFFlowStatsEntry> entries = new ArrayList<>();
    for (Map.Entry<Key, OFFlowMod> e : flows.entrySet()) {
      OFFlowMod mod = e.getValue();
      long[] counts = traffic.getOrDefault(e.getKey(), new long[2]);
      entries.add(factory.buildFlowStatsEntry()
          .setTableId(mod.getTableId())
          .setPriority(mod.getPriority())
          .setMatch(mod.getMatch())
          .setCookie(mod.getCookie())
          .setIdleTimeout(mod.getIdleTimeout())
          .setHardTimeout(mod.getHardTimeout())
          .setFlags(mod.getFlags())
          .setInstructions(mod.getInstructions())
          .setPacketCount(U64.of(counts[0]))
          .setByteCount(U64.of(counts[1]))
          .build());
    }
    return CompletableFuture.completedFuture(entries);
  }

  /** Table {@code table} holds at most {@code max} flows from now on; ADDs of new flows beyond are refused. */
  public synchronized void limitTable(int table, int max) {
    tableLimits.put(table, max);
  }

  /**
   * Removes the flow {@code mod} added, as its idle timeout would; the FLOW_REMOVED the bridge sends
   * for it is owed after the answers owed before ({@link #takeAnswers}).
   */
  public synchronized void idleOut(OFFlowMod mod) {
    Key key = new Key(mod.getTableId(), mod.getPriority(), mod.getMatch());
    flows.remove(key);
    traffic.remove(key);
    answers.add(new Answer(removed(mod, org.projectfloodlight.openflow.protocol.OFFlowRemovedReason.IDLE_TIMEOUT),
        java.util.Optional.empty()));
  }

  /** Runs tasks at once on the calling thread: the fake has no thread of its own. */
  @Override
  public Executor executor() {
    return Runnable::run;
  }

  @Override
  public void close(String reason) {
    throw new UnsupportedOperationException("not needed by the partition");
  }

  /** A table miss of {@code frame} arriving on port number {@code port}, as this bridge would send it. */
  public OFPacketIn packetIn(int port, byte[] frame) {
    return packetIn(port, frame, factory.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(port)).build());
  }

  /**
   * A packet-in of {@code frame} from port number {@code port} sent by a flow after the pipeline
   * wrote {@code metadata}, which Open vSwitch reports in the packet-in's match.
   */
  public OFPacketIn packetIn(int port, byte[] frame, long metadata) {
    return packetIn(port, frame, factory.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(port))
        .setExact(MatchField.METADATA, org.projectfloodlight.openflow.types.OFMetadata.ofRaw(metadata)).build());
  }

  private OFPacketIn packetIn(int port, byte[] frame, org.projectfloodlight.openflow.protocol.match.Match match) {
    return factory.buildPacketIn()
        .setBufferId(OFBufferId.NO_BUFFER)
        .setTotalLen(frame.length)
        .setReason(OFPacketInReason.NO_MATCH)
        .setTableId(TableId.of(org.nicflow.compiler.flow.Pipeline.number(org.nicflow.compiler.flow.Pipeline.UNIFIED)))
        .setCookie(U64.ZERO)
        .setMatch(match)
        .setData(frame)
        .build();
  }
}
