package org.nicflow.controller.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps (method, path, body) to a complete {@link ApiResponse}; never throws. Paths are matched by
 * segment, {@code {}} standing for one segment (a name). Unknown paths are 404, known paths with
 * another method 405 (with the methods allowed), handler errors their {@link ApiException} status,
 * anything unexpected 500 — all as {@code {"error": "..."}}.
 */
public final class ApiRouter {

  private static final Logger log = LoggerFactory.getLogger(ApiRouter.class);

  /** A 405 answer and the methods the path does allow. */
  public record Answer(ApiResponse response, List<String> allow) {}

  private record Route(String method, List<String> pattern, BiFunction<List<String>, byte[], ApiResponse> handler) {}

  private final ObjectMapper mapper;
  private final List<Route> routes = new ArrayList<>();

  public ApiRouter(ApiSources sources) {
    Objects.requireNonNull(sources, "sources");
    this.mapper = new ObjectMapper()
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .setSerializationInclusion(JsonInclude.Include.ALWAYS)
        .enable(SerializationFeature.INDENT_OUTPUT);
    ConfigViews config = new ConfigViews(sources.config(), sources.partition());
    SwitchFlowReader flows = new SwitchFlowReader(sources);
    SwitchViews live = new SwitchViews(sources, flows);
    TraceResource trace = new TraceResource(sources.config(), sources.generation(), mapper);
    MetricsExposition metrics = new MetricsExposition(sources);

    get("/api/v1/vms", (p, b) -> json(config.vms()));
    get("/api/v1/vms/{}/stats", (p, b) -> json(live.vmStats(p.get(0))));
    get("/api/v1/rulesets", (p, b) -> json(config.rulesets()));
    get("/api/v1/load_balancers", (p, b) -> json(config.loadBalancers()));
    get("/api/v1/hosts", (p, b) -> json(live.hosts()));
    get("/api/v1/hosts/{}/flows", (p, b) -> json(new SwitchFlowReader.HostFlows(p.get(0), flows.read(p.get(0)))));
    get("/api/v1/connections", (p, b) -> json(live.connections()));
    route("POST", "/api/v1/trace", (p, b) -> ApiResponse.json(200, trace.trace(b) + "\n"));
    get("/metrics", (p, b) -> ApiResponse.text(ApiResponse.PROMETHEUS, metrics.render()));
  }

  private void get(String path, BiFunction<List<String>, byte[], ApiResponse> handler) {
    route("GET", path, handler);
  }

  private void route(String method, String path, BiFunction<List<String>, byte[], ApiResponse> handler) {
    routes.add(new Route(method, segments(path), handler));
  }

  /** Answers one request; {@code allow} is non-empty exactly for a 405. */
  public Answer handle(String method, String path, byte[] body) {
    try {
      List<String> segments = segments(path);
      TreeSet<String> allowed = new TreeSet<>();
      for (Route r : routes) {
        List<String> params = match(r.pattern(), segments);
        if (params == null) {
          continue;
        }
        if (r.method().equals(method)) {
          return new Answer(r.handler().apply(params, body), List.of());
        }
        allowed.add(r.method());
      }
      if (!allowed.isEmpty()) {
        return new Answer(error(405, "method " + method + " not allowed on " + path + " (allowed: "
            + String.join(", ", allowed) + ")"), List.copyOf(allowed));
      }
      return new Answer(error(404, "no such resource: " + path), List.of());
    } catch (ApiException e) {
      return new Answer(error(e.status(), e.getMessage()), List.of());
    } catch (RuntimeException e) {
      log.error("API {} {} failed", method, path, e);
      return new Answer(error(500, "internal error: " + e), List.of());
    }
  }

  ApiResponse error(int status, String message) {
    return ApiResponse.json(status, write(Map.of("error", message)));
  }

  private ApiResponse json(Object value) {
    return ApiResponse.json(200, write(value));
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
