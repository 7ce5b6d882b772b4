package org.nicflow.controller.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Set;
import org.nicflow.compiler.model.Direction;
import org.nicflow.controller.policy.PolicySnapshot;
import org.nicflow.controller.trace.PacketTrace;
import org.nicflow.controller.trace.TraceInputException;

/**
 * {@code POST /api/v1/trace}: {@code {"vm": NAME, "direction": "in"|"out", "packet": PACKET}} in,
 * the trace object of docs/cli.md ("--json") out — {@link PacketTrace}, the code {@code nicflow trace --json}
 * runs, over the policy snapshot in force when the request arrives.
 */
final class TraceResource {

  private static final Set<String> KEYS = Set.of("vm", "direction", "packet");

  private final ObjectMapper mapper;

  TraceResource(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** The trace JSON text for a request body; {@link ApiException} 400 for anything malformed. */
  String trace(PolicySnapshot snapshot, byte[] body) {
    JsonNode request = parse(body);
    String vm = text(request, "vm");
    Direction direction = direction(text(request, "direction"));
    String spec = text(request, "packet");
    try {
      return PacketTrace.of(snapshot, vm, direction, spec).toJson();
    } catch (TraceInputException e) {
      throw ApiException.badRequest(e.getMessage());
    }
  }

  private JsonNode parse(byte[] body) {
    if (body.length == 0) {
      throw ApiException.badRequest("empty body: expected {\"vm\": NAME, \"direction\": \"in\"|\"out\", "
          + "\"packet\": \"tcp,nw_dst=..,tp_dst=..\"}");
    }
    JsonNode node;
    try {
      node = mapper.readTree(body);
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest("body is not JSON: " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw ApiException.badRequest("cannot read the body: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw ApiException.badRequest("body must be a JSON object with vm, direction and packet");
    }
    for (var it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!KEYS.contains(key)) {
        throw ApiException.badRequest("unknown key '" + key + "' (expected vm, direction, packet)");
      }
    }
    return node;
  }

  private static String text(JsonNode request, String key) {
    JsonNode value = request.get(key);
    if (value == null || value.isNull()) {
      throw ApiException.badRequest("'" + key + "' is required");
    }
    if (!value.isTextual()) {
      throw ApiException.badRequest("'" + key + "' must be a string");
    }
    return value.asText();
  }

  private static Direction direction(String text) {
    return switch (text) {
      case "in" -> Direction.IN;
      case "out" -> Direction.OUT;
      default -> throw ApiException.badRequest("'direction' must be in or out, got '" + text + "'");
    };
  }
}
