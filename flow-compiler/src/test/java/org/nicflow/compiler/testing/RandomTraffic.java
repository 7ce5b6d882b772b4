package org.nicflow.compiler.testing;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import org.nicflow.compiler.eval.Ingress;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Host;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.Ipv4Prefix;
import org.nicflow.compiler.model.Layer;
import org.nicflow.compiler.model.LoadBalancer;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.model.PortRange;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.model.Rule;
import org.nicflow.compiler.model.RuleSet;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.model.Vnet;
import org.nicflow.compiler.packet.PacketHeaders;

/**
 * Random packets for one config, aimed at its edges: sent by its VMs (sometimes spoofed), arriving
 * by tunnel for its VMs, or from the physical network to its VIP, SNAT addresses and VMs; addressed
 * to VMs, gateways, unused VNET addresses and the first, last and neighbouring addresses of every
 * rule prefix; with ports at and next to every range bound.
 */
public final class RandomTraffic {

  /** A packet and where it enters. */
  public record Probe(Ingress ingress, PacketHeaders packet) {
    public Probe {
      Objects.requireNonNull(ingress, "ingress");
      Objects.requireNonNull(packet, "packet");
    }
  }

  public static final MacAddress ROUTER_MAC = MacAddress.parse("02:00:00:00:fe:99");
  private static final int[] PROTOS = {Protocol.IPPROTO_TCP, Protocol.IPPROTO_TCP, Protocol.IPPROTO_UDP,
      Protocol.IPPROTO_UDP, Protocol.IPPROTO_ICMP, 47};

  private final Config config;
  private final List<Ipv4> addresses;
  private final List<Integer> ports;

  public RandomTraffic(Config config) {
    this.config = Objects.requireNonNull(config, "config");
    Set<Ipv4> a = new LinkedHashSet<>();
    Set<Integer> p = new LinkedHashSet<>();
    for (int port : RandomConfigs.PORTS) {
      p.add(port);
    }
    for (Vnet n : config.vnets()) {
      addEdges(a, n.prefix());
      a.add(n.gateway());
    }
    for (RuleSet rs : config.rulesets()) {
      for (Layer l : rs.layers()) {
        for (Rule r : l.rules()) {
          addEdges(a, r.src());
          addEdges(a, r.dst());
          addEdges(p, r.srcPort());
          addEdges(p, r.dstPort());
        }
      }
    }
    a.addAll(RandomConfigs.SNAT_ADDRESSES);
    a.add(RandomConfigs.VIP);
    a.add(Ipv4.of(8, 8, 8, 8));
    this.addresses = List.copyOf(a);
    this.ports = List.copyOf(p);
  }

  /**
   * Sends {@code packets} probes of this traffic to {@code check}; a failure names the probe's
   * number, packet and ingress.
   */
  public void drive(Random rnd, int packets, java.util.function.Consumer<Probe> check) {
    for (int i = 0; i < packets; i++) {
      Probe probe = next(rnd);
      try {
        check.accept(probe);
      } catch (RuntimeException | AssertionError e) {
        throw new AssertionError("packet " + i + " " + probe.packet() + " entering at " + probe.ingress()
            + "\n" + e.getMessage(), e);
      }
    }
  }

  public Probe next(Random rnd) {
    int kind = rnd.nextInt(10);
    if (kind < 6) {
      return fromVm(rnd);
    }
    if (kind < 9 && config.hosts().size() > 1) {
      return fromTunnel(rnd);
    }
    return fromUplink(rnd);
  }

  private Probe fromVm(Random rnd) {
    Vm vm = config.vms().get(rnd.nextInt(config.vms().size()));
    MacAddress mac = rnd.nextInt(40) == 0 ? ROUTER_MAC : vm.mac();
    Ipv4 src = rnd.nextInt(40) == 0 ? Ipv4.of(10, 0, 0, 99) : vm.ip();
    return new Probe(new Ingress.VmPort(vm.host(), vm.name()), packet(rnd, mac, src, destination(rnd)));
  }

  private Probe fromTunnel(Random rnd) {
    Vm target = config.vms().get(rnd.nextInt(config.vms().size()));
    List<Host> others = config.hosts().stream().filter(h -> !h.name().equals(target.host())).toList();
    Host from = others.get(rnd.nextInt(others.size()));
    Vnet vnet = rnd.nextInt(8) == 0 ? config.vnets().get(rnd.nextInt(config.vnets().size())) : config.vnetOf(target);
    List<Vm> senders = config.vms().stream().filter(v -> v.vnet().equals(vnet.name())).toList();
    Ipv4 src = !senders.isEmpty() && rnd.nextInt(4) > 0 ? senders.get(rnd.nextInt(senders.size())).ip()
        : address(rnd);
    Ipv4 dst = rnd.nextInt(6) > 0 ? target.ip() : destination(rnd);
    String host = rnd.nextInt(10) > 0 ? target.host() : config.hosts().get(rnd.nextInt(config.hosts().size())).name();
    if (host.equals(from.name())) {
      host = target.host();
    }
    return new Probe(new Ingress.Tunnel(host, from.name(), vnet.vni()),
        packet(rnd, config.controller().gatewayMac(), target.mac(), src, dst));
  }

  private Probe fromUplink(Random rnd) {
    Host host = config.hosts().get(rnd.nextInt(config.hosts().size()));
    Ipv4 src = rnd.nextBoolean() ? Ipv4.of(198, 51, 100, rnd.nextInt(256)) : address(rnd);
    Ipv4 dst;
    int pick = rnd.nextInt(4);
    if (pick < 2 && !config.loadBalancers().isEmpty()) {
      LoadBalancer lb = config.loadBalancers().get(rnd.nextInt(config.loadBalancers().size()));
      PacketHeaders p = packet(rnd, ROUTER_MAC, config.controller().gatewayMac(), src, lb.vip());
      if (rnd.nextInt(4) > 0) {
        int proto = lb.proto().number();
        p = new PacketHeaders(p.ethSrc(), p.ethDst(), proto, src, lb.vip(), port(rnd), lb.port(), p.dscp());
      }
      return new Probe(new Ingress.Uplink(host.name()), p);
    }
    dst = pick == 2 ? RandomConfigs.SNAT_ADDRESSES.get(rnd.nextInt(RandomConfigs.SNAT_ADDRESSES.size()))
        : destination(rnd);
    return new Probe(new Ingress.Uplink(host.name()),
        packet(rnd, ROUTER_MAC, config.controller().gatewayMac(), src, dst));
  }

  private Ipv4 destination(Random rnd) {
    if (rnd.nextInt(5) < 3) {
      return config.vms().get(rnd.nextInt(config.vms().size())).ip();
    }
    return address(rnd);
  }

  private Ipv4 address(Random rnd) {
    return rnd.nextInt(10) == 0 ? new Ipv4(rnd.nextInt()) : addresses.get(rnd.nextInt(addresses.size()));
  }

  private int port(Random rnd) {
    return rnd.nextInt(4) == 0 ? rnd.nextInt(65536) : ports.get(rnd.nextInt(ports.size()));
  }

  private PacketHeaders packet(Random rnd, MacAddress mac, Ipv4 src, Ipv4 dst) {
    return packet(rnd, mac, config.controller().gatewayMac(), src, dst);
  }

  private PacketHeaders packet(Random rnd, MacAddress ethSrc, MacAddress ethDst, Ipv4 src, Ipv4 dst) {
    int proto = PROTOS[rnd.nextInt(PROTOS.length)];
    int sport = 0;
    int dport = 0;
    if (proto == Protocol.IPPROTO_ICMP) {
      sport = new int[] {8, 8, 0, 3, 11, 5}[rnd.nextInt(6)];
      dport = rnd.nextInt(3) == 0 ? rnd.nextInt(4) : 0;
    } else if (proto != 47) {
      sport = port(rnd);
      dport = port(rnd);
    }
    int dscp = rnd.nextInt(3) == 0 ? rnd.nextInt(64) : 0;
    return new PacketHeaders(ethSrc, ethDst, proto, src, dst, sport, dport, dscp);
  }

  private static void addEdges(Set<Ipv4> out, Ipv4Prefix p) {
    if (p.isAny()) {
      return;
    }
    int first = p.network().bits();
    int last = first | ~p.mask();
    out.add(new Ipv4(first));
    out.add(new Ipv4(last));
    out.add(new Ipv4(first - 1));
    out.add(new Ipv4(last + 1));
  }

  private static void addEdges(Set<Integer> out, PortRange r) {
    if (r.isAny()) {
      return;
    }
    for (int v : new int[] {r.lo() - 1, r.lo(), r.hi(), r.hi() + 1}) {
      if (v >= 0 && v <= 65535) {
        out.add(v);
      }
    }
  }
}
