package org.nicflow.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.nicflow.compiler.eval.Ingress;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Host;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.LoadBalancer;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.packet.PacketHeaders;

/**
 * Pre-generated packets for the benchmarks, so that drawing them costs nothing inside a measured
 * operation. The same arguments always give the same packets.
 */
public final class TrafficGenerator {

  /** Destination ports the demo rule sets name (allowed and denied ones), then any port. */
  private static final int[] DEMO_PORTS = {80, 22, 23, 5432, 8080, 8000, 8050, 8099, 5000, 5005, 5010, 443};

  private TrafficGenerator() {}

  /**
   * {@code count} packets, each leaving a random VM by its port with that VM's own MAC and address:
   * TCP 50 %, UDP 30 %, ICMP 20 %; to another VM of its VNET 40 %, a random 10/8 address 30 %, any
   * address 30 %; destination ports half below 1024, half anywhere.
   */
  public static List<Probe> leavingVms(Config config, int count, long seed) {
    Random random = new Random(seed);
    MacAddress gateway = config.controller().gatewayMac();
    List<Probe> probes = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Vm sender = config.vms().get(random.nextInt(config.vms().size()));
      int d = random.nextInt(10);
      Ipv4 dst;
      if (d < 4) {
        dst = peerAddress(config, sender, random);
      } else if (d < 7) {
        dst = new Ipv4((10 << 24) | random.nextInt(1 << 24));
      } else {
        dst = new Ipv4(random.nextInt());
      }
      int dport = random.nextBoolean() ? 1 + random.nextInt(1023) : 1 + random.nextInt(65535);
      probes.add(new Probe(new Ingress.VmPort(sender.host(), sender.name()),
          packet(random, sender.mac(), gateway, sender.ip(), dst, dport)));
    }
    return List.copyOf(probes);
  }

  /**
   * {@code count} packet-ins as a reactive controller sees them for a small config: 75 % leave a
   * random VM (to another VM of its VNET 70 %, to the physical network 30 %; destination ports
   * drawn mostly from those the demo rule sets name), 25 % come from a random client on a random
   * host's uplink to a random load balancer's VIP.
   */
  public static List<Probe> packetIns(Config config, int count, long seed) {
    Random random = new Random(seed);
    MacAddress gateway = config.controller().gatewayMac();
    List<Probe> probes = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      if (!config.loadBalancers().isEmpty() && random.nextInt(4) == 0) {
        LoadBalancer lb = config.loadBalancers().get(random.nextInt(config.loadBalancers().size()));
        Host host = config.hosts().get(random.nextInt(config.hosts().size()));
        Ipv4 client = Ipv4.of(198, 51, 100, 1 + random.nextInt(254));
        PacketHeaders p = new PacketHeaders(host.nextHopMac().orElse(gateway), gateway, lb.proto().number(),
            client, lb.vip(), lb.proto().hasPorts() ? 1024 + random.nextInt(64512) : 8, lb.port(), 0);
        probes.add(new Probe(new Ingress.Uplink(host.name()), p));
        continue;
      }
      Vm sender = config.vms().get(random.nextInt(config.vms().size()));
      Ipv4 dst = random.nextInt(10) < 7 ? peerAddress(config, sender, random)
          : Ipv4.of(198, 51, 100, 1 + random.nextInt(254));
      int dport = random.nextInt(4) == 0 ? 1 + random.nextInt(65535) : DEMO_PORTS[random.nextInt(DEMO_PORTS.length)];
      probes.add(new Probe(new Ingress.VmPort(sender.host(), sender.name()),
          packet(random, sender.mac(), gateway, sender.ip(), dst, dport)));
    }
    return List.copyOf(probes);
  }

  /** The address of another VM of {@code sender}'s VNET, or its gateway when the sender is alone there. */
  private static Ipv4 peerAddress(Config config, Vm sender, Random random) {
    List<Vm> peers = config.vms().stream().filter(v -> v.vnet().equals(sender.vnet()) && !v.equals(sender)).toList();
    if (peers.isEmpty()) {
      return config.vnet(sender.vnet()).orElseThrow().gateway();
    }
    return peers.get(random.nextInt(peers.size())).ip();
  }

  /** TCP 50 %, UDP 30 %, ICMP 20 % (echo request half the time, else a random type, code 0). */
  private static PacketHeaders packet(Random random, MacAddress src, MacAddress dst, Ipv4 from, Ipv4 to, int dport) {
    int p = random.nextInt(10);
    if (p < 8) {
      int proto = p < 5 ? Protocol.IPPROTO_TCP : Protocol.IPPROTO_UDP;
      return new PacketHeaders(src, dst, proto, from, to, 1024 + random.nextInt(64512), dport, 0);
    }
    int type = random.nextBoolean() ? 8 : random.nextInt(20);
    return new PacketHeaders(src, dst, Protocol.IPPROTO_ICMP, from, to, type, 0, 0);
  }
}
