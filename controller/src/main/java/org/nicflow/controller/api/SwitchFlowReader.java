package org.nicflow.controller.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.compiler.model.ApiLimits;
import org.nicflow.compiler.proactive.OvsFlowRenderer;
import org.nicflow.controller.openflow.SwitchConnection;
import org.nicflow.controller.openflow.translate.FlowCounters;
import org.nicflow.controller.openflow.translate.FlowModTranslator;
import org.nicflow.controller.openflow.translate.UnsignedCount;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;

/**
 * Reads a host's flows from its switch now, waiting at most {@link ApiSources#switchTimeout()} —
 * without holding a thread: the request goes to the switch, and only its answer takes an API
 * worker (to translate and sort). At most {@link ApiLimits#flowStatsInFlight()} requests wait for
 * switches at once; one more is refused (503) at once, so a switch that never answers costs a
 * bounded number of pending requests, each dropped at its timeout. Flows nicflow can read back are
 * shown in ovs-ofctl syntax; others (written by another program) in openflowj's notation, marked
 * {@code translated: false}.
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

  /** A host and one page of its flows; {@code next} is the path of the next page, absent on the last. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record HostFlows(String host, List<SwitchFlow> flows, String next) {}

  /**
   * The order of a listing: table, then priority from the highest, then match. A flow's table,
   * priority and match are its identity on the switch, so the order is total and a page's last
   * flow says where the next page starts.
   */
  private static final Comparator<SwitchFlow> ORDER = Comparator.comparingInt(SwitchFlow::tableId)
      .thenComparing(Comparator.comparingInt(SwitchFlow::priority).reversed())
      .thenComparing(SwitchFlow::match);

  private final ApiSources sources;
  private final Executor workers;
  private final ApiCounters counters;
  private final Semaphore inFlight;
  private final int inFlightLimit;
  private final OvsFlowRenderer renderer = new OvsFlowRenderer(true);

  SwitchFlowReader(ApiSources sources, ApiLimits limits, Executor workers, ApiCounters counters) {
    this.sources = sources;
    this.workers = workers;
    this.counters = counters;
    this.inFlightLimit = limits.flowStatsInFlight();
    this.inFlight = new Semaphore(inFlightLimit);
  }

  /**
   * The flows of {@code host}'s switch, in {@link #ORDER}, completed on an API worker.
   *
   * @throws ApiException 404 for a host not in the config, 503 if it is not connected or too many
   *     requests wait for switches; the future fails with a 503 {@link ApiException} when the
   *     switch does not answer in time or the workers are all busy
   */
  CompletableFuture<List<SwitchFlow>> read(String host) {
    SwitchConnection sw = connected(host);
    if (!inFlight.tryAcquire()) {
      counters.flowStatsRefused.increment();
      throw ApiException.busy(inFlightLimit + " flow statistics requests are already waiting for switches; try "
          + "again");
    }
    CompletableFuture<List<OFFlowStatsEntry>> request;
    try {
      request = sw.flowStats();
    } catch (RuntimeException e) {
      inFlight.release();
      throw e;
    }
    long millis = sources.switchTimeout().toMillis();
    CompletableFuture<List<SwitchFlow>> flows = new CompletableFuture<>();
    request.copy().orTimeout(millis, TimeUnit.MILLISECONDS).whenComplete((entries, failure) -> {
      inFlight.release();
      if (failure != null) {
        request.cancel(false); // the switch session stops waiting for a reply no one reads
        flows.completeExceptionally(failed(host, millis, failure));
        return;
      }
      try {
        workers.execute(() -> {
          try {
            flows.complete(describeAll(sw, entries));
          } catch (RuntimeException e) {
            flows.completeExceptionally(e);
          }
        });
      } catch (RejectedExecutionException e) {
        counters.shed.increment();
        flows.completeExceptionally(ApiException.busy("the API is busy: every worker is taken and the queue is full; "
            + "try again"));
      }
    });
    return flows;
  }

  /** One page of {@code host}'s flows; the cursor names the last flow of the page before. */
  CompletableFuture<PageRequest.Page<SwitchFlow>> page(String host, PageRequest page) {
    Optional<FlowKey> after = page.after().map(SwitchFlowReader::decode);
    return read(host).thenApply(all -> {
      int from = 0;
      if (after.isPresent()) {
        SwitchFlow key = after.get().asFlow();
        int at = Collections.binarySearch(all, key, ORDER);
        from = at >= 0 ? at + 1 : -at - 1;
      }
      int to = Math.min(all.size(), from + page.limit());
      List<SwitchFlow> entries = all.subList(from, to);
      Optional<String> next = to < all.size() ? Optional.of(FlowKey.of(all.get(to - 1)).encode()) : Optional.empty();
      return new PageRequest.Page<>(entries, next);
    });
  }

  /** Where a page of flows ends: the last flow's table, priority and match. */
  private record FlowKey(int tableId, int priority, String match) {

    static FlowKey of(SwitchFlow f) {
      return new FlowKey(f.tableId(), f.priority(), f.match());
    }

    String encode() {
      String text = tableId + "/" + priority + "/" + match;
      return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    SwitchFlow asFlow() {
      return new SwitchFlow(tableId, null, priority, match, null, null, UnsignedCount.ZERO, UnsignedCount.ZERO, 0, 0,
          0, false);
    }
  }

  private static FlowKey decode(String cursor) {
    try {
      String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      String[] parts = text.split("/", 3);
      if (parts.length == 3) {
        return new FlowKey(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), parts[2]);
      }
    } catch (IllegalArgumentException e) {
      // not base64, or not numbers: said below
    }
    throw PageRequest.badCursor(cursor);
  }

  private ApiException failed(String host, long millis, Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
        : failure;
    if (cause instanceof TimeoutException) {
      counters.flowStatsTimeouts.increment();
      return ApiException.unavailable("host " + host + " did not answer a flow statistics request within " + millis
          + " ms");
    }
    return ApiException.unavailable("could not read the flows of host " + host + ": " + cause.getMessage());
  }

  private List<SwitchFlow> describeAll(SwitchConnection sw, List<OFFlowStatsEntry> entries) {
    FlowModTranslator translator = new FlowModTranslator(sw.factory(), sw.ports());
    List<SwitchFlow> flows = new ArrayList<>(entries.size());
    for (OFFlowStatsEntry entry : entries) {
      flows.add(describe(translator, entry));
    }
    flows.sort(ORDER);
    return flows;
  }

  SwitchConnection connected(String host) {
    if (sources.config().host(host).isEmpty()) {
      throw ApiException.notFound("no host named '" + host + "'");
    }
    return sources.partition().switchOf(host)
        .orElseThrow(() -> ApiException.unavailable("host " + host + " is not connected"));
  }

  private SwitchFlow describe(FlowModTranslator translator, OFFlowStatsEntry entry) {
    FlowCounters read = FlowCounters.from(entry);
    DecodedCookie cookie = DecodedCookie.of(sources.config(), read.cookie());
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
    return new SwitchFlow(tableId, tableName, entry.getPriority(), match, actions, cookie, read.packets(),
        read.bytes(), read.durationSec(), entry.getIdleTimeout(), entry.getHardTimeout(), flow.isPresent());
  }
}
