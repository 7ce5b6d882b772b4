package org.nicflow.controller.partition;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.nicflow.controller.openflow.PortMap;
import org.nicflow.controller.openflow.SwitchConnection;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFFlowModCommand;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.types.DatapathId;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/**
 * A bridge that keeps its flow table as OVS would: flow-mods add, replace, modify and delete by
 * (table, priority, match); flow stats report what is there. Messages are recorded in order. Single
 * threaded, like a switch's executor.
 */
final class FakeBridge implements SwitchConnection {

  private record Key(TableId table, int priority, Match match) {}

  private final String host;
  private final DatapathId dpid;
  private final OFFactory factory = OFFactories.getFactory(OFVersion.OF_13);
  private PortMap ports;
  private final Map<Key, OFFlowMod> flows = new LinkedHashMap<>();
  final List<OFMessage> sent = new ArrayList<>();

  FakeBridge(String host, long dpid, Map<String, Integer> ports) {
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
  void preinstall(OFFlowMod mod) {
    apply(mod);
  }

  int flowCount() {
    return flows.size();
  }

  List<OFFlowMod> flowsIn(int table) {
    return flows.values().stream().filter(f -> f.getTableId().getValue() == table).toList();
  }

  <T extends OFMessage> List<T> sentOf(Class<T> type) {
    return sent.stream().filter(type::isInstance).map(type::cast).toList();
  }

  void clearSent() {
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
  public void send(OFMessage message) {
    sent.add(message);
    if (message instanceof OFFlowMod mod) {
      apply(mod);
    }
  }

  private void apply(OFFlowMod mod) {
    Key key = new Key(mod.getTableId(), mod.getPriority(), mod.getMatch());
    OFFlowModCommand command = mod.getCommand();
    switch (command) {
      case ADD -> flows.put(key, mod);
      case MODIFY_STRICT -> flows.computeIfPresent(key, (k, old) -> old.createBuilder()
          .setInstructions(mod.getInstructions()).build());
      case DELETE_STRICT -> flows.remove(key);
      case DELETE -> flows.values().removeIf(f -> mod.getCookieMask().equals(U64.ZERO)
          || (f.getCookie().getValue() & mod.getCookieMask().getValue())
              == (mod.getCookie().getValue() & mod.getCookieMask().getValue()));
      default -> throw new IllegalStateException("fake bridge does not do " + command);
    }
  }

  @Override
  public CompletableFuture<Void> barrier() {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<List<OFFlowStatsEntry>> flowStats() {
    List<OFFlowStatsEntry> entries = new ArrayList<>();
    for (OFFlowMod mod : flows.values()) {
      entries.add(factory.buildFlowStatsEntry()
          .setTableId(mod.getTableId())
          .setPriority(mod.getPriority())
          .setMatch(mod.getMatch())
          .setCookie(mod.getCookie())
          .setIdleTimeout(mod.getIdleTimeout())
          .setHardTimeout(mod.getHardTimeout())
          .setFlags(mod.getFlags())
          .setInstructions(mod.getInstructions())
          .setPacketCount(U64.ZERO)
          .setByteCount(U64.ZERO)
          .build());
    }
    return CompletableFuture.completedFuture(entries);
  }

  @Override
  public void close(String reason) {
    throw new UnsupportedOperationException("not needed by the partition");
  }
}
