package org.nicflow.compiler.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.nicflow.compiler.packet.PacketHeaders;

/**
 * What {@code nicflow trace} prints (docs/cli.md, "trace"): the verdict, every layer step, the
 * packet as it leaves, where it goes, and the unified flows that would be installed (rendered by
 * the caller).
 *
 * <p>{@link #toJson()} has exactly the keys docs/cli.md documents: {@code verdict}, {@code layers}
 * ({@code layer}, {@code rule}, {@code action}), {@code packet} (ovs-ofctl field names),
 * {@code output} ({@code kind}, {@code port}, {@code host}, {@code vni}; {@code null} when dropped)
 * and {@code flows}. The drop reason appears in {@link #toText()}.
 */
public record TraceReport(
    Verdict verdict, List<Step> layers, PacketHeaders packet, Optional<Output> output, List<String> flows,
    Optional<String> dropReason) {

  /** One layer step as the trace shows it. */
  public record Step(String layer, String rule, String action) {
    public Step {
      Objects.requireNonNull(layer, "layer");
      Objects.requireNonNull(rule, "rule");
      Objects.requireNonNull(action, "action");
    }
  }

  public TraceReport {
    Objects.requireNonNull(verdict, "verdict");
    layers = List.copyOf(layers);
    Objects.requireNonNull(packet, "packet");
    Objects.requireNonNull(output, "output");
    flows = List.copyOf(flows);
    Objects.requireNonNull(dropReason, "dropReason");
  }

  /** The report of {@code decision}, with {@code flows} already rendered as ovs-ofctl text. */
  public static TraceReport of(Decision decision, List<String> flows) {
    List<Step> steps = decision.layers().stream().map(l -> new Step(l.layer(), l.rule(), l.action())).toList();
    return new TraceReport(decision.verdict(), steps, decision.packet(), decision.output(), flows,
        decision.dropReason());
  }

  /** One JSON object, pretty-printed. */
  public String toJson() {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    root.put("verdict", verdict.key());
    ArrayNode steps = root.putArray("layers");
    for (Step s : layers) {
      steps.addObject().put("layer", s.layer()).put("rule", s.rule()).put("action", s.action());
    }
    ObjectNode p = root.putObject("packet");
    p.put("dl_src", packet.ethSrc().toString());
    p.put("dl_dst", packet.ethDst().toString());
    p.put("nw_proto", packet.ipProto());
    p.put("nw_src", packet.nwSrc().toString());
    p.put("nw_dst", packet.nwDst().toString());
    if (packet.hasPorts()) {
      p.put("tp_src", packet.tpSrc());
      p.put("tp_dst", packet.tpDst());
    } else if (packet.isIcmp()) {
      p.put("icmp_type", packet.tpSrc());
      p.put("icmp_code", packet.tpDst());
      if (packet.isIcmpEcho()) {
        p.put("icmp_id", packet.icmpId());
      }
    }
    p.put("ip_dscp", packet.dscp());
    if (output.isPresent()) {
      Output o = output.get();
      root.putObject("output").put("kind", o.kind().key()).put("port", o.port()).put("host", o.host())
          .put("vni", o.vni());
    } else {
      root.putNull("output");
    }
    ArrayNode f = root.putArray("flows");
    flows.forEach(f::add);
    try {
      return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree of strings and numbers always serialises", e);
    }
  }

  /** Human-readable lines. */
  public String toText() {
    StringBuilder sb = new StringBuilder();
    sb.append("verdict: ").append(verdict.key());
    dropReason.ifPresent(r -> sb.append(" (").append(r).append(')'));
    sb.append('\n');
    for (Step s : layers) {
      sb.append("  ").append(s.layer()).append(": ").append(s.rule()).append(" -> ").append(s.action()).append('\n');
    }
    sb.append("packet: ").append(packetText()).append('\n');
    output.ifPresent(o -> {
      sb.append("output: ").append(o.kind().key()).append(" port ").append(o.port()).append(" host ").append(o.host());
      if (o.kind() == Output.Kind.TUNNEL) {
        sb.append(" vni ").append(o.vni());
      }
      sb.append('\n');
    });
    if (!flows.isEmpty()) {
      sb.append("flows:\n");
      flows.forEach(f -> sb.append("  ").append(f).append('\n'));
    }
    return sb.toString();
  }

  private String packetText() {
    StringBuilder sb = new StringBuilder(packet.protoKeyword());
    sb.append(",dl_src=").append(packet.ethSrc()).append(",dl_dst=").append(packet.ethDst());
    sb.append(",nw_src=").append(packet.nwSrc()).append(",nw_dst=").append(packet.nwDst());
    if (packet.hasPorts()) {
      sb.append(",tp_src=").append(packet.tpSrc()).append(",tp_dst=").append(packet.tpDst());
    } else if (packet.isIcmp()) {
      sb.append(",icmp_type=").append(packet.tpSrc()).append(",icmp_code=").append(packet.tpDst());
      if (packet.isIcmpEcho()) {
        sb.append(",icmp_id=").append(packet.icmpId());
      }
    }
    if (packet.dscp() != 0) {
      sb.append(",ip_dscp=").append(packet.dscp());
    }
    return sb.toString();
  }
}
