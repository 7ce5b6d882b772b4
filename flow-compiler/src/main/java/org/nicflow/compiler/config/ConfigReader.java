package org.nicflow.compiler.config;

import static org.nicflow.compiler.config.ErrorLog.at;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.nicflow.compiler.model.ApiLimits;
import org.nicflow.compiler.model.Backend;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.ControllerSettings;
import org.nicflow.compiler.model.ControllerTls;
import org.nicflow.compiler.model.DefaultAction;
import org.nicflow.compiler.model.Direction;
import org.nicflow.compiler.model.Host;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.Ipv4Prefix;
import org.nicflow.compiler.model.Layer;
import org.nicflow.compiler.model.LoadBalancer;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.model.FlowLimits;
import org.nicflow.compiler.model.MissBudget;
import org.nicflow.compiler.model.OffloadMode;
import org.nicflow.compiler.model.OpenflowOutbound;
import org.nicflow.compiler.model.PortRange;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.model.Rule;
import org.nicflow.compiler.model.RuleAction;
import org.nicflow.compiler.model.RuleSet;
import org.nicflow.compiler.model.SnatShares;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.model.Vnet;

/**
 * Walks one parsed config tree (docs/config.md) and builds the model, writing every problem to the
 * error log. Used once per source; {@link #read} answers empty when anything was wrong.
 */
final class ConfigReader {

  static final Set<String> TOP_KEYS = Set.of("controller", "hosts", "vnets", "vms", "rulesets", "load_balancers");
  static final Set<String> CONTROLLER_KEYS =
      Set.of("openflow", "api", "mode", "idle_timeout_s", "state_dir", "gateway_mac", "learn_state",
          "miss_rate_pps", "miss_burst", "tls", "api_limits", "openflow_outbound_pause_bytes",
          "openflow_outbound_close_bytes", "max_flows", "host_max_flows");
  static final Set<String> API_LIMIT_KEYS = Set.of("workers", "queue", "request_timeout_s", "idle_timeout_s",
      "max_connections", "flow_stats_in_flight", "enforce_waits", "page_size", "max_page_size");
  static final Set<String> TLS_KEYS = Set.of("private_key", "certificate", "ca_certificate", "api", "switch_identity");
  static final Set<String> HOST_KEYS = Set.of("name", "dpid", "uplink", "underlay_ip", "next_hop_mac");
  static final Set<String> VNET_KEYS = Set.of("name", "vni", "prefix", "gateway");
  static final Set<String> VM_KEYS =
      Set.of("name", "host", "port", "mac", "ip", "vnet", "ruleset", "meter_kbps", "miss_rate_pps", "miss_burst",
          "max_flows", "snat_ports");
  static final Set<String> RULESET_KEYS = Set.of("name", "layers");
  static final Set<String> LAYER_KEYS = Set.of("name", "default", "rules");
  static final Set<String> RULE_KEYS = Set.of("id", "priority", "direction", "proto", "src", "dst",
      "src_port", "dst_port", "icmp_type", "action", "to", "dscp", "stateful");
  static final Set<String> LB_KEYS = Set.of("name", "vip", "proto", "port", "backends");

  /** Longest OVS port (Linux interface) name. */
  static final int MAX_PORT_NAME = 15;
  static final String TUNNEL_PREFIX = "tun-";
  /** OpenFlow meter rates are 32-bit kbps. */
  static final long MAX_METER_KBPS = 0xffff_ffffL;
  static final int MAX_PRIORITY = 65535;

  private static final Pattern DPID = Pattern.compile("(0[xX])?[0-9a-fA-F]{1,16}");
  private static final Pattern ENDPOINT_HOST = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]*");
  private static final String NAME_RULE = "1-63 of A-Z a-z 0-9 _ . -, starting with a letter or digit";
  private static final String PORT_RULE = "1-15 of A-Z a-z 0-9 _ . -, starting with a letter or digit";

  private final ErrorLog log;

  ConfigReader(ErrorLog log) {
    this.log = log;
  }

  private record HostDraft(String path, String name, Long dpid, String uplink, Ipv4 underlayIp,
      Optional<MacAddress> nextHopMac) {}

  private record VnetDraft(String path, String name, Integer vni, Ipv4Prefix prefix, Ipv4 gateway) {}

  private record VmDraft(String path, String name, String host, String port, MacAddress mac, Ipv4 ip,
      String vnet, String ruleset, OptionalLong meterKbps, OptionalLong missRatePps, OptionalLong missBurst,
      OptionalLong maxFlows,
      OptionalInt snatPorts) {}

  /** The whole config, or empty when the log holds errors. */
  Optional<Config> read(JsonNode root) {
    Optional<Fields> top = Fields.of(root, "", log, TOP_KEYS);
    if (top.isEmpty()) {
      return Optional.empty();
    }
    Fields f = top.get();
    ControllerSettings controller = f.value("controller", false)
        .map(node -> controller(node, "controller"))
        .orElse(ControllerSettings.DEFAULTS);

    List<HostDraft> hosts = new ArrayList<>();
    list(f, "hosts").forEach((path, node) -> host(node, path).ifPresent(hosts::add));
    List<VnetDraft> vnets = new ArrayList<>();
    list(f, "vnets").forEach((path, node) -> vnet(node, path).ifPresent(vnets::add));
    List<VmDraft> vms = new ArrayList<>();
    list(f, "vms").forEach((path, node) -> vm(node, path).ifPresent(vms::add));
    Map<String, String> rulesetNames = new LinkedHashMap<>();
    List<RuleSet> rulesets = new ArrayList<>();
    list(f, "rulesets").forEach((path, node) -> ruleset(node, path, rulesetNames).ifPresent(rulesets::add));

    Map<String, HostDraft> hostsByName = checkHosts(hosts);
    Map<String, VnetDraft> vnetsByName = checkVnets(vnets);
    Map<String, VmDraft> vmsByName = checkVms(vms, hostsByName, vnetsByName, rulesetNames, controller);

    List<LoadBalancer> lbs = new ArrayList<>();
    Map<String, String> lbNames = new HashMap<>();
    Map<String, String> vipKeys = new HashMap<>();
    Optional<List<JsonNode>> lbNodes = f.list("load_balancers", false);
    lbNodes.ifPresent(nodes -> {
      for (int i = 0; i < nodes.size(); i++) {
        loadBalancer(nodes.get(i), at("load_balancers", i), vmsByName.keySet(), lbNames, vipKeys)
            .ifPresent(lbs::add);
      }
    });

    List<Host> builtHosts = new ArrayList<>();
    for (HostDraft h : hosts) {
      if (h.name != null && h.dpid != null && h.uplink != null && h.underlayIp != null) {
        build(h.path, () -> new Host(h.name, h.dpid, h.uplink, h.underlayIp, h.nextHopMac)).ifPresent(builtHosts::add);
      }
    }
    List<Vnet> builtVnets = new ArrayList<>();
    for (VnetDraft v : vnets) {
      if (v.name != null && v.vni != null && v.prefix != null && v.gateway != null) {
        build(v.path, () -> new Vnet(v.name, v.vni, v.prefix, v.gateway)).ifPresent(builtVnets::add);
      }
    }
    List<Vm> builtVms = new ArrayList<>();
    for (VmDraft v : vms) {
      if (v.name != null && v.host != null && v.port != null && v.mac != null && v.ip != null
          && v.vnet != null && v.ruleset != null) {
        build(v.path, () -> new Vm(v.name, v.host, v.port, v.mac, v.ip, v.vnet, v.ruleset, v.meterKbps,
            v.missRatePps, v.missBurst, v.maxFlows, v.snatPorts))
            .ifPresent(builtVms::add);
      }
    }
    if (!log.isEmpty()) {
      return Optional.empty();
    }
    Optional<Config> config = build("", () -> new Config(controller, builtHosts, builtVnets, builtVms, rulesets, lbs));
    config.ifPresent(c -> checkSnatShares(c, vms));
    return log.isEmpty() ? config : Optional.empty();
  }

  /** Explicit {@code snat_ports} that ask for more ports than an address has: an error at the first of them. */
  private void checkSnatShares(Config config, List<VmDraft> vms) {
    for (SnatShares.Overbooking o : SnatShares.overbooked(config)) {
      vms.stream().filter(v -> o.vms().contains(v.name) && v.snatPorts.isPresent()).findFirst()
          .ifPresent(v -> log.add(v.path + ".snat_ports", o.message()));
    }
  }

  // ---------------------------------------------------------------- sections

  private ControllerSettings controller(JsonNode node, String path) {
    Optional<Fields> of = Fields.of(node, path, log, CONTROLLER_KEYS);
    if (of.isEmpty()) {
      return ControllerSettings.DEFAULTS;
    }
    Fields o = of.get();
    ControllerSettings d = ControllerSettings.DEFAULTS;
    OpenflowTarget target = o.parsed("openflow", false, OpenflowTarget::parse)
        .orElse(new OpenflowTarget(false, new Endpoint(d.openflowHost(), d.openflowPort())));
    Endpoint openflow = target.endpoint();
    Optional<ControllerTls> tls = tls(o, target.ssl());
    Endpoint api = o.parsed("api", false, Endpoint::parse).orElse(new Endpoint(d.apiHost(), d.apiPort()));
    OffloadMode mode = o.word("mode", false, List.of("reactive", "proactive"))
        .map(s -> OffloadMode.valueOf(s.toUpperCase(Locale.ROOT))).orElse(d.mode());
    int idle = o.integer("idle_timeout_s", false, 1, 65535).map(Long::intValue).orElse(d.idleTimeoutS());
    String stateDir = o.string("state_dir", false).orElse(d.stateDir());
    if (o.has("state_dir") && stateDir.isBlank()) {
      log.add(o.at("state_dir"), "state_dir is empty");
    }
    if (openflow.equals(api) && openflow.port() != 0) {
      log.add(o.at("api"), "api and openflow both use " + api.host() + ":" + api.port());
    }
    MacAddress gatewayMac = o.parsed("gateway_mac", false, ConfigReader::unicastMac).orElse(d.gatewayMac());
    OptionalLong missRate = optionalCount(o, "miss_rate_pps");
    OptionalLong missBurst = optionalCount(o, "miss_burst");
    MissBudget missBudget = MissBudget.of(missRate, missBurst, d.missBudget());
    ApiLimits apiLimits = o.value("api_limits", false).flatMap(n -> apiLimits(n, o.at("api_limits")))
        .orElse(d.apiLimits());
    OpenflowOutbound outbound = openflowOutbound(o, d.openflowOutbound());
    FlowLimits flowLimits = new FlowLimits(
        flowLimit(o, "max_flows").orElse(d.flowLimits().vmMaxFlows()),
        flowLimit(o, "host_max_flows").orElse(d.flowLimits().hostMaxFlows()));
    return build(path, () -> new ControllerSettings(openflow.host(), openflow.port(), api.host(), api.port(),
        mode, idle, stateDir, gatewayMac, o.bool("learn_state").orElse(d.learnState()), missBudget, tls, apiLimits,
        outbound, flowLimits)).orElse(d);
  }

  /** The {@code api_limits} block: each key absent keeps its default. */
  private Optional<ApiLimits> apiLimits(JsonNode node, String path) {
    return Fields.of(node, path, log, API_LIMIT_KEYS).flatMap(a -> {
      ApiLimits d = ApiLimits.DEFAULTS;
      int max = ApiLimits.MAX_COUNT;
      int workers = count(a, "workers", 1, ApiLimits.MAX_WORKERS, d.workers());
      int queue = count(a, "queue", 0, max, d.queue());
      int request = count(a, "request_timeout_s", 1, ApiLimits.MAX_TIMEOUT_S, (int) d.requestTimeout().toSeconds());
      int idle = count(a, "idle_timeout_s", 1, ApiLimits.MAX_TIMEOUT_S, (int) d.idleTimeout().toSeconds());
      int connections = count(a, "max_connections", 1, max, d.maxConnections());
      int flowStats = count(a, "flow_stats_in_flight", 1, max, d.flowStatsInFlight());
      int enforceWaits = count(a, "enforce_waits", 1, max, d.enforceWaits());
      int maxPage = count(a, "max_page_size", 1, max, d.maxPageSize());
      int page = count(a, "page_size", 1, max, Math.min(d.defaultPageSize(), maxPage));
      if (page > maxPage) {
        log.add(a.at("page_size"), "page_size " + page + " is larger than max_page_size " + maxPage);
        return Optional.empty();
      }
      return build(path, () -> new ApiLimits(workers, queue, Duration.ofSeconds(request), Duration.ofSeconds(idle),
          connections, flowStats, enforceWaits, page, maxPage));
    });
  }

  /** A whole number {@code lo}-{@code hi}, or {@code otherwise} when absent or wrong (an error then). */
  private static int count(Fields o, String key, int lo, int hi, int otherwise) {
    return o.integer(key, false, lo, hi).map(Long::intValue).orElse(otherwise);
  }

  /** {@code openflow_outbound_pause_bytes} and {@code _close_bytes}; the pause defaults to a 32nd of the close. */
  private OpenflowOutbound openflowOutbound(Fields o, OpenflowOutbound d) {
    String pauseKey = "openflow_outbound_pause_bytes";
    OptionalInt close = o.integer("openflow_outbound_close_bytes", false, OpenflowOutbound.MIN_CLOSE_BYTES,
        Integer.MAX_VALUE).map(n -> OptionalInt.of(n.intValue())).orElse(OptionalInt.empty());
    OptionalInt pause = o.integer(pauseKey, false, OpenflowOutbound.MIN_PAUSE_BYTES, Integer.MAX_VALUE)
        .map(n -> OptionalInt.of(n.intValue())).orElse(OptionalInt.empty());
    if (pause.isEmpty()) {
      return close.isPresent() ? OpenflowOutbound.closingAt(close.getAsInt()) : d;
    }
    int closeBytes = close.orElse(d.closeBytes());
    if (pause.getAsInt() >= closeBytes) {
      log.add(o.at(pauseKey), pause.getAsInt() + " is not below openflow_outbound_close_bytes (" + closeBytes
          + (close.isPresent() ? "" : ", its default") + ")");
      return d;
    }
    return new OpenflowOutbound(pause.getAsInt(), closeBytes);
  }

  /** The {@code tls} block; {@code ssl} says whether {@code openflow} asked for TLS. */
  private Optional<ControllerTls> tls(Fields controller, boolean ssl) {
    Optional<JsonNode> node = controller.value("tls", false);
    if (node.isEmpty()) {
      if (ssl) {
        log.add(controller.at("openflow"), "ssl: needs a controller.tls block with private_key, certificate and "
            + "ca_certificate");
      }
      return Optional.empty();
    }
    return Fields.of(node.get(), controller.at("tls"), log, TLS_KEYS).flatMap(t -> {
      Optional<String> key = t.string("private_key", true);
      Optional<String> certificate = t.string("certificate", true);
      Optional<String> ca = t.string("ca_certificate", false);
      boolean api = t.bool("api").orElse(false);
      ControllerTls.SwitchIdentity identity = t.word("switch_identity", false, List.of("any", "host_name"))
          .map(w -> ControllerTls.SwitchIdentity.valueOf(w.toUpperCase(Locale.ROOT)))
          .orElse(ControllerTls.SwitchIdentity.ANY);
      if (key.isEmpty() || certificate.isEmpty()) {
        return Optional.empty();
      }
      return build(t.path(), () -> new ControllerTls(key.get(), certificate.get(), ca, ssl, api, identity));
    });
  }

  private Optional<HostDraft> host(JsonNode node, String path) {
    return Fields.of(node, path, log, HOST_KEYS).map(o -> new HostDraft(path,
        o.matching("name", true, Fields.NAME, "host name (" + NAME_RULE + ")").orElse(null),
        o.value("dpid", true).flatMap(v -> dpid(v, o.at("dpid"))).orElse(null),
        o.matching("uplink", true, Fields.INTERFACE, "port name (" + PORT_RULE + ")").orElse(null),
        o.parsed("underlay_ip", true, Ipv4::parse).orElse(null),
        o.parsed("next_hop_mac", false, ConfigReader::unicastMac)));
  }

  private Optional<VnetDraft> vnet(JsonNode node, String path) {
    return Fields.of(node, path, log, VNET_KEYS).map(o -> new VnetDraft(path,
        o.matching("name", true, Fields.NAME, "VNET name (" + NAME_RULE + ")").orElse(null),
        o.integer("vni", true, 1, 0xffffff).map(Long::intValue).orElse(null),
        o.parsed("prefix", true, Ipv4Prefix::parse).orElse(null),
        o.parsed("gateway", true, Ipv4::parse).orElse(null)));
  }

  private Optional<VmDraft> vm(JsonNode node, String path) {
    return Fields.of(node, path, log, VM_KEYS).map(o -> new VmDraft(path,
        o.matching("name", true, Fields.NAME, "VM name (" + NAME_RULE + ")").orElse(null),
        o.string("host", true).orElse(null),
        o.matching("port", true, Fields.INTERFACE, "port name (" + PORT_RULE + ")").orElse(null),
        o.parsed("mac", true, ConfigReader::unicastMac).orElse(null),
        o.parsed("ip", true, Ipv4::parse).orElse(null),
        o.string("vnet", true).orElse(null),
        o.string("ruleset", true).orElse(null),
        o.integer("meter_kbps", false, 1, MAX_METER_KBPS).map(OptionalLong::of).orElse(OptionalLong.empty()),
        optionalCount(o, "miss_rate_pps"), optionalCount(o, "miss_burst"), flowLimit(o, "max_flows"),
        o.integer("snat_ports", false, 1, SnatShares.PORTS).map(n -> OptionalInt.of(n.intValue()))
            .orElse(OptionalInt.empty())));
  }

  /** An optional flow limit, 1-{@link FlowLimits#MAX}. */
  private static OptionalLong flowLimit(Fields o, String key) {
    return o.integer(key, false, 1, FlowLimits.MAX).map(OptionalLong::of).orElse(OptionalLong.empty());
  }

  /** An optional whole number 1-{@link MissBudget#MAX}: a miss budget's rate or burst. */
  private static OptionalLong optionalCount(Fields o, String key) {
    return o.integer(key, false, 1, MissBudget.MAX).map(OptionalLong::of).orElse(OptionalLong.empty());
  }

  private Optional<RuleSet> ruleset(JsonNode node, String path, Map<String, String> names) {
    int before = log.size();
    Optional<Fields> of = Fields.of(node, path, log, RULESET_KEYS);
    if (of.isEmpty()) {
      return Optional.empty();
    }
    Fields o = of.get();
    Optional<String> name = o.matching("name", true, Fields.NAME, "rule set name (" + NAME_RULE + ")");
    name.ifPresent(n -> unique(names, n, o.at("name"), "rule set name '" + n + "'"));
    List<Layer> layers = new ArrayList<>();
    o.list("layers", true).ifPresent(nodes -> {
      if (nodes.isEmpty()) {
        log.add(o.at("layers"), "a rule set needs at least one layer");
      }
      if (nodes.size() > RuleSet.MAX_LAYERS) {
        log.add(o.at("layers"), nodes.size() + " layers; a rule set has at most " + RuleSet.MAX_LAYERS);
      }
      Map<String, String> layerNames = new HashMap<>();
      Map<String, String> ruleIds = new HashMap<>();
      String setName = name.orElse("?");
      for (int i = 0; i < nodes.size(); i++) {
        layer(nodes.get(i), at(o.at("layers"), i), setName, layerNames, ruleIds).ifPresent(layers::add);
      }
    });
    if (log.size() != before) {
      return Optional.empty();
    }
    return build(path, () -> new RuleSet(name.orElseThrow(), layers));
  }

  private Optional<Layer> layer(JsonNode node, String path, String setName, Map<String, String> layerNames,
      Map<String, String> ruleIds) {
    int before = log.size();
    Optional<Fields> of = Fields.of(node, path, log, LAYER_KEYS);
    if (of.isEmpty()) {
      return Optional.empty();
    }
    Fields o = of.get();
    Optional<String> name = o.matching("name", true, Fields.NAME, "layer name (" + NAME_RULE + ")");
    name.ifPresent(n -> unique(layerNames, n, o.at("name"), "layer name '" + n + "' in rule set '" + setName + "'"));
    Optional<DefaultAction> dflt = o.word("default", true, List.of("allow", "deny"))
        .map(s -> DefaultAction.valueOf(s.toUpperCase(Locale.ROOT)));
    List<Rule> rules = new ArrayList<>();
    o.list("rules", false).ifPresent(nodes -> {
      for (int i = 0; i < nodes.size(); i++) {
        rule(nodes.get(i), at(o.at("rules"), i), setName, ruleIds).ifPresent(rules::add);
      }
    });
    if (log.size() != before) {
      return Optional.empty();
    }
    return build(path, () -> new Layer(name.orElseThrow(), dflt.orElseThrow(), rules));
  }

  private Optional<Rule> rule(JsonNode node, String path, String setName, Map<String, String> ruleIds) {
    int before = log.size();
    Optional<Fields> of = Fields.of(node, path, log, RULE_KEYS);
    if (of.isEmpty()) {
      return Optional.empty();
    }
    Fields o = of.get();
    Optional<String> id = o.matching("id", true, Fields.NAME, "rule id (" + NAME_RULE + ")");
    id.ifPresent(i -> unique(ruleIds, i, o.at("id"), "rule id '" + i + "' in rule set '" + setName + "'"));
    Optional<Long> priority = o.integer("priority", true, 0, MAX_PRIORITY);
    Direction direction = o.word("direction", false, List.of("in", "out", "both"))
        .map(s -> Direction.valueOf(s.toUpperCase(Locale.ROOT))).orElse(Direction.BOTH);
    Optional<Protocol> proto = o.word("proto", false, List.of("tcp", "udp", "icmp", "any"))
        .map(s -> Protocol.valueOf(s.toUpperCase(Locale.ROOT)));
    boolean protoOk = proto.isPresent() || !o.has("proto");
    Protocol p = proto.orElse(Protocol.ANY);
    Ipv4Prefix src = o.parsed("src", false, Ipv4Prefix::parse).orElse(Ipv4Prefix.ANY);
    Ipv4Prefix dst = o.parsed("dst", false, Ipv4Prefix::parse).orElse(Ipv4Prefix.ANY);
    PortRange srcPort = portRange(o, "src_port").orElse(PortRange.ANY);
    PortRange dstPort = portRange(o, "dst_port").orElse(PortRange.ANY);
    for (String key : List.of("src_port", "dst_port")) {
      if (o.has(key) && protoOk && !p.hasPorts()) {
        log.add(o.at(key), key + " needs proto tcp or udp (proto is " + p.key() + ")");
      }
    }
    OptionalInt icmpType = o.integer("icmp_type", false, 0, 255)
        .map(n -> OptionalInt.of(n.intValue())).orElse(OptionalInt.empty());
    if (o.has("icmp_type") && protoOk && p != Protocol.ICMP) {
      log.add(o.at("icmp_type"), "icmp_type needs proto icmp (proto is " + p.key() + ")");
    }
    Optional<RuleAction> action = o.word("action", true, List.of("allow", "deny", "snat", "set_dscp"))
        .map(s -> RuleAction.valueOf(s.toUpperCase(Locale.ROOT)));
    Optional<Ipv4> to = o.parsed("to", false, Ipv4::parse);
    Optional<Long> dscp = o.integer("dscp", false, 0, 63);
    boolean stateful = o.bool("stateful").orElse(false);
    action.ifPresent(a -> {
      if (a == RuleAction.SNAT && !o.has("to")) {
        log.add(o.at("to"), "missing required key 'to': action snat needs the public address");
      }
      if (a != RuleAction.SNAT && o.has("to")) {
        log.add(o.at("to"), "'to' goes only with action snat (action is " + a.key() + ")");
      }
      if (a == RuleAction.SET_DSCP && !o.has("dscp")) {
        log.add(o.at("dscp"), "missing required key 'dscp': action set_dscp needs a value 0-63");
      }
      if (a != RuleAction.SET_DSCP && o.has("dscp")) {
        log.add(o.at("dscp"), "'dscp' goes only with action set_dscp (action is " + a.key() + ")");
      }
      if (stateful && a != RuleAction.ALLOW) {
        log.add(o.at("stateful"), "stateful goes only with action allow (action is " + a.key() + ")");
      }
    });
    if (log.size() != before) {
      return Optional.empty();
    }
    return build(path, () -> new Rule(id.orElseThrow(), priority.orElseThrow().intValue(), direction, p, src, dst,
        srcPort, dstPort, icmpType, action.orElseThrow(), to,
        dscp.map(n -> OptionalInt.of(n.intValue())).orElse(OptionalInt.empty()), stateful));
  }

  private Optional<LoadBalancer> loadBalancer(JsonNode node, String path, Set<String> vmNames,
      Map<String, String> lbNames, Map<String, String> vipKeys) {
    int before = log.size();
    Optional<Fields> of = Fields.of(node, path, log, LB_KEYS);
    if (of.isEmpty()) {
      return Optional.empty();
    }
    Fields o = of.get();
    Optional<String> name = o.matching("name", true, Fields.NAME, "load balancer name (" + NAME_RULE + ")");
    name.ifPresent(n -> unique(lbNames, n, o.at("name"), "load balancer name '" + n + "'"));
    Optional<Ipv4> vip = o.parsed("vip", true, Ipv4::parse);
    Optional<Protocol> proto = o.word("proto", true, List.of("tcp", "udp"))
        .map(s -> Protocol.valueOf(s.toUpperCase(Locale.ROOT)));
    Optional<Long> port = o.integer("port", true, 1, 65535);
    if (vip.isPresent() && proto.isPresent() && port.isPresent()) {
      String address = vip.get() + " " + proto.get().key() + " " + port.get();
      unique(vipKeys, address, path, "load balancer address (vip, proto, port) '" + address + "'");
    }
    List<Backend> backends = new ArrayList<>();
    o.list("backends", true).ifPresent(nodes -> {
      if (nodes.isEmpty()) {
        log.add(o.at("backends"), "a load balancer needs at least one backend");
      }
      Map<String, String> seen = new HashMap<>();
      for (int i = 0; i < nodes.size(); i++) {
        String at = at(o.at("backends"), i);
        backend(nodes.get(i), at, vmNames).ifPresent(b -> {
          if (unique(seen, b.toString(), at, "backend '" + b + "'")) {
            backends.add(b);
          }
        });
      }
    });
    if (log.size() != before) {
      return Optional.empty();
    }
    return build(path, () -> new LoadBalancer(name.orElseThrow(), vip.orElseThrow(), proto.orElseThrow(),
        port.orElseThrow().intValue(), backends));
  }

  private Optional<Backend> backend(JsonNode node, String path, Set<String> vmNames) {
    if (!node.isTextual()) {
      log.add(path, "wrong type: expected 'vm:port', got " + Fields.describe(node));
      return Optional.empty();
    }
    String text = node.textValue().trim();
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      log.add(path, "bad backend '" + text + "': expected 'vm:port', e.g. web1:8080");
      return Optional.empty();
    }
    String vm = text.substring(0, colon);
    String portText = text.substring(colon + 1);
    int before = log.size();
    if (!vmNames.contains(vm)) {
      log.add(path, "backend '" + text + "': no VM named '" + vm + "'");
    }
    int port = -1;
    if (!portText.chars().allMatch(Character::isDigit) || portText.length() > 5
        || (port = Integer.parseInt(portText)) < 1 || port > 65535) {
      log.add(path, "backend '" + text + "': port '" + portText + "' is not a number 1-65535");
    }
    if (log.size() != before) {
      return Optional.empty();
    }
    int p = port;
    return build(path, () -> new Backend(vm, p));
  }

  // ---------------------------------------------------------------- cross references

  private Map<String, HostDraft> checkHosts(List<HostDraft> hosts) {
    Map<String, String> names = new HashMap<>();
    Map<String, String> dpids = new HashMap<>();
    Map<String, String> underlays = new HashMap<>();
    Map<String, HostDraft> byName = new LinkedHashMap<>();
    for (HostDraft h : hosts) {
      if (h.name != null && unique(names, h.name, at(h.path, "name"), "host name '" + h.name + "'")) {
        byName.put(h.name, h);
        String tunnel = TUNNEL_PREFIX + h.name;
        if (tunnel.length() > MAX_PORT_NAME) {
          log.add(at(h.path, "name"), "host name '" + h.name + "' is too long: its tunnel port name '" + tunnel
              + "' has " + tunnel.length() + " characters, at most " + MAX_PORT_NAME + " (host names at most "
              + (MAX_PORT_NAME - TUNNEL_PREFIX.length()) + ")");
        }
      }
      if (h.dpid != null) {
        unique(dpids, String.format("%016x", h.dpid), at(h.path, "dpid"), String.format("dpid '%016x'", h.dpid));
      }
      if (h.underlayIp != null) {
        unique(underlays, h.underlayIp.toString(), at(h.path, "underlay_ip"), "underlay address " + h.underlayIp);
      }
      if (h.uplink != null) {
        if (h.uplink.startsWith(TUNNEL_PREFIX)) {
          log.add(at(h.path, "uplink"), "uplink '" + h.uplink + "' starts with '" + TUNNEL_PREFIX
              + "', which names tunnel ports");
        }
        if (h.uplink.equals(h.name)) {
          log.add(at(h.path, "uplink"), "uplink '" + h.uplink + "' is the name of the host's bridge");
        }
      }
    }
    return byName;
  }

  private Map<String, VnetDraft> checkVnets(List<VnetDraft> vnets) {
    Map<String, String> names = new HashMap<>();
    Map<String, String> vnis = new HashMap<>();
    Map<String, VnetDraft> byName = new LinkedHashMap<>();
    for (VnetDraft v : vnets) {
      if (v.name != null && unique(names, v.name, at(v.path, "name"), "VNET name '" + v.name + "'")) {
        byName.put(v.name, v);
      }
      if (v.vni != null) {
        unique(vnis, v.vni.toString(), at(v.path, "vni"), "VNI " + v.vni);
      }
      if (v.prefix != null && v.gateway != null && !v.prefix.contains(v.gateway)) {
        log.add(at(v.path, "gateway"), "gateway " + v.gateway + " is outside the VNET prefix " + v.prefix);
      }
    }
    return byName;
  }

  private Map<String, VmDraft> checkVms(List<VmDraft> vms, Map<String, HostDraft> hosts,
      Map<String, VnetDraft> vnets, Map<String, String> rulesets, ControllerSettings controller) {
    Map<String, String> names = new HashMap<>();
    Map<String, String> ips = new HashMap<>();
    Map<String, String> macs = new HashMap<>();
    Map<String, String> ports = new HashMap<>();
    Map<String, VmDraft> byName = new LinkedHashMap<>();
    for (VmDraft v : vms) {
      if (v.name != null && unique(names, v.name, at(v.path, "name"), "VM name '" + v.name + "'")) {
        byName.put(v.name, v);
      }
      HostDraft host = null;
      if (v.host != null) {
        host = hosts.get(v.host);
        if (host == null) {
          log.add(at(v.path, "host"), "no host named '" + v.host + "'" + known(hosts.keySet()));
        }
      }
      VnetDraft vnet = null;
      if (v.vnet != null) {
        vnet = vnets.get(v.vnet);
        if (vnet == null) {
          log.add(at(v.path, "vnet"), "no VNET named '" + v.vnet + "'" + known(vnets.keySet()));
        }
      }
      if (v.ruleset != null && !rulesets.containsKey(v.ruleset)) {
        log.add(at(v.path, "ruleset"), "no rule set named '" + v.ruleset + "'" + known(rulesets.keySet()));
      }
      if (v.ip != null && vnet != null) {
        if (vnet.prefix != null && !vnet.prefix.contains(v.ip)) {
          log.add(at(v.path, "ip"), "address " + v.ip + " is outside the prefix " + vnet.prefix + " of VNET '"
              + vnet.name + "'");
        } else if (v.ip.equals(vnet.gateway)) {
          log.add(at(v.path, "ip"), "address " + v.ip + " is the gateway of VNET '" + vnet.name + "'");
        } else {
          unique(ips, vnet.name + " " + v.ip, at(v.path, "ip"), "address " + v.ip + " in VNET '" + vnet.name + "'");
        }
      }
      if (v.mac != null) {
        if (v.mac.equals(controller.gatewayMac())) {
          log.add(at(v.path, "mac"), "MAC " + v.mac + " is the gateway MAC");
        } else {
          unique(macs, v.mac.toString(), at(v.path, "mac"), "VM MAC " + v.mac);
        }
      }
      if (v.port != null && host != null) {
        if (v.port.equals(host.uplink)) {
          log.add(at(v.path, "port"), "port '" + v.port + "' is the uplink of host '" + host.name + "'");
        } else if (v.port.startsWith(TUNNEL_PREFIX)) {
          log.add(at(v.path, "port"), "port '" + v.port + "' starts with '" + TUNNEL_PREFIX
              + "', which names tunnel ports");
        } else if (v.port.equals(host.name)) {
          log.add(at(v.path, "port"), "port '" + v.port + "' is the name of the host's bridge");
        } else {
          unique(ports, host.name + " " + v.port, at(v.path, "port"), "port '" + v.port + "' on host '" + host.name + "'");
        }
      }
    }
    return byName;
  }

  // ---------------------------------------------------------------- values

  /** Reads a list of mappings: path of each element to its node, in order. */
  private Map<String, JsonNode> list(Fields f, String key) {
    Map<String, JsonNode> items = new LinkedHashMap<>();
    f.list(key, true).ifPresent(nodes -> {
      for (int i = 0; i < nodes.size(); i++) {
        items.put(at(key, i), nodes.get(i));
      }
    });
    return items;
  }

  /**
   * Records {@code key} as seen at {@code path}; a second sighting is an error naming the first.
   * Answers whether the value was new.
   */
  private boolean unique(Map<String, String> seen, String key, String path, String what) {
    String first = seen.putIfAbsent(key, path);
    if (first != null) {
      log.add(path, "duplicate " + what + " (first at " + first + ")");
      return false;
    }
    return true;
  }

  private static String known(Set<String> names) {
    return names.isEmpty() ? "" : " (known: " + String.join(", ", new TreeSet<>(names)) + ")";
  }

  private Optional<Long> dpid(JsonNode v, String path) {
    if (!v.isTextual()) {
      log.add(path, "wrong type: expected the dpid as a quoted string of up to 16 hex digits, e.g. "
          + "\"0000000000000001\", got " + Fields.describe(v));
      return Optional.empty();
    }
    String text = v.textValue().trim();
    if (!DPID.matcher(text).matches()) {
      log.add(path, "bad dpid '" + text + "': expected up to 16 hex digits");
      return Optional.empty();
    }
    String hex = text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : text;
    return Optional.of(Long.parseUnsignedLong(hex, 16));
  }

  private Optional<PortRange> portRange(Fields o, String key) {
    return o.value(key, false).flatMap(v -> {
      try {
        if (v.isIntegralNumber()) {
          if (!v.canConvertToInt() || v.intValue() < 0 || v.intValue() > 65535) {
            log.add(o.at(key), "port " + v.asText() + " is outside 0-65535");
            return Optional.empty();
          }
          return Optional.of(PortRange.single(v.intValue()));
        }
        if (v.isTextual()) {
          return Optional.of(PortRange.parse(v.textValue()));
        }
        log.add(o.at(key), "wrong type: expected a port or a lo-hi range, got " + Fields.describe(v));
      } catch (IllegalArgumentException e) {
        log.add(o.at(key), e.getMessage());
      }
      return Optional.empty();
    });
  }

  static MacAddress unicastMac(String text) {
    MacAddress mac = MacAddress.parse(text);
    if (mac.isMulticast()) {
      throw new IllegalArgumentException("MAC address " + mac + " is multicast; a unicast address is needed");
    }
    return mac;
  }

  /** Builds a model record; a check of its compact constructor becomes an error at {@code path}. */
  private <T> Optional<T> build(String path, java.util.function.Supplier<T> constructor) {
    try {
      return Optional.of(constructor.get());
    } catch (IllegalArgumentException | NullPointerException | java.util.NoSuchElementException e) {
      log.add(path, String.valueOf(e.getMessage()));
      return Optional.empty();
    }
  }

  /** {@code [tcp:|ssl:]host:port} of {@code controller.openflow}. */
  record OpenflowTarget(boolean ssl, Endpoint endpoint) {
    static OpenflowTarget parse(String text) {
      String t = text.trim();
      if (t.startsWith("ssl:")) {
        return new OpenflowTarget(true, Endpoint.parse(t.substring(4)));
      }
      return new OpenflowTarget(false, Endpoint.parse(t.startsWith("tcp:") ? t.substring(4) : t));
    }
  }

  /** {@code host:port} of the controller's listening sockets. */
  record Endpoint(String host, int port) {
    static Endpoint parse(String text) {
      String t = text.trim();
      int colon = t.lastIndexOf(':');
      if (colon <= 0 || colon == t.length() - 1) {
        throw new IllegalArgumentException("bad address '" + text + "': expected host:port, e.g. 127.0.0.1:6653");
      }
      String host = t.substring(0, colon);
      String port = t.substring(colon + 1);
      if (!ENDPOINT_HOST.matcher(host).matches()) {
        throw new IllegalArgumentException("bad address '" + text + "': '" + host + "' is not a host name or IPv4 address");
      }
      if (host.chars().allMatch(c -> Character.isDigit(c) || c == '.')) {
        try {
          Ipv4.parse(host);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("bad address '" + text + "': " + e.getMessage(), e);
        }
      }
      if (port.length() > 5 || !port.chars().allMatch(Character::isDigit) || Integer.parseInt(port) > 65535) {
        throw new IllegalArgumentException("bad address '" + text + "': port '" + port + "' is not a number 0-65535");
      }
      return new Endpoint(host, Integer.parseInt(port));
    }
  }
}
