package org.nicflow.compiler.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A whole, validated configuration (SPEC section 2). Instances come from the config loader, which
 * checks cross references; lookups here are linear and meant for set-up code, not per packet.
 */
public record Config(
    ControllerSettings controller,
    List<Host> hosts,
    List<Vnet> vnets,
    List<Vm> vms,
    List<RuleSet> rulesets,
    List<LoadBalancer> loadBalancers) {

  public Config {
    Objects.requireNonNull(controller, "controller");
    hosts = List.copyOf(hosts);
    vnets = List.copyOf(vnets);
    vms = List.copyOf(vms);
    rulesets = List.copyOf(rulesets);
    loadBalancers = List.copyOf(loadBalancers);
  }

  /** This config in another offload mode (a command-line or test override). */
  public Config withMode(OffloadMode mode) {
    return new Config(controller.withMode(mode), hosts, vnets, vms, rulesets, loadBalancers);
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

  /** Index of a VM in {@link #vms()}; the stable number cookies and metadata use. */
  public int vmIndex(String name) {
    for (int i = 0; i < vms.size(); i++) {
      if (vms.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new IllegalArgumentException("no VM named " + name);
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
}
