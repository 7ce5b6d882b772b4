package org.nicflow.controller.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.nicflow.compiler.eval.ConnectionLookup;
import org.nicflow.compiler.eval.ConnectionTable;
import org.nicflow.compiler.eval.Decision;
import org.nicflow.compiler.eval.Ingress;
import org.nicflow.compiler.eval.Output;
import org.nicflow.compiler.eval.PacketSpec;
import org.nicflow.compiler.eval.ReferenceEvaluator;
import org.nicflow.compiler.eval.TraceReport;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Direction;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.packet.PacketHeaders;
import org.nicflow.compiler.proactive.OvsFlowRenderer;
import org.nicflow.compiler.unified.UnifiedFlowBuilder;

/**
 * {@code POST /api/v1/trace}: {@code {"vm": NAME, "direction": "in"|"out", "packet": SPEC}} in,
 * SPEC section 5's trace object out — the same evaluation as {@code nicflow trace --json}: the
 * reference evaluator with no live connections, and the unified flows the controller would install
 * on the bridge the packet enters and, when it is tunnelled, on the receiving host's bridge.
 */
final class TraceResource {

  private static final Set<String> KEYS = Set.of("vm", "direction", "packet");

  private final Config config;
  private final ReferenceEvaluator evaluator;
  private final UnifiedFlowBuilder builder;
  private final OvsFlowRenderer renderer = new OvsFlowRenderer(false);
  private final ObjectMapper mapper;

  TraceResource(Config config, int generation, ObjectMapper mapper) {
    this.config = config;
    this.evaluator = new ReferenceEvaluator(config);
    this.builder = new UnifiedFlowBuilder(config, evaluator);
    this.mapper = mapper;
  }

  /** The trace JSON text for a request body; {@link ApiException} 400 for anything malformed. */
  String trace(byte[] body) {
    JsonNode request = parse(body);
    Vm vm = config.vm(text(request, "vm"))
        .orElseThrow(() -> ApiException.badRequest("no VM named '" + request.get("vm").asText() + "'"));
    Direction direction = direction(text(request, "direction"));
    String spec = text(request, "packet");
    PacketHeaders packet;
    try {
      packet = PacketSpec.parse(spec, config, vm, direction);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("bad packet '" + spec + "': " + e.getMessage());
    }
    Ingress ingress = PacketSpec.ingress(config, vm, direction, packet);
    Decision decision = evaluator.evaluate(ingress, packet, ConnectionLookup.NONE);
    List<String> flows = new ArrayList<>();
    builder.flowsFor(ingress, packet, decision).forEach(f -> flows.add(renderer.render(f)));
    decision.output().filter(o -> o.kind() == Output.Kind.TUNNEL).ifPresent(o -> {
      Ingress.Tunnel arrival = new Ingress.Tunnel(o.host(), ingress.host(), o.vni());
      Decision there = evaluator.evaluate(arrival, decision.packet(), ConnectionTable.of(decision.newConnections()));
      builder.flowsFor(arrival, decision.packet(), there).forEach(f -> flows.add(renderer.render(f)));
    });
    return TraceReport.of(decision, flows).toJson();
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
