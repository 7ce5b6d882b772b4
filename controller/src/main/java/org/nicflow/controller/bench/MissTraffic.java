package org.nicflow.controller.bench;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.nicflow.compiler.eval.ConnectionTable;
import org.nicflow.compiler.eval.Decision;
import org.nicflow.compiler.eval.Ingress;
import org.nicflow.compiler.eval.PacketEvaluator;
import org.nicflow.compiler.eval.ReferenceEvaluator;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Host;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.packet.PacketHeaders;

/**
 * What each emulated switch is and sends: its dpid and ports, and the packets of new connections
 * it reports as misses, drawn before the run so that drawing costs nothing while measuring. The
 * same arguments always give the same traffic.
 */
public final class MissTraffic {

  /** VM ports per switch when no config says which. */
  static final int PLAIN_VMS = 8;

  /** How many candidates per wanted packet are evaluated before giving up on a host. */
  private static final int TRIES_PER_PACKET = 50;

  private MissTraffic() {}

  /** One emulated switch: who it is and what it will send. */
  public record SwitchPlan(long dpid, String name, List<SwitchWire.Port> ports, List<MissPacket> packets) {
    public SwitchPlan {
      ports = List.copyOf(ports);
      packets = List.copyOf(packets);
    }
  }

  /**
   * Switches that pretend to be the first {@code switches} hosts of {@code config}, with every port
   * the config gives them (uplink, VM ports, a tunnel to each other host), each sending {@code
   * perSwitch} TCP SYNs and UDP datagrams of distinct new connections from its VMs that the
   * config's rule sets allow without a source translation: to another VM of the sender's VNET or
   * to an outside address. Every packet is checked with the reference evaluator, so the controller
   * answers each with flows and a packet-out.
   *
   * @throws IllegalArgumentException when the config has fewer hosts, a host has no VM, or too
   *     few packets of a host's VMs are allowed
   */
  static List<SwitchPlan> fromConfig(Config config, int switches, int perSwitch, long seed) {
    if (switches > config.hosts().size()) {
      throw new IllegalArgumentException(switches + " switches, but the config has " + config.hosts().size()
          + " hosts: at most one switch per host");
    }
    PacketEvaluator evaluator = new ReferenceEvaluator(config);
    ConnectionTable none = new ConnectionTable();
    MacAddress gateway = config.controller().gatewayMac();
    Random random = new Random(seed);
    List<SwitchPlan> plans = new ArrayList<>();
    for (Host host : config.hosts().subList(0, switches)) {
      List<Vm> vms = config.vmsOnHost(host.name());
      if (vms.isEmpty()) {
        throw new IllegalArgumentException("host " + host.name() + " has no VM to send from");
      }
      List<SwitchWire.Port> ports = new ArrayList<>();
      ports.add(new SwitchWire.Port(1, host.uplink(), mac(0x10, ports.size())));
      for (Vm vm : vms) {
        ports.add(new SwitchWire.Port(ports.size() + 1, vm.port(), vm.mac().bits()));
      }
      for (Host other : config.hosts()) {
        if (!other.equals(host)) {
          ports.add(new SwitchWire.Port(ports.size() + 1, Host.tunnelPortName(other.name()), mac(0x20, ports.size())));
        }
      }
      List<MissPacket> packets = new ArrayList<>(perSwitch);
      Set<PacketHeaders> seen = new HashSet<>();
      long tries = (long) perSwitch * TRIES_PER_PACKET;
      while (packets.size() < perSwitch && tries-- > 0) {
        Vm sender = vms.get(random.nextInt(vms.size()));
        Ipv4 dst = destination(config, sender, random);
        int proto = random.nextInt(10) < 6 ? MissPacket.TCP : MissPacket.UDP;
        int sport = 1024 + random.nextInt(64512);
        int dport = random.nextBoolean() ? 1 + random.nextInt(1023) : 1 + random.nextInt(65535);
        PacketHeaders p = new PacketHeaders(sender.mac(), gateway, proto, sender.ip(), dst, sport, dport, 0);
        if (seen.contains(p)) {
          continue;
        }
        Decision d = evaluator.evaluate(new Ingress.VmPort(host.name(), sender.name()), p, none);
        if (!d.allowed() || !d.packet().nwSrc().equals(sender.ip()) || d.packet().tpSrc() != sport) {
          continue; // dropped, or translated: SNAT ports are finite, and the run must not exhaust them
        }
        seen.add(p);
        int port = portOf(ports, sender.port()).orElseThrow();
        packets.add(MissPacket.of(packets.size(), port, sender.mac().bits(), gateway.bits(), proto,
            sender.ip().bits(), dst.bits(), sport, dport));
      }
      if (packets.size() < perSwitch) {
        throw new IllegalArgumentException("host " + host.name() + ": only " + packets.size() + " of " + perSwitch
            + " drawn packets are allowed by the rule sets of its VMs; ask for fewer (--count)");
      }
      plans.add(new SwitchPlan(host.dpid(), host.name(), ports, packets));
    }
    return List.copyOf(plans);
  }

  /**
   * Switches with dpids 1 to {@code switches}, each with {@value #PLAIN_VMS} VM ports ({@code p1}
   * ...), whose VMs (MAC 02:00:00:00:S:P, address 10.S.0.P) send TCP SYNs and UDP datagrams of
   * distinct connections to each other: for controllers that know no config, such as a learning
   * switch, which learns every VM's MAC from the first packets.
   */
  static List<SwitchPlan> plain(int switches, int perSwitch, long seed) {
    if (switches > 250) {
      throw new IllegalArgumentException("at most 250 switches without a config, got " + switches);
    }
    Random random = new Random(seed);
    List<SwitchPlan> plans = new ArrayList<>();
    for (int s = 1; s <= switches; s++) {
      List<SwitchWire.Port> ports = new ArrayList<>();
      for (int p = 1; p <= PLAIN_VMS; p++) {
        ports.add(new SwitchWire.Port(p, "p" + p, vmMac(s, p)));
      }
      List<MissPacket> packets = new ArrayList<>(perSwitch);
      for (int i = 0; i < perSwitch; i++) {
        int from = 1 + i % PLAIN_VMS;
        int to = 1 + (from + random.nextInt(PLAIN_VMS - 1)) % PLAIN_VMS;
        int proto = random.nextInt(10) < 6 ? MissPacket.TCP : MissPacket.UDP;
        // distinct connections: the sequence number picks the source port and, past 60,000 of them, the destination port
        int sport = 1024 + (i / PLAIN_VMS) % 60_000;
        int dport = 80 + (i / PLAIN_VMS) / 60_000;
        packets.add(MissPacket.of(i, from, vmMac(s, from), vmMac(s, to), proto, vmIp(s, from), vmIp(s, to),
            sport, dport));
      }
      plans.add(new SwitchPlan(s, "switch" + s, ports, packets));
    }
    return List.copyOf(plans);
  }

  private static Ipv4 destination(Config config, Vm sender, Random random) {
    if (random.nextInt(10) < 6) {
      List<Vm> peers = config.vms().stream()
          .filter(v -> v.vnet().equals(sender.vnet()) && !v.equals(sender)).toList();
      if (!peers.isEmpty()) {
        return peers.get(random.nextInt(peers.size())).ip();
      }
    }
    return random.nextBoolean() ? Ipv4.of(198, 51, 100, 1 + random.nextInt(254))
        : new Ipv4((10 << 24) | random.nextInt(1 << 24));
  }

  private static Optional<Integer> portOf(List<SwitchWire.Port> ports, String name) {
    return ports.stream().filter(p -> p.name().equals(name)).map(SwitchWire.Port::number).findFirst();
  }

  private static long vmMac(int sw, int port) {
    return 0x0200_0000_0000L | ((long) sw << 8) | port;
  }

  private static int vmIp(int sw, int port) {
    return (10 << 24) | (sw << 16) | port;
  }

  private static long mac(int kind, int index) {
    return 0x0200_00ff_0000L | ((long) kind << 8) | index;
  }
}
