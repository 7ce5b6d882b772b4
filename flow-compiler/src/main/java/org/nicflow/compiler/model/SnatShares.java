package org.nicflow.compiler.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * How the numbers a SNAT allocates on one public address (source ports, or ICMP query identifiers)
 * are shared among the VMs whose rule sets SNAT to that address (docs/config.md, {@code
 * snat_ports}): each VM gets a range of its own, so that one VM that uses up its share towards a
 * destination leaves the other VMs theirs. The VMs of an address are laid out in the order of
 * their names, each taking its {@code snat_ports} numbers, or, without one, an equal part of what the
 * VMs with one leave over. A value computed from a config; adding or removing a VM lays the shares
 * out again, while live connections keep the numbers they have.
 */
public final class SnatShares {

  /** The source ports SNAT allocates from. */
  public static final Share PORT_SPACE = new Share(1024, 65535);
  /** The ICMP query identifiers SNAT allocates from. */
  public static final Share QUERY_ID_SPACE = new Share(0, 65535);
  /** How many source ports there are: the most a VM's {@code snat_ports} may ask for. */
  public static final int PORTS = PORT_SPACE.size();

  /** A VM's numbers: {@code lo..hi}. */
  public record Share(int lo, int hi) {
    public Share {
      if (lo < 0 || hi > 65535 || lo > hi) {
        throw new IllegalArgumentException("share " + lo + "-" + hi + " is not inside 0-65535");
      }
    }

    public int size() {
      return hi - lo + 1;
    }

    /** The number {@code key} picks: {@code lo} plus {@code key} modulo the size. */
    public int pick(int key) {
      return lo + Math.floorMod(key, size());
    }

    public boolean contains(int n) {
      return n >= lo && n <= hi;
    }

    @Override
    public String toString() {
      return lo + "-" + hi;
    }
  }

  /** Where explicit {@code snat_ports} ask for more numbers than an address has. */
  public record Overbooking(Ipv4 address, List<String> vms, long asked, int available) {
    public String message() {
      return "snat_ports of the VMs that SNAT to " + address + " (" + String.join(", ", vms) + ") ask for " + asked
          + " ports, with one for each VM without snat_ports; " + address + " has " + available;
    }
  }

  private final Share space;
  private final Map<Ipv4, Map<String, Share>> byAddress;

  private SnatShares(Share space, Map<Ipv4, Map<String, Share>> byAddress) {
    this.space = space;
    this.byAddress = byAddress;
  }

  /**
   * The shares of {@code space} in {@code config}. When explicit shares ask for more than there is,
   * the shares that do not fit are cut at the end of the space and further ones start again at its
   * beginning, overlapping; the config loader refuses such configs ({@link #overbooked}).
   */
  public static SnatShares of(Config config, Share space) {
    Map<Ipv4, Map<String, Share>> byAddress = new HashMap<>();
    sharers(config).forEach((address, vms) -> {
      int explicit = 0;
      int rest = 0;
      for (Vm vm : vms) {
        if (vm.snatPorts().isPresent()) {
          explicit += Math.min(vm.snatPorts().getAsInt(), space.size());
        } else {
          rest++;
        }
      }
      int equal = rest == 0 ? 0 : Math.max(1, (space.size() - explicit) / rest);
      Map<String, Share> shares = new HashMap<>();
      long offset = 0;
      for (Vm vm : vms) {
        int size = Math.min(vm.snatPorts().orElse(equal), space.size());
        int lo = space.lo() + (int) (offset % space.size());
        shares.put(vm.name(), new Share(lo, Math.min(space.hi(), lo + size - 1)));
        offset += size;
      }
      byAddress.put(address, Map.copyOf(shares));
    });
    return new SnatShares(space, Map.copyOf(byAddress));
  }

  /** The addresses whose VMs' explicit {@code snat_ports} ask for more ports than there are. */
  public static List<Overbooking> overbooked(Config config) {
    List<Overbooking> out = new ArrayList<>();
    sharers(config).forEach((address, vms) -> {
      long asked = vms.stream().mapToLong(vm -> vm.snatPorts().orElse(1)).sum();
      if (asked > PORTS && vms.stream().anyMatch(vm -> vm.snatPorts().isPresent())) {
        out.add(new Overbooking(address, vms.stream().map(Vm::name).toList(), asked, PORTS));
      }
    });
    out.sort(Comparator.comparing(o -> o.address().bits()));
    return List.copyOf(out);
  }

  /**
   * The share of {@code vm} on {@code address}; the whole space for a VM that no rule of its rule
   * set lets SNAT to it.
   */
  public Share of(String vm, Ipv4 address) {
    Objects.requireNonNull(vm, "vm");
    return Optional.ofNullable(byAddress.get(address)).map(m -> m.get(vm)).orElse(space);
  }

  /** The addresses {@code vm} SNATs to, in address order. */
  public List<Ipv4> addressesOf(String vm) {
    return byAddress.entrySet().stream().filter(e -> e.getValue().containsKey(vm)).map(Map.Entry::getKey)
        .sorted(Comparator.comparingLong(Ipv4::bits)).toList();
  }

  /** Each public address SNAT rules name, with the VMs whose rule sets have such a rule, by name. */
  private static Map<Ipv4, List<Vm>> sharers(Config config) {
    Map<String, Set<Ipv4>> addressesByRuleset = new HashMap<>();
    for (RuleSet rs : config.rulesets()) {
      Set<Ipv4> addresses = new TreeSet<>(Comparator.comparingLong(Ipv4::bits));
      for (Layer layer : rs.layers()) {
        for (Rule rule : layer.rules()) {
          rule.snatTo().ifPresent(addresses::add);
        }
      }
      addressesByRuleset.put(rs.name(), addresses);
    }
    Map<Ipv4, List<Vm>> out = new HashMap<>();
    for (Vm vm : config.vms()) {
      for (Ipv4 address : addressesByRuleset.getOrDefault(vm.ruleset(), Set.of())) {
        out.computeIfAbsent(address, a -> new ArrayList<>()).add(vm);
      }
    }
    out.values().forEach(vms -> vms.sort(Comparator.comparing(Vm::name)));
    return out;
  }
}
