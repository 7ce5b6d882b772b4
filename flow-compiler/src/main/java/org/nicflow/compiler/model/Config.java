package org.nicflow.compiler.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A whole, validated configuration (docs/config.md) and the stable numbers of its VMs, layers and
 * rules ({@link PolicyIds}). Instances come from the config loader, which checks cross references,
 * and from the policy store, which numbers each revision from the one before; lookups here are
 * linear and meant for set-up code, not per packet.
 */
public record Config(
    ControllerSettings controller,
    List<Host> hosts,
    List<Vnet> vnets,
    List<Vm> vms,
    List<RuleSet> rulesets,
    List<LoadBalancer> loadBalancers,
    PolicyIds ids) {

  public Config {
    Objects.requireNonNull(controller, "controller");
    hosts = List.copyOf(hosts);
    vnets = List.copyOf(vnets);
    vms = List.copyOf(vms);
    rulesets = List.copyOf(rulesets);
    loadBalancers = List.copyOf(loadBalancers);
    Objects.requireNonNull(ids, "ids");
  }

  /** A config numbered {@linkplain PolicyIds#positional positionally}, as read from a file. */
  public Config(ControllerSettings controller, List<Host> hosts, List<Vnet> vnets, List<Vm> vms,
      List<RuleSet> rulesets, List<LoadBalancer> loadBalancers) {
    this(controller, hosts, vnets, vms, rulesets, loadBalancers, PolicyIds.positional(vms, rulesets));
  }

  /** This config with {@code controller.learn_state} set to {@code learn} (a test override). */
  public Config withLearnState(boolean learn) {
    return new Config(controller.withLearnState(learn), hosts, vnets, vms, rulesets, loadBalancers, ids);
  }

  /** This config with other controller settings (a command-line or test override). */
  public Config withController(ControllerSettings settings) {
    return new Config(settings, hosts, vnets, vms, rulesets, loadBalancers, ids);
  }

  /** This config in another offload mode (a command-line or test override). */
  public Config withMode(OffloadMode mode) {
    return new Config(controller.withMode(mode), hosts, vnets, vms, rulesets, loadBalancers, ids);
  }

  /**
   * This config without rule {@code ruleId} of rule set {@code ruleset}, numbered positionally like
   * a config read from a file (a policy store numbers it from the revision before).
   *
   * @throws IllegalArgumentException when the rule set has no such rule
   */
  public Config withoutRule(String ruleset, String ruleId) {
    RuleSet set = ruleset(ruleset).orElseThrow(() -> new IllegalArgumentException("no rule set named " + ruleset));
    List<Layer> layers = set.layers().stream().map(l -> new Layer(l.name(), l.defaultAction(),
        l.rules().stream().filter(r -> !r.id().equals(ruleId)).toList())).toList();
    if (layers.equals(set.layers())) {
      throw new IllegalArgumentException("rule set " + ruleset + " has no rule " + ruleId);
    }
    List<RuleSet> sets = rulesets.stream().map(rs -> rs.name().equals(ruleset) ? new RuleSet(ruleset, layers) : rs)
        .toList();
    return new Config(controller, hosts, vnets, vms, sets, loadBalancers);
  }

  /** This config numbered by {@code newIds}, which must name all of it. */
  public Config withIds(PolicyIds newIds) {
    newIds.checkCovers(this);
    return new Config(controller, hosts, vnets, vms, rulesets, loadBalancers, newIds);
  }

  /** The same policy without the numbering: two configs that differ only in numbers are equal here. */
  public boolean samePolicy(Config other) {
    return controller.equals(other.controller) && hosts.equals(other.hosts) && vnets.equals(other.vnets)
        && vms.equals(other.vms) && rulesets.equals(other.rulesets) && loadBalancers.equals(other.loadBalancers);
  }

  public Optional<Host> host(String name) {
    return hosts.stream().filter(h -> h.name().equals(name)).findFirst();
  }

  public Optional<Host> hostByDpid(long dpid) {
    return hosts.stream().filter(h -> h.dpid() == dpid).findFirst();
  }

  public Optional<Vnet> vnet(String name) {
    return vnets.stream().filter(v -> v.name().equals(name)).findFirst();
  }

  public Optional<Vnet> vnetByVni(int vni) {
    return vnets.stream().filter(v -> v.vni() == vni).findFirst();
  }

  public Optional<Vm> vm(String name) {
    return vms.stream().filter(v -> v.name().equals(name)).findFirst();
  }

  public Optional<RuleSet> ruleset(String name) {
    return rulesets.stream().filter(r -> r.name().equals(name)).findFirst();
  }

  /** The stable number of a VM ({@link PolicyIds}): what cookies, metadata and meter ids use. */
  public int vmIndex(String name) {
    return ids.vm(name);
  }

  /**
   * What a nicflow cookie's numbers name in this config: the VM, and for a flow a layer made, the
   * layer and the rule ({@code default} for the layer's default). Names this config does not have
   * (a flow of an earlier revision) are left empty.
   */
  public CookieNames names(org.nicflow.compiler.flow.Cookie cookie) {
    if (!cookie.hasVm()) {
      return CookieNames.NONE;
    }
    Optional<Vm> vm = ids.vmName(cookie.vmIndex()).flatMap(this::vm);
    if (vm.isEmpty()) {
      return CookieNames.NONE;
    }
    String ruleset = vm.get().ruleset();
    Optional<String> layer = cookie.layerIndex() == org.nicflow.compiler.flow.Cookie.NO_LAYER ? Optional.empty()
        : ids.layerName(ruleset, cookie.layerIndex());
    if (layer.isEmpty()) {
      return new CookieNames(vm.map(Vm::name), Optional.empty(), Optional.empty());
    }
    Optional<String> rule = cookie.ruleIndex() == org.nicflow.compiler.flow.Cookie.NO_RULE ? Optional.of("default")
        : ids.ruleName(ruleset, layer.get(), cookie.ruleIndex());
    return new CookieNames(vm.map(Vm::name), layer, rule);
  }

  /** What {@link #names} found: each empty where the cookie names nothing this config has. */
  public record CookieNames(Optional<String> vm, Optional<String> layer, Optional<String> rule) {
    public static final CookieNames NONE = new CookieNames(Optional.empty(), Optional.empty(), Optional.empty());
  }

  /** The generation of the rule set of VM {@code vm}: what the cookies of its flows carry. */
  public int generationOf(Vm vm) {
    return ids.ruleset(vm.ruleset()).generation();
  }

  public List<Vm> vmsOnHost(String hostName) {
    return vms.stream().filter(v -> v.host().equals(hostName)).toList();
  }

  public Host hostOf(Vm vm) {
    return host(vm.host()).orElseThrow(() -> new IllegalStateException("vm " + vm.name() + " on unknown host"));
  }

  public Vnet vnetOf(Vm vm) {
    return vnet(vm.vnet()).orElseThrow(() -> new IllegalStateException("vm " + vm.name() + " in unknown vnet"));
  }

  public RuleSet rulesetOf(Vm vm) {
    return ruleset(vm.ruleset()).orElseThrow(() -> new IllegalStateException("vm " + vm.name() + " has unknown ruleset"));
  }

  /** The miss budget of VM {@code vm}: its own {@code miss_rate_pps} and {@code miss_burst}, else the controller's. */
  public MissBudget missBudgetOf(Vm vm) {
    return vm.missBudget(controller.missBudget());
  }

  /** How many connection flows charged to VM {@code vm} one bridge may hold: its own {@code max_flows}, else the controller's. */
  public long maxFlowsOf(Vm vm) {
    return vm.maxFlows().orElse(controller.flowLimits().vmMaxFlows());
  }
}
