package org.nicflow.controller.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.nicflow.compiler.config.ConfigError;
import org.nicflow.compiler.config.ConfigException;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.model.ApiLimits;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.LoadBalancer;
import org.nicflow.compiler.model.Vm;
import org.nicflow.controller.policy.LivePolicy;
import org.nicflow.controller.policy.PolicyStoreException;
import org.nicflow.controller.policy.PolicyWriter;
import org.nicflow.controller.policy.StaleRevisionException;
import org.nicflow.controller.policy.UpdatePlan;

/**
 * The write endpoints (docs/api.md): {@code PUT}/{@code DELETE} of one VM, rule set or load
 * balancer, and {@code PUT /api/v1/config}. Each write edits the JSON document of the newest
 * revision, validates the whole edited document exactly like a config file and hands it to the
 * {@link PolicyWriter}; on any error nothing is committed. Writes run one at a time, so an
 * {@code If-Match} check and the commit it guards see the same revision. A write with {@code
 * ?wait=enforced} is answered when the switches confirm it, or at its timeout, from the future of
 * its enforcement — it holds no thread meanwhile; at most {@link ApiLimits#enforceWaits()} such
 * writes wait at once, and one more is refused (503) before anything is written.
 */
final class PolicyWrites {

  /** What a URL names: a section of the config and the noun for its elements. */
  enum Kind {
    VM("vms", "VM"),
    RULESET("rulesets", "rule set"),
    LOAD_BALANCER("load_balancers", "load balancer");

    final String key;
    final String noun;

    Kind(String key, String noun) {
      this.key = key;
      this.noun = noun;
    }
  }

  static final Set<String> QUERY = Set.of("wait", "timeout_s", "dry_run");
  static final int DEFAULT_WAIT_S = 10;
  static final int MAX_WAIT_S = 300;
  /** The error source name. */
  private static final String SOURCE = "request.json";

  /** The options of one write request. */
  private record Options(OptionalLong ifMatch, boolean dryRun, OptionalInt waitSeconds) {}

  /** The revision a write edits. */
  private record Base(long revision, Config config) {}

  /**
   * An edited document.
   *
   * @param bodyAt where the request body sits in the document ({@code ""}: it is the document;
   *     {@code null}: the request has no body, as for DELETE)
   * @param headline the error message for a document that does not validate, given its errors;
   *     {@link #firstError} appends the first one
   */
  private record Edit(ObjectNode document, boolean created, String bodyAt,
      Function<List<Map<String, String>>, String> headline) {}

  private final LivePolicy policy;
  private final PolicyWriter writer;
  private final ObjectMapper mapper;
  private final ConfigLoader loader = new ConfigLoader();
  private final Object writeLock = new Object();
  private final Semaphore waits;
  private final int waitLimit;
  private final ApiCounters counters;

  PolicyWrites(LivePolicy policy, PolicyWriter writer, ApiLimits limits, ApiCounters counters) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.writer = Objects.requireNonNull(writer, "writer");
    this.waitLimit = limits.enforceWaits();
    this.waits = new Semaphore(waitLimit);
    this.counters = Objects.requireNonNull(counters, "counters");
    this.mapper = new ObjectMapper()
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }

  /** The answer of a write: its status, JSON body and the revision for the ETag. */
  record Answer(int status, Object body, long revision) {}

  /** {@code PUT /api/v1/{kind}/{name}}: creates or replaces one element. */
  CompletableFuture<Answer> put(Kind kind, String name, ApiRequest request) {
    Options options = options(request);
    ObjectNode element = element(kind, name, parseObject(request.body(), "the " + kind.noun));
    return apply(options, base -> {
      ObjectNode doc = ConfigDocument.of(base.config());
      ArrayNode list = section(doc, kind);
      int index = indexOf(list, name);
      boolean created = index < 0;
      if (created) {
        list.add(element);
        index = list.size() - 1;
      } else {
        list.set(index, element);
      }
      String what = kind.noun + " '" + name + "'";
      return new Edit(doc, created, kind.key + "[" + index + "]", errors -> firstError("invalid " + what, errors));
    });
  }

  /** {@code DELETE /api/v1/{kind}/{name}}: removes one element; 404 when there is none. */
  CompletableFuture<Answer> delete(Kind kind, String name, ApiRequest request) {
    Options options = options(request);
    return apply(options, base -> {
      ObjectNode doc = ConfigDocument.of(base.config());
      ArrayNode list = section(doc, kind);
      int index = indexOf(list, name);
      if (index < 0) {
        throw ApiException.notFound("no " + kind.noun + " named '" + name + "'");
      }
      list.remove(index);
      String what = kind.noun + " '" + name + "'";
      List<String> users = dependents(kind, name, base.config());
      return new Edit(doc, false, null, errors -> users.isEmpty()
          ? firstError("cannot delete " + what, errors) : "cannot delete " + what + ": " + dependents(kind, users));
    });
  }

  /**
   * {@code PUT /api/v1/config}: replaces the whole config. A top-level {@code revision} (as
   * {@code GET /api/v1/config} answers) is taken out and acts as {@code If-Match}.
   */
  CompletableFuture<Answer> putConfig(ApiRequest request) {
    Options options = options(request);
    ObjectNode doc = parseObject(request.body(), "the config");
    JsonNode revision = doc.remove("revision");
    if (revision != null && !revision.isNull()) {
      if (!revision.canConvertToLong() || !revision.isIntegralNumber() || revision.asLong() < 0) {
        List<Map<String, String>> errors = List.of(error("revision", "body",
            "wrong type: expected the revision the config was read at, a whole number"));
        throw validation(firstError("invalid config", errors), errors);
      }
      long read = revision.asLong();
      if (options.ifMatch().isPresent() && options.ifMatch().getAsLong() != read) {
        throw ApiException.badRequest("If-Match " + options.ifMatch().getAsLong() + " and the body's revision "
            + read + " disagree");
      }
      options = new Options(OptionalLong.of(read), options.dryRun(), options.waitSeconds());
    }
    return apply(options, base -> new Edit(doc, false, "", errors -> firstError("invalid config", errors)));
  }

  // ---------------------------------------------------------------- the write

  /**
   * Validates and commits (or plans) the edit; the answer is complete at once unless the request
   * waits for enforcement.
   *
   * @throws ApiException 503 when {@link ApiLimits#enforceWaits()} writes already wait (nothing is
   *     written), or what validating or committing the edit gave
   */
  private CompletableFuture<Answer> apply(Options options, Function<Base, Edit> edit) {
    boolean waiting = options.waitSeconds().isPresent();
    if (waiting && !waits.tryAcquire()) {
      counters.enforceWaitsRefused.increment();
      throw ApiException.busy(waitLimit + " writes already wait for the switches to enforce them; nothing was "
          + "written; try again, or write without wait=enforced");
    }
    Prepared prepared;
    PolicyWriter.Accepted accepted = null;
    try {
      synchronized (writeLock) {
        prepared = prepare(options, edit);
        if (!options.dryRun()) {
          accepted = commit(prepared);
        }
      }
    } catch (RuntimeException e) {
      if (waiting) {
        waits.release();
      }
      throw e;
    }
    // Outside the lock: a plan may wait for the switches; other writes need not.
    if (accepted == null) {
      return CompletableFuture.completedFuture(
          new Answer(200, plan(policy.plan(writer.numbered(prepared.next()))), prepared.base().revision()));
    }
    boolean created = prepared.edit().created() && accepted.changed();
    if (!waiting) {
      return CompletableFuture.completedFuture(written(accepted, created, false));
    }
    PolicyWriter.Accepted done = accepted;
    return enforced(done, options.waitSeconds().getAsInt()).thenApply(v -> written(done, created, true));
  }

  /** The answer to a committed write; {@code enforced} says whether the request waited for it. */
  private static Answer written(PolicyWriter.Accepted accepted, boolean created, boolean enforced) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("revision", accepted.revision());
    body.put("changed", accepted.changed());
    if (enforced) {
      body.put("enforced", true);
    }
    return new Answer(created ? 201 : 200, body, accepted.revision());
  }

  /** A validated edit of {@code base}. */
  private record Prepared(Base base, Edit edit, Config next) {}

  private Prepared prepare(Options options, Function<Base, Edit> edit) {
    Base base = base();
    if (options.ifMatch().isPresent() && options.ifMatch().getAsLong() != base.revision()) {
      throw stale(new StaleRevisionException(options.ifMatch().getAsLong(), base.revision()));
    }
    Edit e = edit.apply(base);
    return new Prepared(base, e, validate(e));
  }

  private PolicyWriter.Accepted commit(Prepared prepared) {
    try {
      return writer.write(prepared.next(), OptionalLong.of(prepared.base().revision()));
    } catch (StaleRevisionException s) {
      throw stale(s);
    } catch (PolicyStoreException s) {
      throw ApiException.unavailable("the policy store did not take the write (nothing changed): " + s.getMessage());
    }
  }

  private Base base() {
    try {
      return writer.latest().map(r -> new Base(r.revision(), r.config()))
          .orElseGet(() -> new Base(0, policy.current().config()));
    } catch (PolicyStoreException e) {
      throw ApiException.unavailable("cannot read the newest policy revision: " + e.getMessage());
    }
  }

  private Config validate(Edit edit) {
    try {
      return loader.read(edit.document(), SOURCE);
    } catch (ConfigException e) {
      List<Map<String, String>> errors = e.errors().stream().map(err -> describe(err, edit.bodyAt())).toList();
      throw validation(edit.headline().apply(errors), errors);
    }
  }

  /** One loader error, its path relative to the request body when it lies inside it. */
  private static Map<String, String> describe(ConfigError error, String bodyAt) {
    String path = error.path();
    if (bodyAt == null) {
      return error(path, "config", error.message());
    } else if (bodyAt.isEmpty()) {
      return error(path, "body", error.message());
    } else if (path.equals(bodyAt) || path.startsWith(bodyAt + ".")) {
      return error(path.equals(bodyAt) ? "" : path.substring(bodyAt.length() + 1), "body", error.message());
    }
    return error(path, "config", error.message());
  }

  /** One entry of {@code errors}: {@code in} is {@code body} or {@code config}, which the path is relative to. */
  private static Map<String, String> error(String path, String in, String message) {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("path", path);
    out.put("in", in);
    out.put("message", message);
    return out;
  }

  /** {@code headline: path: message} of the first error, and how many more there are. */
  private static String firstError(String headline, List<Map<String, String>> errors) {
    Map<String, String> first = errors.get(0);
    String where = first.get("path").isEmpty() ? "" : first.get("path") + ": ";
    String more = errors.size() == 1 ? "" : " (and " + (errors.size() - 1) + " more)";
    return headline + ": " + where + first.get("message") + more;
  }

  private static ApiException validation(String message, List<Map<String, String>> errors) {
    return new ApiException(400, message, Map.of("errors", errors), Map.of());
  }

  private static ApiException stale(StaleRevisionException e) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("expected", e.expected());
    details.put("actual", e.actual());
    return new ApiException(409, "If-Match revision " + e.expected() + " is stale: the policy is at revision "
        + e.actual() + " (nothing changed; read it again and retry)", details,
        Map.of("ETag", Revisions.etag(e.actual())));
  }

  /** Who still uses what a DELETE removes: VMs of a rule set, load balancers of a VM. */
  private static List<String> dependents(Kind kind, String name, Config config) {
    return switch (kind) {
      case RULESET -> config.vms().stream().filter(v -> v.ruleset().equals(name)).map(Vm::name).toList();
      case VM -> config.loadBalancers().stream()
          .filter(lb -> lb.backends().stream().anyMatch(b -> b.vm().equals(name))).map(LoadBalancer::name).toList();
      case LOAD_BALANCER -> List.of();
    };
  }

  private static String dependents(Kind kind, List<String> users) {
    boolean one = users.size() == 1;
    String names = String.join(", ", users);
    String them = one ? "it" : "them";
    return kind == Kind.RULESET
        ? (one ? "VM " : "VMs ") + names + (one ? " uses" : " use") + " it; move " + them
            + " to another rule set or delete " + them + " first"
        : (one ? "load balancer " : "load balancers ") + names + (one ? " has" : " have") + " it as a backend; change "
            + them + " first";
  }

  /**
   * Completes when the accepted revision is enforced, or fails with a 504 {@link ApiException} when
   * it is not within {@code seconds} or enforcing it failed; either way the wait's place is given
   * back. Holds no thread while it waits.
   */
  private CompletableFuture<Void> enforced(PolicyWriter.Accepted accepted, int seconds) {
    long revision = accepted.revision();
    CompletableFuture<Void> enforcement;
    try {
      // a copy: the timeout must not fail the policy's own future, which other waits share
      enforcement = policy.enforced(revision).copy().orTimeout(seconds, TimeUnit.SECONDS);
    } catch (RuntimeException e) {
      waits.release();
      throw e;
    }
    CompletableFuture<Void> answered = new CompletableFuture<>();
    enforcement.whenComplete((v, failure) -> {
      waits.release();
      if (failure == null) {
        answered.complete(null);
        return;
      }
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
          : failure;
      String why = cause instanceof TimeoutException
          ? "not every affected switch confirmed it within " + seconds + " s"
          : "enforcing it failed: " + cause.getMessage();
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("revision", revision);
      details.put("changed", accepted.changed());
      details.put("enforced", false);
      answered.completeExceptionally(new ApiException(504, "revision " + revision + " is accepted and durable, but "
          + why + "; the controller keeps enforcing it", details, Map.of("ETag", Revisions.etag(revision))));
    });
    return answered;
  }

  private static Map<String, Object> plan(UpdatePlan plan) {
    Map<String, Object> hosts = new TreeMap<>();
    plan.hosts().forEach((name, h) -> {
      Map<String, Object> host = new LinkedHashMap<>();
      host.put("connected", h.connected());
      host.put("added", h.added());
      host.put("changed", h.changed());
      host.put("removed", h.removed());
      host.put("connections_ended", h.connectionsEnded());
      hosts.put(name, host);
    });
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("dry_run", true);
    out.put("from_revision", plan.fromRevision());
    out.put("hosts", hosts);
    return out;
  }

  // ---------------------------------------------------------------- request parts

  private static Options options(ApiRequest request) {
    Map<String, String> query = request.query(QUERY);
    boolean dryRun = switch (query.getOrDefault("dry_run", "false")) {
      case "true", "" -> true;
      case "false" -> false;
      default -> throw ApiException.badRequest("dry_run must be true or false, got '" + query.get("dry_run") + "'");
    };
    OptionalInt wait = OptionalInt.empty();
    if (query.containsKey("wait")) {
      if (!query.get("wait").equals("enforced")) {
        throw ApiException.badRequest("wait must be 'enforced', got '" + query.get("wait") + "'");
      }
      wait = OptionalInt.of(DEFAULT_WAIT_S);
    }
    if (query.containsKey("timeout_s")) {
      if (wait.isEmpty()) {
        throw ApiException.badRequest("timeout_s goes only with wait=enforced");
      }
      String t = query.get("timeout_s");
      if (!t.matches("\\d{1,4}") || Integer.parseInt(t) < 1 || Integer.parseInt(t) > MAX_WAIT_S) {
        throw ApiException.badRequest("timeout_s must be a whole number of seconds 1-" + MAX_WAIT_S + ", got '" + t + "'");
      }
      wait = OptionalInt.of(Integer.parseInt(t));
    }
    if (dryRun && wait.isPresent()) {
      throw ApiException.badRequest("dry_run and wait=enforced do not go together: a dry run commits nothing");
    }
    return new Options(Revisions.ifMatch(request), dryRun, wait);
  }

  private ObjectNode parseObject(byte[] body, String what) {
    if (body.length == 0) {
      throw ApiException.badRequest("empty body: expected " + what + " as a JSON object");
    }
    JsonNode node;
    try {
      node = mapper.readTree(body);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw ApiException.badRequest("body is not JSON"
          + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")
          + ": " + firstLine(e.getOriginalMessage()));
    } catch (IOException e) {
      throw ApiException.badRequest("cannot read the body: " + e.getMessage());
    }
    if (!(node instanceof ObjectNode object)) {
      throw ApiException.badRequest("body must be " + what + " as a JSON object, got "
          + (node == null ? "nothing" : node.getNodeType().name().toLowerCase(java.util.Locale.ROOT)));
    }
    return object;
  }

  /** The body with {@code name} first: taken from the URL when absent, 400 when it disagrees. */
  private static ObjectNode element(Kind kind, String name, ObjectNode body) {
    JsonNode given = body.get("name");
    if (given != null && !given.isNull() && !(given.isTextual() && given.textValue().equals(name))) {
      String message = "name " + given + " in the body does not match '" + name + "' in the URL";
      List<Map<String, String>> errors = List.of(error("name", "body", message));
      throw validation(firstError("invalid " + kind.noun + " '" + name + "'", errors), errors);
    }
    ObjectNode element = JsonNodeFactory.instance.objectNode();
    element.put("name", name);
    body.properties().forEach(field -> {
      if (!field.getKey().equals("name")) {
        element.set(field.getKey(), field.getValue());
      }
    });
    return element;
  }

  private static ArrayNode section(ObjectNode doc, Kind kind) {
    JsonNode list = doc.get(kind.key);
    if (list instanceof ArrayNode array) {
      return array;
    }
    return doc.putArray(kind.key);
  }

  private static int indexOf(ArrayNode list, String name) {
    for (int i = 0; i < list.size(); i++) {
      if (name.equals(list.get(i).path("name").asText(null))) {
        return i;
      }
    }
    return -1;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "syntax error";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
