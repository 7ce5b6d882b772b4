package org.nicflow.bench;

import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.nicflow.compiler.config.LargeConfigGenerator;
import org.nicflow.compiler.eval.ConnectionLookup;
import org.nicflow.compiler.eval.Decision;
import org.nicflow.compiler.eval.Ingress;
import org.nicflow.compiler.eval.ReferenceEvaluator;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.packet.PacketHeaders;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The slow path's cost per packet: one evaluation of a random packet leaving a random VM, for rule
 * sets totalling 100 to 100,000 rules. An indexed classifier keeps the cost nearly flat as rules
 * grow; a linear scan would grow with them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EvaluatorBenchmark {

  private static final int PACKETS = 4096;

  @Param({"100", "1000", "10000", "100000"})
  public int rules;

  private ReferenceEvaluator evaluator;
  private Ingress[] ingress;
  private PacketHeaders[] packets;
  private int next;

  @Setup
  public void setUp() {
    Config config = LargeConfigGenerator.generate(rules, 42L);
    evaluator = new ReferenceEvaluator(config);
    Random random = new Random(7L);
    ingress = new Ingress[PACKETS];
    packets = new PacketHeaders[PACKETS];
    List<Vm> vms = config.vms();
    for (int i = 0; i < PACKETS; i++) {
      Vm from = vms.get(random.nextInt(vms.size()));
      Vm to = vms.get(random.nextInt(vms.size()));
      Ipv4 dst = random.nextInt(4) == 0 ? new Ipv4(random.nextInt()) : to.ip();
      int proto = switch (random.nextInt(3)) {
        case 0 -> Protocol.IPPROTO_TCP;
        case 1 -> Protocol.IPPROTO_UDP;
        default -> Protocol.IPPROTO_ICMP;
      };
      int sport = proto == Protocol.IPPROTO_ICMP ? 8 : 1024 + random.nextInt(60000);
      int dport = proto == Protocol.IPPROTO_ICMP ? 0 : random.nextInt(65536);
      ingress[i] = new Ingress.VmPort(config.hostOf(from).name(), from.name());
      packets[i] = new PacketHeaders(from.mac(), MacAddress.DEFAULT_GATEWAY, proto, from.ip(), dst, sport, dport, 0);
    }
  }

  @Benchmark
  public Decision evaluate() {
    int i = next++ & (PACKETS - 1);
    return evaluator.evaluate(ingress[i], packets[i], ConnectionLookup.NONE);
  }
}
