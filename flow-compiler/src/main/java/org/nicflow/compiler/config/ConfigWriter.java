package org.nicflow.compiler.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.nicflow.compiler.model.ApiLimits;
import org.nicflow.compiler.model.Backend;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.ControllerSettings;
import org.nicflow.compiler.model.Direction;
import org.nicflow.compiler.model.Host;
import org.nicflow.compiler.model.Ipv4Prefix;
import org.nicflow.compiler.model.Layer;
import org.nicflow.compiler.model.LoadBalancer;
import org.nicflow.compiler.model.FlowLimits;
import org.nicflow.compiler.model.MissBudget;
import org.nicflow.compiler.model.OpenflowOutbound;
import org.nicflow.compiler.model.PortRange;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.model.Rule;
import org.nicflow.compiler.model.RuleSet;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.model.Vnet;

/**
 * Writes a config as YAML in the layout of docs/config.md (one flow mapping per host, VNET, VM,
 * rule and load balancer). {@link ConfigLoader} reads the text back to an equal config. Keys at
 * their default (direction both, proto any, any address or port, stateful false) are left out.
 */
public final class ConfigWriter {

  private static final Pattern PLAIN_WORD = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]*");
  private static final Pattern PLAIN_ADDRESS = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}(/\\d{1,2})?");
  private static final Pattern PLAIN_RANGE = Pattern.compile("\\d+-\\d+");
  private static final Set<String> YAML_WORDS =
      Set.of("true", "false", "yes", "no", "on", "off", "y", "n", "null", "nan", "inf");

  /**
   * Backends written on one line: a load balancer with thousands stays on lines far shorter than
   * {@link ConfigLimits#maxLineChars}, so the loader always reads back what is written here.
   */
  static final int BACKENDS_PER_LINE = 100;

  private ConfigWriter() {}

  public static String toYaml(Config config) {
    StringBuilder out = new StringBuilder();
    ControllerSettings c = config.controller();
    out.append("controller:\n");
    out.append("  openflow: ").append(scalar((c.openflowTls() ? "ssl:" : "") + c.openflowHost() + ":"
        + c.openflowPort())).append('\n');
    out.append("  api: ").append(scalar(c.apiHost() + ":" + c.apiPort())).append('\n');
    out.append("  mode: ").append(c.mode().key()).append('\n');
    out.append("  idle_timeout_s: ").append(c.idleTimeoutS()).append('\n');
    out.append("  state_dir: ").append(scalar(c.stateDir())).append('\n');
    out.append("  gateway_mac: ").append(scalar(c.gatewayMac().toString())).append('\n');
    if (c.learnState()) {
      out.append("  learn_state: true\n");
    }
    if (!c.missBudget().equals(MissBudget.DEFAULT)) {
      out.append("  miss_rate_pps: ").append(c.missBudget().ratePps()).append('\n');
      out.append("  miss_burst: ").append(c.missBudget().burst()).append('\n');
    }
    if (!c.apiLimits().equals(ApiLimits.DEFAULTS)) {
      ApiLimits a = c.apiLimits();
      out.append("  api_limits: {workers: ").append(a.workers()).append(", queue: ").append(a.queue())
          .append(", request_timeout_s: ").append(a.requestTimeout().toSeconds())
          .append(", idle_timeout_s: ").append(a.idleTimeout().toSeconds())
          .append(", max_connections: ").append(a.maxConnections())
          .append(", flow_stats_in_flight: ").append(a.flowStatsInFlight())
          .append(", enforce_waits: ").append(a.enforceWaits())
          .append(", page_size: ").append(a.defaultPageSize())
          .append(", max_page_size: ").append(a.maxPageSize()).append("}\n");
    }
    if (!c.openflowOutbound().equals(OpenflowOutbound.DEFAULT)) {
      out.append("  openflow_outbound_pause_bytes: ").append(c.openflowOutbound().pauseBytes()).append('\n');
      out.append("  openflow_outbound_close_bytes: ").append(c.openflowOutbound().closeBytes()).append('\n');
    }
    if (!c.flowLimits().equals(FlowLimits.DEFAULT)) {
      out.append("  max_flows: ").append(c.flowLimits().vmMaxFlows()).append('\n');
      out.append("  host_max_flows: ").append(c.flowLimits().hostMaxFlows()).append('\n');
    }
    c.tls().ifPresent(tls -> {
      out.append("  tls:\n");
      out.append("    private_key: ").append(scalar(tls.privateKey())).append('\n');
      out.append("    certificate: ").append(scalar(tls.certificate())).append('\n');
      tls.caCertificate().ifPresent(ca -> out.append("    ca_certificate: ").append(scalar(ca)).append('\n'));
      if (tls.api()) {
        out.append("    api: true\n");
      }
      out.append("    switch_identity: ").append(tls.switchIdentity().key()).append('\n');
    });

    section(out, "hosts", config.hosts().stream().map(ConfigWriter::host).toList());
    section(out, "vnets", config.vnets().stream().map(ConfigWriter::vnet).toList());
    section(out, "vms", config.vms().stream().map(ConfigWriter::vm).toList());
    if (config.rulesets().isEmpty()) {
      out.append("rulesets: []\n");
    } else {
      out.append("rulesets:\n");
      for (RuleSet rs : config.rulesets()) {
        ruleset(out, rs);
      }
    }
    if (!config.loadBalancers().isEmpty()) {
      section(out, "load_balancers", config.loadBalancers().stream().map(ConfigWriter::loadBalancer).toList());
    }
    return out.toString();
  }

  private static void section(StringBuilder out, String key, List<String> items) {
    if (items.isEmpty()) {
      out.append(key).append(": []\n");
      return;
    }
    out.append(key).append(":\n");
    for (String item : items) {
      out.append("  - ").append(item).append('\n');
    }
  }

  private static String host(Host h) {
    List<String> kv = new ArrayList<>();
    kv.add("name: " + scalar(h.name()));
    kv.add("dpid: " + quoted(h.dpidHex()));
    kv.add("uplink: " + scalar(h.uplink()));
    kv.add("underlay_ip: " + scalar(h.underlayIp().toString()));
    h.nextHopMac().ifPresent(m -> kv.add("next_hop_mac: " + quoted(m.toString())));
    return flow(kv);
  }

  private static String vnet(Vnet v) {
    return flow(List.of("name: " + scalar(v.name()), "vni: " + v.vni(),
        "prefix: " + scalar(v.prefix().network() + "/" + v.prefix().length()),
        "gateway: " + scalar(v.gateway().toString())));
  }

  private static String vm(Vm v) {
    List<String> kv = new ArrayList<>();
    kv.add("name: " + scalar(v.name()));
    kv.add("host: " + scalar(v.host()));
    kv.add("port: " + scalar(v.port()));
    kv.add("mac: " + quoted(v.mac().toString()));
    kv.add("ip: " + scalar(v.ip().toString()));
    kv.add("vnet: " + scalar(v.vnet()));
    kv.add("ruleset: " + scalar(v.ruleset()));
    v.meterKbps().ifPresent(k -> kv.add("meter_kbps: " + k));
    v.missRatePps().ifPresent(r -> kv.add("miss_rate_pps: " + r));
    v.missBurst().ifPresent(b -> kv.add("miss_burst: " + b));
    v.maxFlows().ifPresent(n -> kv.add("max_flows: " + n));
    v.snatPorts().ifPresent(n -> kv.add("snat_ports: " + n));
    return flow(kv);
  }

  private static void ruleset(StringBuilder out, RuleSet rs) {
    out.append("  - name: ").append(scalar(rs.name())).append('\n');
    out.append("    layers:\n");
    for (Layer layer : rs.layers()) {
      out.append("      - name: ").append(scalar(layer.name())).append('\n');
      out.append("        default: ").append(layer.defaultAction().key()).append('\n');
      if (layer.rules().isEmpty()) {
        out.append("        rules: []\n");
        continue;
      }
      out.append("        rules:\n");
      for (Rule rule : layer.rules()) {
        out.append("          - ").append(rule(rule)).append('\n');
      }
    }
  }

  static String rule(Rule r) {
    List<String> kv = new ArrayList<>();
    kv.add("id: " + scalar(r.id()));
    kv.add("priority: " + r.priority());
    if (r.direction() != Direction.BOTH) {
      kv.add("direction: " + r.direction().key());
    }
    if (r.proto() != Protocol.ANY) {
      kv.add("proto: " + r.proto().key());
    }
    if (!r.src().isAny()) {
      kv.add("src: " + prefix(r.src()));
    }
    if (!r.dst().isAny()) {
      kv.add("dst: " + prefix(r.dst()));
    }
    if (!r.srcPort().isAny()) {
      kv.add("src_port: " + ports(r.srcPort()));
    }
    if (!r.dstPort().isAny()) {
      kv.add("dst_port: " + ports(r.dstPort()));
    }
    r.icmpType().ifPresent(t -> kv.add("icmp_type: " + t));
    kv.add("action: " + r.action().key());
    r.snatTo().ifPresent(to -> kv.add("to: " + scalar(to.toString())));
    r.dscp().ifPresent(d -> kv.add("dscp: " + d));
    if (r.stateful()) {
      kv.add("stateful: true");
    }
    return flow(kv);
  }

  private static String loadBalancer(LoadBalancer lb) {
    List<String> backends = lb.backends().stream().map(Backend::toString).map(ConfigWriter::scalar).toList();
    StringBuilder list = new StringBuilder("[");
    for (int i = 0; i < backends.size(); i++) {
      if (i > 0) {
        list.append(i % BACKENDS_PER_LINE == 0 ? ",\n      " : ", ");
      }
      list.append(backends.get(i));
    }
    return flow(List.of("name: " + scalar(lb.name()), "vip: " + scalar(lb.vip().toString()),
        "proto: " + lb.proto().key(), "port: " + lb.port(), "backends: " + list.append(']')));
  }

  private static String prefix(Ipv4Prefix p) {
    return scalar(p.network() + "/" + p.length());
  }

  private static String ports(PortRange range) {
    return range.lo() == range.hi() ? Integer.toString(range.lo()) : scalar(range.lo() + "-" + range.hi());
  }

  private static String flow(List<String> keyValues) {
    return "{" + String.join(", ", keyValues) + "}";
  }

  /** A string as a plain YAML scalar when that reads back as the same string, else double-quoted. */
  static String scalar(String s) {
    boolean plain = (PLAIN_WORD.matcher(s).matches() && !YAML_WORDS.contains(s.toLowerCase(Locale.ROOT)))
        || PLAIN_ADDRESS.matcher(s).matches() || PLAIN_RANGE.matcher(s).matches();
    return plain ? s : quoted(s);
  }

  static String quoted(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        default -> {
          if (ch < 0x20) {
            sb.append(String.format("\\x%02x", (int) ch));
          } else {
            sb.append(ch);
          }
        }
      }
    }
    return sb.append('"').toString();
  }
}
