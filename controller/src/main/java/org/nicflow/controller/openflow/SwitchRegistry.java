package org.nicflow.controller.openflow;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import org.projectfloodlight.openflow.types.DatapathId;

/**
 * Which dpids may connect (configured hosts), which are connected now, and the executor ("lane")
 * each configured switch's callbacks run on across its connections. Thread-safe.
 */
final class SwitchRegistry {

  /** Outcome of a switch claiming its dpid. */
  enum Claim {
    CLAIMED,
    UNKNOWN_DPID,
    ALREADY_CONNECTED
  }

  private volatile Map<DatapathId, String> hostsByDpid;
  private final Map<DatapathId, SwitchSession> connected = new ConcurrentHashMap<>();
  private final SwitchLanes lanes = new SwitchLanes();

  SwitchRegistry(Map<DatapathId, String> hostsByDpid) {
    this.hostsByDpid = Map.copyOf(hostsByDpid);
  }

  /**
   * The configured hosts from now on (a new policy revision); returns the sessions of switches
   * whose dpid is no longer configured, for the caller to close.
   */
  List<SwitchSession> reconfigure(Map<DatapathId, String> hosts) {
    Map<DatapathId, String> next = Map.copyOf(hosts);
    hostsByDpid = next;
    return connected.entrySet().stream().filter(e -> !next.containsKey(e.getKey())).map(Map.Entry::getValue).toList();
  }

  Optional<String> host(DatapathId dpid) {
    return Optional.ofNullable(hostsByDpid.get(dpid));
  }

  Claim claim(DatapathId dpid, SwitchSession session) {
    if (!hostsByDpid.containsKey(dpid)) {
      return Claim.UNKNOWN_DPID;
    }
    return connected.putIfAbsent(dpid, session) == null ? Claim.CLAIMED : Claim.ALREADY_CONNECTED;
  }

  /** Frees the dpid if {@code session} holds it. */
  void release(DatapathId dpid, SwitchSession session) {
    connected.remove(dpid, session);
  }

  /** The lane of a configured dpid. */
  ExecutorService lane(DatapathId dpid) {
    String host = hostsByDpid.get(dpid);
    if (host == null) {
      throw new IllegalArgumentException("not a configured switch: " + dpid);
    }
    return lanes.lane(dpid, host);
  }

  SwitchLanes lanes() {
    return lanes;
  }

  Optional<SwitchSession> session(DatapathId dpid) {
    return Optional.ofNullable(connected.get(dpid));
  }

  Collection<SwitchSession> sessions() {
    return List.copyOf(connected.values());
  }
}
