package org.nicflow.controller.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.nicflow.compiler.eval.Connection;
import org.nicflow.compiler.eval.ConnectionTable;
import org.nicflow.compiler.eval.FlowTuple;
import org.nicflow.compiler.flow.FlowKind;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Host;
import org.nicflow.compiler.model.Layer;
import org.nicflow.compiler.model.Rule;
import org.nicflow.compiler.model.SnatShares;
import org.nicflow.compiler.model.Vm;
import org.nicflow.controller.openflow.OpenFlowStats;
import org.nicflow.controller.openflow.SwitchConnection;
import org.nicflow.controller.openflow.translate.UnsignedCount;
import org.nicflow.controller.partition.HostPartition;
import org.nicflow.controller.partition.RuleStatistics;
import org.projectfloodlight.openflow.protocol.OFType;
import org.projectfloodlight.openflow.types.DatapathId;
import org.projectfloodlight.openflow.types.OFPort;

/** Live state: hosts and their switches, per-VM rule statistics, the connection table. */
final class SwitchViews {

  /** A configured host and, when connected, its switch. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record HostView(
      String name, String dpid, String uplink, String underlayIp, boolean connected, String openflowVersion,
      Map<String, Object> ports, ChannelView channel, long switchErrors, List<ErrorView> recentErrors) {}

  /** OpenFlow channel counters of one switch since the controller started. */
  public record ChannelView(
      Map<String, Long> messagesIn, Map<String, Long> messagesOut, long errors, long illegalMessages,
      long malformedCloses, long packetIns, long listenerFailures) {}

  public record ErrorView(String error, String request) {}

  /** Counts of one rule (or a layer's {@code default}). */
  public record RuleCounts(String layer, String rule, UnsignedCount packets, UnsignedCount bytes, long flows) {

    /** These counts and {@code other}'s (of the same rule) together. */
    RuleCounts plus(RuleCounts other) {
      return new RuleCounts(layer, rule, packets.plus(other.packets), bytes.plus(other.bytes), flows + other.flows);
    }
  }

  /**
   * A VM's statistics: {@code rules} are folded from expired flows (every configured rule, zero
   * until one of its flows expires); {@code live} sums the VM's reactive flows on its switch now
   * ({@code null} when the host is not connected).
   */
  public record VmStats(String vm, String host, List<RuleCounts> rules, LiveCounts live, MissBudgetCounts missBudget,
      FlowBudgetCounts flowBudget,
      SnatCounts snat) {}

  /**
   * The VM's shares of the public addresses its rules SNAT to ({@code snat_ports}) and the new
   * connections dropped since the controller started because a share was used up towards their
   * destination.
   */
  public record SnatCounts(List<SnatShareView> shares, long exhausted) {}

  /** The source ports and ICMP query identifiers of {@code address} that are the VM's, as {@code lo-hi}. */
  public record SnatShareView(String address, String ports, String queryIds) {}

  /**
   * A VM's miss budget ({@code miss_rate_pps}, {@code miss_burst}) and the packet-ins dropped over it
   * since the controller started.
   */
  public record MissBudgetCounts(long ratePps, long burst, long overBudget) {}

  /**
   * A VM's flow budget on its host's bridge (docs/controller.md, "Flow budget"): the connection
   * flows charged to it now and its {@code max_flows}, the bridge's flows and {@code host_max_flows},
   * its connections there with no flow now (sent on by packet-outs), its flows evicted and its connections refused a flow since the controller started (by reason:
   * {@code vm_limit}, {@code host_limit}, {@code table_full}; every reason listed).
   */
  public record FlowBudgetCounts(long flows, long maxFlows, long hostFlows, long hostMaxFlows, long flowless,
      long evicted, Map<String, Long> refused) {}

  /** Packets and bytes are unsigned 64-bit; sums stop at 2^64-1 instead of wrapping. */
  public record LiveCounts(int flows, UnsignedCount packets, UnsignedCount bytes, List<RuleCounts> rules) {}

  /**
   * A connection's addresses in one scope (a VNET's name, or {@code public}); ICMP has type and
   * code, not ports, and an echo session its identifier ({@code icmpId}).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TupleView(
      String scope, String proto, String src, Integer srcPort, String dst, Integer dstPort, Integer icmpType,
      Integer icmpCode, Integer icmpId) {}

  public record ConnectionView(String ownerVm, String kind, TupleView original, TupleView translated) {}

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SwitchViews.class);
  private static final int RECENT_ERRORS = 10;

  private final ApiSources sources;
  private final SwitchFlowReader flows;

  SwitchViews(ApiSources sources, SwitchFlowReader flows) {
    this.sources = sources;
    this.flows = flows;
  }

  List<HostView> hosts() {
    OpenFlowStats.Snapshot stats = sources.openflow().get();
    HostPartition partition = sources.partition();
    List<HostPartition.SwitchError> errors = partition.errors();
    List<HostView> out = new ArrayList<>();
    for (Host h : sources.config().hosts()) {
      Optional<SwitchConnection> sw = partition.switchOf(h.name());
      Map<String, Object> ports = sw.map(SwitchViews::ports).orElse(null);
      String version = sw.map(s -> version(s.factory().getVersion().toString())).orElse(null);
      OpenFlowStats.Counts counts = stats.switches().get(DatapathId.of(h.dpid()));
      List<ErrorView> mine = errors.stream().filter(e -> e.host().equals(h.name()))
          .map(e -> new ErrorView(e.error(), e.request())).toList();
      List<ErrorView> recent = mine.subList(Math.max(0, mine.size() - RECENT_ERRORS), mine.size());
      out.add(new HostView(h.name(), DatapathId.of(h.dpid()).toString(), h.uplink(), h.underlayIp().toString(),
          sw.isPresent(), version, ports, counts == null ? null : channel(counts), mine.size(), List.copyOf(recent)));
    }
    return out;
  }

  /** Port numbers by name; the bridge's own port is {@code "local"}, as ovs-ofctl calls it. */
  private static Map<String, Object> ports(SwitchConnection sw) {
    Map<String, Object> ports = new TreeMap<>();
    sw.ports().byName().forEach((name, number) ->
        ports.put(name, number.equals(OFPort.LOCAL) ? "local" : (Object) Integer.toUnsignedLong(number.getPortNumber())));
    return ports;
  }

  /** {@code OF_13} → {@code 1.3}. */
  private static String version(String ofVersion) {
    if (ofVersion.startsWith("OF_") && ofVersion.length() == 5) {
      return ofVersion.charAt(3) + "." + ofVersion.charAt(4);
    }
    return ofVersion;
  }

  private static ChannelView channel(OpenFlowStats.Counts c) {
    return new ChannelView(byType(c.messagesIn()), byType(c.messagesOut()), c.errors(), c.illegalMessages(),
        c.malformedCloses(), c.packetIns(), c.listenerFailures());
  }

  private static Map<String, Long> byType(Map<OFType, Long> counts) {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((type, n) -> out.put(type.name().toLowerCase(Locale.ROOT), n));
    return out;
  }

  /** The VM's SNAT shares under the config in force and its used-up-share drops. */
  private SnatCounts snatCounts(Vm vm) {
    Config config = sources.config();
    SnatShares ports = SnatShares.of(config, SnatShares.PORT_SPACE);
    SnatShares ids = SnatShares.of(config, SnatShares.QUERY_ID_SPACE);
    List<SnatShareView> shares = ports.addressesOf(vm.name()).stream()
        .map(a -> new SnatShareView(a.toString(), ports.of(vm.name(), a).toString(), ids.of(vm.name(), a).toString()))
        .toList();
    return new SnatCounts(shares, sources.partition().snatExhausted(vm.name()));
  }

  /** The VM's statistics, with {@code live} from its switch when that answers (else null). */
  CompletableFuture<VmStats> vmStats(String name) {
    Vm vm = sources.config().vm(name).orElseThrow(() -> ApiException.notFound("no VM named '" + name + "'"));
    Map<RuleStatistics.RuleKey, RuleStatistics.Counts> folded = sources.partition().statistics().forVm(name);
    List<RuleCounts> rules = new ArrayList<>();
    for (Layer layer : sources.config().rulesetOf(vm).layers()) {
      for (Rule r : layer.rules()) {
        rules.add(counts(folded, vm.name(), layer.name(), r.id()));
      }
      rules.add(counts(folded, vm.name(), layer.name(), "default"));
    }
    org.nicflow.compiler.model.MissBudget budget = sources.config().missBudgetOf(vm);
    MissBudgetCounts misses = new MissBudgetCounts(budget.ratePps(), budget.burst(),
        sources.partition().missesOverBudget(vm.name()));
    FlowBudgetCounts budgetCounts = flowBudget(vm.name());
    SnatCounts snat = snatCounts(vm);
    if (sources.partition().switchOf(vm.host()).isEmpty()) {
      return CompletableFuture.completedFuture(new VmStats(vm.name(), vm.host(), rules, null, misses, budgetCounts, snat));
    }
    CompletableFuture<List<SwitchFlowReader.SwitchFlow>> read;
    try {
      read = flows.read(vm.host());
    } catch (ApiException e) {
      read = CompletableFuture.failedFuture(e);
    }
    return read.handle((list, failure) -> {
      if (failure != null) {
        // The switch did not answer in time, went away or waits for too many: the folded counts still stand.
        log.debug("VM {}: no live counters: {}", vm.name(), failure.getMessage());
        return new VmStats(vm.name(), vm.host(), rules, null, misses, budgetCounts, snat);
      }
      return new VmStats(vm.name(), vm.host(), rules, live(vm, list), misses, budgetCounts, snat);
    });
  }

  private static RuleCounts counts(Map<RuleStatistics.RuleKey, RuleStatistics.Counts> folded, String vm,
      String layer, String rule) {
    RuleStatistics.Counts c = folded.get(new RuleStatistics.RuleKey(vm, layer, rule));
    return c == null ? new RuleCounts(layer, rule, UnsignedCount.ZERO, UnsignedCount.ZERO, 0)
        : new RuleCounts(layer, rule, c.packets(), c.bytes(), c.flows());
  }

  private FlowBudgetCounts flowBudget(String vm) {
    HostPartition.FlowBudgetView view = sources.partition().flowBudget(vm).orElseThrow();
    Map<String, Long> refused = new java.util.TreeMap<>();
    for (String reason : HostPartition.FLOW_REFUSAL_REASONS) {
      refused.put(reason, view.refused().getOrDefault(reason, 0L));
    }
    return new FlowBudgetCounts(view.flows(), view.maxFlows(), view.hostFlows(), view.hostMaxFlows(), view.flowless(),
        view.evicted(),
        java.util.Collections.unmodifiableMap(refused));
  }

  /** The VM's reactive flows (unified, reverse, denied) on its switch now, by deciding rule. */
  private static LiveCounts live(Vm vm, List<SwitchFlowReader.SwitchFlow> switchFlows) {
    List<String> reactive = List.of(kind(FlowKind.UNIFIED), kind(FlowKind.REVERSE), kind(FlowKind.DENIED));
    int count = 0;
    UnsignedCount packets = UnsignedCount.ZERO;
    UnsignedCount bytes = UnsignedCount.ZERO;
    Map<String, RuleCounts> byRule = new LinkedHashMap<>();
    for (SwitchFlowReader.SwitchFlow f : switchFlows) {
      DecodedCookie c = f.cookie();
      if (!vm.name().equals(c.vm()) || !reactive.contains(c.kind())) {
        continue;
      }
      count++;
      packets = packets.plus(f.packets());
      bytes = bytes.plus(f.bytes());
      if (c.layer() != null) {
        String rule = String.valueOf(c.rule());
        byRule.merge(c.layer() + "\u0000" + rule, new RuleCounts(c.layer(), rule, f.packets(), f.bytes(), 1),
            RuleCounts::plus);
      }
    }
    return new LiveCounts(count, packets, bytes, List.copyOf(byRule.values()));
  }

  private static String kind(FlowKind k) {
    return k.name().toLowerCase(Locale.ROOT);
  }

  /** One page of the connection table, in the order connections were added; the cursor is a sequence number. */
  PageRequest.Page<ConnectionView> connections(PageRequest page) {
    long after = 0;
    if (page.after().isPresent()) {
      try {
        after = Long.parseLong(page.after().get());
      } catch (NumberFormatException e) {
        throw PageRequest.badCursor(page.after().get());
      }
    }
    List<ConnectionTable.Numbered> numbered = sources.partition().connections().page(after, page.limit() + 1);
    List<ConnectionTable.Numbered> shown = numbered.subList(0, Math.min(page.limit(), numbered.size()));
    Optional<String> next = numbered.size() > page.limit()
        ? Optional.of(Long.toString(shown.get(shown.size() - 1).sequence())) : Optional.empty();
    List<ConnectionView> views = shown.stream().map(n -> n.connection())
        .map(c -> new ConnectionView(c.ownerVm(), kind(c), tuple(c.original()), tuple(c.translated())))
        .toList();
    return new PageRequest.Page<>(views, next);
  }

  private static String kind(Connection c) {
    return c.kind().name().toLowerCase(Locale.ROOT);
  }

  private TupleView tuple(FlowTuple t) {
    String scope = t.scope() == FlowTuple.PUBLIC ? "public"
        : sources.config().vnetByVni(t.scope()).map(v -> v.name()).orElse("vni " + t.scope());
    int[] transport = t.transportFields();
    if (t.proto() == org.nicflow.compiler.model.Protocol.IPPROTO_ICMP) {
      return new TupleView(scope, "icmp", t.src().toString(), null, t.dst().toString(), null, transport[0],
          transport[1], t.isIcmpEcho() ? t.queryId() : null);
    }
    return new TupleView(scope, protocol(t.proto()), t.src().toString(), transport[0], t.dst().toString(),
        transport[1], null, null, null);
  }

  private static String protocol(int proto) {
    return switch (proto) {
      case org.nicflow.compiler.model.Protocol.IPPROTO_TCP -> "tcp";
      case org.nicflow.compiler.model.Protocol.IPPROTO_UDP -> "udp";
      case org.nicflow.compiler.model.Protocol.IPPROTO_ICMP -> "icmp";
      default -> Integer.toString(proto);
    };
  }
}
