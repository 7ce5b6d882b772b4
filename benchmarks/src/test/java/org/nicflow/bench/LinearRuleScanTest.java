package org.nicflow.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.config.LargeConfigGenerator;
import org.nicflow.compiler.eval.Ingress;
import org.nicflow.compiler.eval.LayerClassifier;
import org.nicflow.compiler.model.Config;
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

class LinearRuleScanTest {

  private static final MacAddress MAC = MacAddress.DEFAULT_GATEWAY;

  @Test
  void highestPriorityWinsThenFirstListed() {
    Rule low = Rule.any("low", 10, RuleAction.ALLOW);
    Rule highFirst = Rule.any("high-first", 50, RuleAction.DENY);
    Rule highSecond = Rule.any("high-second", 50, RuleAction.ALLOW);
    Layer layer = new Layer("acl", DefaultAction.DENY, List.of(low, highFirst, highSecond));
    PacketHeaders packet = PacketHeaders.tcp(MAC, MAC, Ipv4.parse("10.0.0.1"), Ipv4.parse("10.0.0.2"), 4000, 80);

    assertThat(LinearRuleScan.winner(layer, Direction.OUT, packet)).isEqualTo(1);
  }

  @Test
  void skipsRulesOfTheOtherDirectionAndNonMatchingPorts() {
    Rule inbound = new Rule("in", 90, Direction.IN, Protocol.TCP, Ipv4Prefix.ANY, Ipv4Prefix.ANY, PortRange.ANY,
        PortRange.ANY, OptionalInt.empty(), RuleAction.ALLOW, Optional.empty(),
        OptionalInt.empty(), false);
    Rule ssh = new Rule("ssh", 80, Direction.BOTH, Protocol.TCP, Ipv4Prefix.ANY, Ipv4Prefix.ANY, PortRange.ANY,
        PortRange.single(22), OptionalInt.empty(), RuleAction.ALLOW, Optional.empty(),
        OptionalInt.empty(), false);
    Layer layer = new Layer("acl", DefaultAction.DENY, List.of(inbound, ssh));
    PacketHeaders packet = PacketHeaders.tcp(MAC, MAC, Ipv4.parse("10.0.0.1"), Ipv4.parse("10.0.0.2"), 4000, 80);

    assertThat(LinearRuleScan.winner(layer, Direction.OUT, packet)).isEqualTo(-1);
  }

  @Test
  void agreesWithTheIndexedClassifierOnGeneratedTraffic() {
    long seed = new Random().nextLong();
    Config config = LargeConfigGenerator.generate(3_000, seed);
    List<Probe> probes = TrafficGenerator.leavingVms(config, 2_000, seed);
    Map<Layer, Map<Direction, LayerClassifier>> classifiers = new HashMap<>();
    for (Probe probe : probes) {
      String vm = ((Ingress.VmPort) probe.ingress()).vm();
      for (Layer layer : config.rulesetOf(config.vm(vm).orElseThrow()).layers()) {
        for (Direction direction : List.of(Direction.OUT, Direction.IN)) {
          LayerClassifier classifier = classifiers.computeIfAbsent(layer, k -> new HashMap<>())
              .computeIfAbsent(direction, d -> LayerClassifier.of(layer, d));
          int indexed = classifier.classify(probe.packet()).orElse(-1);
          assertThat(LinearRuleScan.winner(layer, direction, probe.packet()))
              .as("seed %d, %s, layer %s, %s", seed, probe, layer.name(), direction)
              .isEqualTo(indexed);
        }
      }
    }
  }
}
