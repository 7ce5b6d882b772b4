package org.nicflow.compiler.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.model.DefaultAction;
import org.nicflow.compiler.model.Direction;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.Ipv4Prefix;
import org.nicflow.compiler.model.Layer;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.model.PortRange;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.model.Rule;
import org.nicflow.compiler.model.RuleAction;
import org.nicflow.compiler.packet.PacketHeaders;

/**
 * The indexed classifier agrees with a naive scan of every rule. Seeded; replay a failure with
 * {@code -Dnicflow.classifier.seed=SEED}.
 */
class LayerClassifierTest {

  private static final int RULES = 2_000;
  private static final int PACKETS = 3_000;
  private static final int ROUNDS = 2;

  @Test
  void indexedClassifierAgreesWithLinearScanOnRandomRulesAndPackets() {
    String fixed = System.getProperty("nicflow.classifier.seed");
    long base = fixed != null ? Long.parseLong(fixed) : new Random().nextLong();
    int rounds = fixed != null ? 1 : ROUNDS;
    for (int round = 0; round < rounds; round++) {
      long seed = base + round;
      try {
        checkSeed(seed);
      } catch (AssertionError e) {
        throw new AssertionError("classifier disagrees with the linear scan; replay with -Dnicflow.classifier.seed="
            + seed + "\n" + e.getMessage(), e);
      }
    }
  }

  @Test
  void smallLayerPicksPriorityThenFirstListedAndFiltersDirection() {
    List<Rule> rules = List.of(
        rule("a", 10, Direction.IN, Protocol.ANY, Ipv4Prefix.ANY, Ipv4Prefix.ANY, PortRange.ANY),
        rule("b", 20, Direction.OUT, Protocol.TCP, Ipv4Prefix.ANY, Ipv4Prefix.parse("10.0.0.0/8"),
            PortRange.parse("80-90")),
        rule("c", 20, Direction.BOTH, Protocol.TCP, Ipv4Prefix.ANY, Ipv4Prefix.ANY, PortRange.parse("85")),
        rule("d", 5, Direction.BOTH, Protocol.ANY, Ipv4Prefix.ANY, Ipv4Prefix.ANY, PortRange.ANY));
    Layer layer = new Layer("l", DefaultAction.DENY, rules);
    LayerClassifier out = LayerClassifier.of(layer, Direction.OUT);
    LayerClassifier in = LayerClassifier.of(layer, Direction.IN);

    assertThat(out.classify(tcp("1.1.1.1", "10.1.1.1", 85))).hasValue(1);
    assertThat(in.classify(tcp("1.1.1.1", "10.1.1.1", 85))).hasValue(2);
    assertThat(out.classify(tcp("1.1.1.1", "11.1.1.1", 85))).hasValue(2);
    assertThat(out.classify(tcp("1.1.1.1", "11.1.1.1", 86))).hasValue(3);
    assertThat(in.classify(tcp("1.1.1.1", "11.1.1.1", 86))).hasValue(0);
    assertThat(LayerClassifier.of(new Layer("e", DefaultAction.ALLOW, List.of()), Direction.IN)
        .classify(tcp("1.1.1.1", "1.1.1.1", 1))).isEmpty();
  }

  private static void checkSeed(long seed) {
    Random random = new Random(seed);
    List<Ipv4Prefix> pool = prefixPool(random);
    List<Rule> rules = new ArrayList<>();
    for (int i = 0; i < RULES; i++) {
      rules.add(randomRule(random, i, pool));
    }
    Layer layer = new Layer("random", DefaultAction.DENY, rules);
    for (Direction direction : List.of(Direction.IN, Direction.OUT)) {
      LayerClassifier classifier = LayerClassifier.of(layer, direction);
      for (int i = 0; i < PACKETS; i++) {
        PacketHeaders p = randomPacket(random, pool);
        OptionalInt expected = linearScan(rules, direction, p);
        assertThat(classifier.classify(p)).as("%s packet %s", direction, p).isEqualTo(expected);
      }
    }
  }

  /** Every rule, one by one: the reference the index must agree with. */
  private static OptionalInt linearScan(List<Rule> rules, Direction direction, PacketHeaders p) {
    int best = -1;
    for (int i = 0; i < rules.size(); i++) {
      Rule r = rules.get(i);
      boolean dir = r.direction() == Direction.BOTH || r.direction() == direction;
      boolean proto = r.proto() == Protocol.ANY || r.proto().number() == p.ipProto();
      boolean addr = r.src().contains(p.nwSrc()) && r.dst().contains(p.nwDst());
      boolean ports = !(r.proto() == Protocol.TCP || r.proto() == Protocol.UDP)
          || (r.srcPort().contains(p.tpSrc()) && r.dstPort().contains(p.tpDst()));
      boolean icmp = r.icmpType().isEmpty() || r.icmpType().getAsInt() == p.tpSrc();
      if (dir && proto && addr && ports && icmp && (best < 0 || r.priority() > rules.get(best).priority())) {
        best = i;
      }
    }
    return best < 0 ? OptionalInt.empty() : OptionalInt.of(best);
  }

  private static List<Ipv4Prefix> prefixPool(Random random) {
    List<Ipv4Prefix> pool = new ArrayList<>();
    pool.add(Ipv4Prefix.ANY);
    int[] lengths = {8, 16, 24, 28, 32};
    for (int i = 0; i < 40; i++) {
      int len = lengths[random.nextInt(lengths.length)];
      int net = (10 << 24) | (random.nextInt(4) << 16) | (random.nextInt(4) << 8) | random.nextInt(16);
      pool.add(new Ipv4Prefix(new Ipv4(net & Ipv4Prefix.maskBits(len)), len));
    }
    return pool;
  }

  private static Rule randomRule(Random random, int i, List<Ipv4Prefix> pool) {
    Protocol proto = Protocol.values()[random.nextInt(Protocol.values().length)];
    Direction direction = Direction.values()[random.nextInt(3)];
    Ipv4Prefix src = random.nextInt(3) == 0 ? Ipv4Prefix.ANY : pool.get(random.nextInt(pool.size()));
    Ipv4Prefix dst = random.nextInt(3) == 0 ? Ipv4Prefix.ANY : pool.get(random.nextInt(pool.size()));
    PortRange sport = PortRange.ANY;
    PortRange dport = PortRange.ANY;
    OptionalInt icmpType = OptionalInt.empty();
    if (proto.hasPorts()) {
      dport = randomRange(random);
      if (random.nextInt(4) == 0) {
        sport = randomRange(random);
      }
    } else if (proto == Protocol.ICMP && random.nextBoolean()) {
      icmpType = OptionalInt.of(random.nextBoolean() ? 8 : random.nextInt(4));
    }
    return new Rule("r" + i, random.nextInt(20), direction, proto, src, dst, sport, dport, icmpType,
        RuleAction.ALLOW, Optional.empty(), OptionalInt.empty(), false);
  }

  private static PortRange randomRange(Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> PortRange.ANY;
      case 1 -> PortRange.single(random.nextInt(100));
      case 2 -> {
        int lo = random.nextInt(100);
        yield new PortRange(lo, lo + random.nextInt(50));
      }
      default -> new PortRange(random.nextInt(100), 65535);
    };
  }

  private static PacketHeaders randomPacket(Random random, List<Ipv4Prefix> pool) {
    int[] protos = {Protocol.IPPROTO_TCP, Protocol.IPPROTO_UDP, Protocol.IPPROTO_ICMP, 47};
    int proto = protos[random.nextInt(protos.length)];
    int sport = proto == 47 ? 0 : random.nextInt(proto == Protocol.IPPROTO_ICMP ? 10 : 150);
    int dport = proto == 47 ? 0 : random.nextInt(proto == Protocol.IPPROTO_ICMP ? 3 : 150);
    return new PacketHeaders(MacAddress.BROADCAST, MacAddress.BROADCAST, proto, address(random, pool),
        address(random, pool), sport, dport, 0);
  }

  /** Mostly addresses inside pool prefixes, so rules match often. */
  private static Ipv4 address(Random random, List<Ipv4Prefix> pool) {
    Ipv4Prefix p = pool.get(random.nextInt(pool.size()));
    if (p.isAny()) {
      return new Ipv4(random.nextInt());
    }
    int host = random.nextInt() & ~p.mask();
    return new Ipv4(p.network().bits() | host);
  }

  private static Rule rule(String id, int priority, Direction direction, Protocol proto, Ipv4Prefix src,
      Ipv4Prefix dst, PortRange dport) {
    return new Rule(id, priority, direction, proto, src, dst, PortRange.ANY, dport, OptionalInt.empty(),
        RuleAction.ALLOW, Optional.empty(), OptionalInt.empty(), false);
  }

  private static PacketHeaders tcp(String src, String dst, int dport) {
    return PacketHeaders.tcp(MacAddress.BROADCAST, MacAddress.BROADCAST, Ipv4.parse(src), Ipv4.parse(dst), 1000, dport);
  }
}
