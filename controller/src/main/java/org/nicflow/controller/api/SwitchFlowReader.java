package org.nicflow.controller.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.compiler.proactive.OvsFlowRenderer;
import org.nicflow.controller.openflow.SwitchConnection;
import org.nicflow.controller.openflow.translate.FlowCounters;
import org.nicflow.controller.openflow.translate.FlowModTranslator;
import org.nicflow.controller.openflow.translate.UnsignedCount;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;

/**
 * Reads a host's flows from its switch now, on the calling (API worker) thread, waiting at most
 * {@link ApiSources#switchTimeout()}. Flows nicflow can read back are shown in ovs-ofctl syntax;
 * others (written by another program) in openflowj's notation, marked {@code translated: false}.
 */
final class SwitchFlowReader {

  /** One flow of a switch, with its counters and decoded cookie. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record SwitchFlow(
      int tableId,
      String table,
      int priority,
      String match,
      String actions,
      DecodedCookie cookie,
      UnsignedCount packets,
      UnsignedCount bytes,
      long durationS,
      int idleTimeout,
      int hardTimeout,
      boolean translated) {}

  /** A host and its flows. */
  public record HostFlows(String host, List<SwitchFlow> flows) {}

  private final ApiSources sources;
  private final OvsFlowRenderer renderer = new OvsFlowRenderer(true);

  SwitchFlowReader(ApiSources sources) {
    this.sources = sources;
  }

  /** The flows of {@code host}'s switch; 404 for a host not in the config, 503 if not connected. */
  List<SwitchFlow> read(String host) {
    SwitchConnection sw = connected(host);
    List<OFFlowStatsEntry> entries = await(host, sw);
    FlowModTranslator translator = new FlowModTranslator(sw.factory(), sw.ports());
    List<SwitchFlow> flows = new ArrayList<>(entries.size());
    for (OFFlowStatsEntry entry : entries) {
      flows.add(describe(translator, entry));
    }
    flows.sort(java.util.Comparator.comparingInt(SwitchFlow::tableId)
        .thenComparing(java.util.Comparator.comparingInt(SwitchFlow::priority).reversed()));
    return flows;
  }

  SwitchConnection connected(String host) {
    if (sources.config().host(host).isEmpty()) {
      throw ApiException.notFound("no host named '" + host + "'");
    }
    return sources.partition().switchOf(host)
        .orElseThrow(() -> ApiException.unavailable("host " + host + " is not connected"));
  }

  private List<OFFlowStatsEntry> await(String host, SwitchConnection sw) {
    long millis = sources.switchTimeout().toMillis();
    try {
      return sw.flowStats().get(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.unavailable("interrupted while reading the flows of host " + host);
    } catch (TimeoutException e) {
      throw ApiException.unavailable("host " + host + " did not answer a flow statistics request within "
          + millis + " ms");
    } catch (ExecutionException e) {
      throw ApiException.unavailable("could not read the flows of host " + host + ": " + e.getCause().getMessage());
    }
  }

  private SwitchFlow describe(FlowModTranslator translator, OFFlowStatsEntry entry) {
    FlowCounters counters = FlowCounters.from(entry);
    DecodedCookie cookie = DecodedCookie.of(sources.config(), counters.cookie());
    int tableId = entry.getTableId().getValue();
    String tableName = Pipeline.hasNumber(tableId) ? Pipeline.nameOf(tableId) : null;
    Optional<FlowEntry> flow = translator.fromStats(entry);
    String match;
    String actions;
    if (flow.isPresent()) {
      match = renderer.renderMatch(flow.get().match().fields());
      String line = renderer.render(flow.get());
      actions = line.substring(line.indexOf(",actions=") + ",actions=".length());
    } else {
      match = entry.getMatch().toString();
      actions = String.valueOf(entry.getInstructions());
    }
    return new SwitchFlow(tableId, tableName, entry.getPriority(), match, actions, cookie, counters.packets(),
        counters.bytes(), counters.durationSec(), entry.getIdleTimeout(), entry.getHardTimeout(), flow.isPresent());
  }
}
