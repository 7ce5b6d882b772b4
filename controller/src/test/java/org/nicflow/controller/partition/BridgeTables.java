package org.nicflow.controller.partition;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.nicflow.compiler.flow.Cookie;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.FlowKind;
import org.nicflow.controller.openflow.translate.FlowModTranslator;

/** Reads a fake bridge's flow table back as nicflow flows, as the reconciler does. */
final class BridgeTables {

  private static final Set<FlowKind> CONNECTION_KINDS = EnumSet.of(FlowKind.UNIFIED, FlowKind.REVERSE, FlowKind.DENIED);

  private BridgeTables() {}

  /** Every flow of {@code bridge} nicflow could have written, in table order. */
  static List<FlowEntry> entries(FakeBridge bridge) {
    FlowModTranslator translator = new FlowModTranslator(bridge.factory(), bridge.ports());
    return bridge.flowStats().join().stream().map(translator::fromStats).flatMap(Optional::stream).toList();
  }

  /** Whether {@code flow} belongs to a connection (unified, reverse or denied): made by a miss, not compiled. */
  static boolean isConnectionFlow(FlowEntry flow) {
    return isConnectionCookie(flow.cookie());
  }

  /** Whether {@code cookie} is nicflow's and names a connection flow's kind. */
  static boolean isConnectionCookie(long cookie) {
    return Cookie.isOurs(cookie) && CONNECTION_KINDS.contains(Cookie.decode(cookie).kind());
  }

  /** The flows of {@code bridge} that are not connection flows: what the compiled tables put there. */
  static List<FlowEntry> compiledEntries(FakeBridge bridge) {
    return entries(bridge).stream().filter(f -> !isConnectionFlow(f)).toList();
  }

  /** The connection flows of {@code bridge}. */
  static List<FlowEntry> connectionEntries(FakeBridge bridge) {
    return entries(bridge).stream().filter(BridgeTables::isConnectionFlow).toList();
  }
}
