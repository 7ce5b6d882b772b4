package org.nicflow.controller.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.nicflow.compiler.model.ApiLimits;
import org.nicflow.controller.policy.PolicySnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps a request to a complete {@link ApiResponse}; never throws. Paths are matched by segment,
 * {@code {}} standing for one segment (a name). Unknown paths are 404, known paths with another
 * method 405 (with the methods allowed), handler errors their {@link ApiException} status and
 * details, anything unexpected 500 — all as {@code {"error": "...", ...}}. Every read takes the
 * policy snapshot in force once, when the request arrives, and answers its revision as
 * {@code ETag}; every write answers the revision it became.
 */
public final class ApiRouter {

  private static final Logger log = LoggerFactory.getLogger(ApiRouter.class);

  /** A 405 answer and the methods the path does allow. */
  public record Answer(ApiResponse response, List<String> allow) {}

  /** The path of the Prometheus scrape, answered on a thread of its own. */
  public static final String METRICS = "/metrics";

  /** Answers one matched request; {@code params} are the values of the {@code {}} segments. */
  @FunctionalInterface
  private interface Handler {
    ApiResponse handle(List<String> params, ApiRequest request);
  }

  /** As {@link Handler}, for an answer that waits for a switch without holding the thread. */
  @FunctionalInterface
  private interface LaterHandler {
    CompletableFuture<ApiResponse> handle(List<String> params, ApiRequest request);
  }

  /** A read: the value to answer as JSON, from the policy snapshot of the request. */
  @FunctionalInterface
  private interface Read {
    Object read(List<String> params, PolicySnapshot snapshot);
  }

  private record Route(String method, List<String> pattern, LaterHandler handler) {}

  private final ObjectMapper mapper;
  private final ApiSources sources;
  private final ApiLimits limits;
  private final List<Route> routes = new ArrayList<>();

  /** A router whose switch answers are translated on the thread that receives them (tests, internal calls). */
  public ApiRouter(ApiSources sources) {
    this(sources, ApiLimits.DEFAULTS, Runnable::run, new ApiCounters());
  }

  /**
   * @param workers where answers from switches are turned into JSON; it may refuse (the request
   *     is then answered 503)
   */
  ApiRouter(ApiSources sources, ApiLimits limits, Executor workers, ApiCounters counters) {
    this.sources = Objects.requireNonNull(sources, "sources");
    this.limits = Objects.requireNonNull(limits, "limits");
    this.mapper = new ObjectMapper()
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .setSerializationInclusion(JsonInclude.Include.ALWAYS)
        .enable(SerializationFeature.INDENT_OUTPUT);
    SwitchFlowReader flows = new SwitchFlowReader(sources, limits, workers, counters);
    SwitchViews live = new SwitchViews(sources, flows);
    TraceResource trace = new TraceResource(mapper);
    PolicyWrites writes = new PolicyWrites(sources.policy(), sources.writer(), limits, counters);
    MetricsExposition metrics = new MetricsExposition(sources, counters);

    get("/api/v1/config", (p, s) -> configDocument(s));
    get("/api/v1/vms", (p, s) -> views(s).vms());
    get("/api/v1/vms/{}", (p, s) -> views(s).vm(p.get(0)));
    later("GET", "/api/v1/vms/{}/stats", (p, r) -> {
      noQuery(r);
      long revision = sources.policy().current().revision();
      return live.vmStats(p.get(0)).thenApply(stats -> json(200, stats).withRevision(revision));
    });
    get("/api/v1/rulesets", (p, s) -> views(s).rulesets());
    get("/api/v1/rulesets/{}", (p, s) -> views(s).ruleset(p.get(0)));
    get("/api/v1/load_balancers", (p, s) -> views(s).loadBalancers());
    get("/api/v1/load_balancers/{}", (p, s) -> views(s).loadBalancer(p.get(0)));
    get("/api/v1/hosts", (p, s) -> live.hosts());
    later("GET", "/api/v1/hosts/{}/flows", (p, r) -> {
      PageRequest page = PageRequest.of(r.query(PageRequest.QUERY), limits);
      long revision = sources.policy().current().revision();
      return flows.page(p.get(0), page).thenApply(flowPage -> page.link(json(200, new SwitchFlowReader.HostFlows(
          p.get(0), flowPage.entries(), flowPage.next().map(c -> page.next(r.path(), c)).orElse(null)))
          .withRevision(revision), r.path(), flowPage));
    });
    route("GET", "/api/v1/connections", (p, r) -> {
      PageRequest page = PageRequest.of(r.query(PageRequest.QUERY), limits);
      long revision = sources.policy().current().revision();
      PageRequest.Page<SwitchViews.ConnectionView> connections = live.connections(page);
      return page.link(json(200, connections.entries()).withRevision(revision), r.path(), connections);
    });
    route("POST", "/api/v1/trace", (p, r) -> {
      noQuery(r);
      PolicySnapshot snapshot = sources.policy().current();
      return ApiResponse.json(200, trace.trace(snapshot, r.body()) + "\n").withRevision(snapshot.revision());
    });
    later("PUT", "/api/v1/config", (p, r) -> writes.putConfig(r).thenApply(this::answer));
    for (PolicyWrites.Kind kind : PolicyWrites.Kind.values()) {
      String path = "/api/v1/" + kind.key + "/{}";
      later("PUT", path, (p, r) -> writes.put(kind, p.get(0), r).thenApply(this::answer));
      later("DELETE", path, (p, r) -> writes.delete(kind, p.get(0), r).thenApply(this::answer));
    }
    route("GET", METRICS, (p, r) -> ApiResponse.text(ApiResponse.PROMETHEUS, metrics.render()));
  }

  private ConfigViews views(PolicySnapshot snapshot) {
    return new ConfigViews(snapshot.config(), sources.partition());
  }

  /** The whole config document, {@code revision} first. */
  private static ObjectNode configDocument(PolicySnapshot snapshot) {
    ObjectNode doc = JsonNodeFactory.instance.objectNode();
    doc.put("revision", snapshot.revision());
    doc.setAll(ConfigDocument.of(snapshot.config()));
    return doc;
  }

  private void get(String path, Read read) {
    route("GET", path, (p, r) -> {
      noQuery(r);
      PolicySnapshot snapshot = sources.policy().current();
      return json(200, read.read(p, snapshot)).withRevision(snapshot.revision());
    });
  }

  private static void noQuery(ApiRequest request) {
    request.query(java.util.Set.of());
  }

  private ApiResponse answer(PolicyWrites.Answer answer) {
    return json(answer.status(), answer.body()).withRevision(answer.revision());
  }

  private void route(String method, String path, Handler handler) {
    later(method, path, (p, r) -> CompletableFuture.completedFuture(handler.handle(p, r)));
  }

  private void later(String method, String path, LaterHandler handler) {
    routes.add(new Route(method, segments(path), handler));
  }

  /**
   * Answers one request; {@code allow} is non-empty exactly for a 405. The future never fails: an
   * error is an answer. It is complete when this returns unless the answer waits for a switch.
   */
  public CompletableFuture<Answer> handle(ApiRequest request) {
    String method = request.method();
    String path = request.path();
    try {
      List<String> segments = segments(path);
      TreeSet<String> allowed = new TreeSet<>();
      for (Route r : routes) {
        List<String> params = match(r.pattern(), segments);
        if (params == null) {
          continue;
        }
        if (r.method().equals(method)) {
          return r.handler().handle(params, request).handle((response, failure) -> failure == null
              ? new Answer(response, List.of()) : failed(method, path, failure));
        }
        allowed.add(r.method());
      }
      if (!allowed.isEmpty()) {
        return CompletableFuture.completedFuture(new Answer(error(405, "method " + method + " not allowed on " + path
            + " (allowed: " + String.join(", ", allowed) + ")"), List.copyOf(allowed)));
      }
      return CompletableFuture.completedFuture(new Answer(error(404, "no such resource: " + path), List.of()));
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(failed(method, path, e));
    }
  }

  /** As {@link #handle(ApiRequest)}, for a request with no headers and no query. */
  public CompletableFuture<Answer> handle(String method, String path, byte[] body) {
    return handle(ApiRequest.of(method, path, body));
  }

  /** The answer for a handler that threw: its {@link ApiException}'s status, or 500 for a bug. */
  private Answer failed(String method, String path, Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
        : failure;
    if (cause instanceof ApiException e) {
      ApiResponse response = error(e.status(), e.getMessage(), e.details());
      for (Map.Entry<String, String> h : e.headers().entrySet()) {
        response = response.withHeader(h.getKey(), h.getValue());
      }
      return new Answer(response, List.of());
    }
    log.error("API {} {} failed", method, path, cause);
    return new Answer(error(500, "internal error: " + cause), List.of());
  }

  ApiResponse error(int status, String message) {
    return error(status, message, Map.of());
  }

  private ApiResponse error(int status, String message, Map<String, Object> details) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", message);
    body.putAll(details);
    return json(status, body);
  }

  private ApiResponse json(int status, Object value) {
    return ApiResponse.json(status, write(value));
  }

  private String write(Object value) {
    try {
      return mapper.writeValueAsString(value) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName() + ": " + e, e);
    }
  }

  private static List<String> segments(String path) {
    List<String> out = new ArrayList<>();
    for (String s : path.split("/")) {
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    return out;
  }

  /** The values of the {@code {}} segments, or null when the path does not match. */
  private static List<String> match(List<String> pattern, List<String> path) {
    if (pattern.size() != path.size()) {
      return null;
    }
    List<String> params = new ArrayList<>();
    for (int i = 0; i < pattern.size(); i++) {
      if (pattern.get(i).equals("{}")) {
        params.add(path.get(i));
      } else if (!pattern.get(i).equals(path.get(i))) {
        return null;
      }
    }
    return params;
  }
}
