package org.nicflow.controller.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.nicflow.compiler.model.Backend;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Ipv4Prefix;
import org.nicflow.compiler.model.Layer;
import org.nicflow.compiler.model.LoadBalancer;
import org.nicflow.compiler.model.PortRange;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.model.Rule;
import org.nicflow.compiler.model.RuleSet;
import org.nicflow.compiler.model.Vm;
import org.nicflow.controller.partition.HostPartition;

/**
 * The configured VMs, rule sets and load balancers, with the config file's key names, plus whether
 * each VM's port exists on its connected switch.
 */
final class ConfigViews {

  /**
   * A VM. {@code portPresent} is whether its bridge reports the VM's port; {@code null} when the
   * host is not connected (nobody knows).
   */
  public record VmView(
      String name, String host, String port, String ip, String mac, String vnet, String ruleset, Long meterKbps,
      boolean hostConnected, Boolean portPresent) {}

  /** A rule set as configured: layers in outbound order. */
  public record RuleSetView(String name, List<LayerView> layers, List<String> vms) {}

  public record LayerView(
      String name, @JsonProperty("default") String defaultAction, List<RuleView> rules) {}

  /** One rule with the config keys; "any" keys are left out. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RuleView(
      String id, int priority, String direction, String proto, String src, String dst, String srcPort,
      String dstPort, Integer icmpType, String action, String to, Integer dscp, Boolean stateful) {}

  public record LoadBalancerView(String name, String vip, String proto, int port, List<BackendView> backends) {}

  public record BackendView(String vm, int port, String ip, String host) {}

  private final Config config;
  private final HostPartition partition;

  ConfigViews(Config config, HostPartition partition) {
    this.config = config;
    this.partition = partition;
  }

  List<VmView> vms() {
    return config.vms().stream().map(this::vm).toList();
  }

  VmView vm(String name) {
    return vm(config.vm(name).orElseThrow(() -> ApiException.notFound("no VM named '" + name + "'")));
  }

  private VmView vm(Vm v) {
    var sw = partition.switchOf(v.host());
    Boolean present = sw.map(s -> s.ports().number(v.port()).isPresent()).orElse(null);
    Long meter = v.meterKbps().isPresent() ? v.meterKbps().getAsLong() : null;
    return new VmView(v.name(), v.host(), v.port(), v.ip().toString(), v.mac().toString(), v.vnet(), v.ruleset(),
        meter, sw.isPresent(), present);
  }

  List<RuleSetView> rulesets() {
    return config.rulesets().stream().map(this::ruleset).toList();
  }

  RuleSetView ruleset(String name) {
    return ruleset(config.ruleset(name).orElseThrow(() -> ApiException.notFound("no rule set named '" + name + "'")));
  }

  private RuleSetView ruleset(RuleSet rs) {
    List<String> users = config.vms().stream().filter(v -> v.ruleset().equals(rs.name())).map(Vm::name).toList();
    return new RuleSetView(rs.name(), rs.layers().stream().map(ConfigViews::layer).toList(), users);
  }

  private static LayerView layer(Layer l) {
    return new LayerView(l.name(), l.defaultAction().key(), l.rules().stream().map(ConfigViews::rule).toList());
  }

  static RuleView rule(Rule r) {
    return new RuleView(
        r.id(),
        r.priority(),
        r.direction().key(),
        r.proto() == Protocol.ANY ? null : r.proto().key(),
        prefix(r.src()),
        prefix(r.dst()),
        ports(r.srcPort()),
        ports(r.dstPort()),
        r.icmpType().isPresent() ? r.icmpType().getAsInt() : null,
        r.action().key(),
        r.snatTo().map(Object::toString).orElse(null),
        r.dscp().isPresent() ? r.dscp().getAsInt() : null,
        r.stateful() ? Boolean.TRUE : null);
  }

  private static String prefix(Ipv4Prefix p) {
    return p.isAny() ? null : p.toString();
  }

  private static String ports(PortRange range) {
    return range.isAny() ? null : range.toString();
  }

  List<LoadBalancerView> loadBalancers() {
    return config.loadBalancers().stream().map(this::loadBalancer).toList();
  }

  LoadBalancerView loadBalancer(String name) {
    return loadBalancer(config.loadBalancers().stream().filter(lb -> lb.name().equals(name)).findFirst()
        .orElseThrow(() -> ApiException.notFound("no load balancer named '" + name + "'")));
  }

  private LoadBalancerView loadBalancer(LoadBalancer lb) {
    return new LoadBalancerView(lb.name(), lb.vip().toString(), lb.proto().key(), lb.port(),
        lb.backends().stream().map(this::backend).toList());
  }

  private BackendView backend(Backend b) {
    var vm = config.vm(b.vm());
    return new BackendView(b.vm(), b.port(), vm.map(v -> v.ip().toString()).orElse(null),
        vm.map(Vm::host).orElse(null));
  }
}
