package org.nicflow.compiler.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Direction;
import org.nicflow.compiler.model.Layer;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.model.Rule;
import org.nicflow.compiler.model.RuleAction;

class LargeConfigGeneratorTest {

  private final ConfigLoader loader = new ConfigLoader();

  static int ruleCount(Config config) {
    return config.rulesets().stream().flatMap(rs -> rs.layers().stream()).mapToInt(l -> l.rules().size()).sum();
  }

  static List<Rule> rules(Config config) {
    return config.rulesets().stream().flatMap(rs -> rs.layers().stream()).flatMap(l -> l.rules().stream()).toList();
  }

  @Test
  void generatesExactlyTheRequestedNumberOfRules() {
    for (int n : new int[] {0, 1, 7, 499, 501, 10_000}) {
      assertThat(ruleCount(LargeConfigGenerator.generate(n, 3))).as("rules=" + n).isEqualTo(n);
    }
  }

  @Test
  void sameSeedGivesTheSameConfigAndAnotherSeedAnother() {
    assertThat(LargeConfigGenerator.generate(2000, 42)).isEqualTo(LargeConfigGenerator.generate(2000, 42));
    assertThat(LargeConfigGenerator.generate(2000, 42)).isNotEqualTo(LargeConfigGenerator.generate(2000, 43));
  }

  @Test
  void generatedConfigsPassValidationAndRoundTrip() {
    long seed = new Random().nextLong();
    for (int i = 0; i < 5; i++) {
      long s = seed + i;
      Config config = LargeConfigGenerator.generate(1500, s);
      try {
        assertThat(loader.parse(ConfigWriter.toYaml(config), "generated.yaml")).as("seed " + s).isEqualTo(config);
      } catch (ConfigException e) {
        throw new AssertionError("seed " + s + ": " + e.getMessage(), e);
      }
    }
  }

  @Test
  void hasSeveralHostsVnetsVmsAndLayeredRuleSetsWithRangesAndPrefixes() {
    Config config = LargeConfigGenerator.generate(10_000, 7);

    assertThat(config.hosts()).hasSizeGreaterThan(1);
    assertThat(config.vnets()).hasSizeGreaterThan(1);
    assertThat(config.vms()).hasSizeGreaterThan(config.hosts().size());
    assertThat(config.rulesets()).hasSizeGreaterThan(1).allSatisfy(rs -> assertThat(rs.layers()).hasSizeBetween(1, 4));
    assertThat(config.rulesets().stream().map(rs -> rs.layers().size()).distinct().count()).isGreaterThan(1);
    List<Rule> rules = rules(config);
    assertThat(rules).anyMatch(r -> r.dstPort().lo() < r.dstPort().hi() && !r.dstPort().isAny());
    assertThat(rules).anyMatch(r -> r.src().length() > 0 && r.src().length() < 32);
    assertThat(rules).anyMatch(r -> r.proto() == Protocol.ICMP && r.icmpType().isPresent());
    assertThat(rules).anyMatch(r -> r.action() == RuleAction.SNAT);
    assertThat(rules).anyMatch(r -> r.action() == RuleAction.SET_DSCP);
    assertThat(rules).anyMatch(Rule::stateful);
    assertThat(config.rulesets()).flatMap(rs -> rs.layers()).extracting(Layer::name).isNotEmpty();
  }

  @Test
  void ovnAclsAreOnePortGroupOfAclsWithAddressSetsRangesAndStatefulAllows() {
    Config config = LargeConfigGenerator.ovnAcls(5000, 1);

    assertThat(config.rulesets()).hasSize(1);
    assertThat(config.vms()).allSatisfy(vm -> assertThat(vm.ruleset()).isEqualTo("pg0"));
    assertThat(config.vms()).extracting(vm -> vm.host()).containsExactly("h0", "h1");
    List<Rule> rules = rules(config);
    Map<String, List<Rule>> byAcl = rules.stream().collect(Collectors.groupingBy(r -> r.id().replaceAll("-\\d$", "")));
    assertThat(byAcl).hasSize(5000);
    assertThat(byAcl.values()).allSatisfy(acl -> {
      assertThat(acl.size()).isIn(1, 3);
      assertThat(acl.stream().map(r -> List.of(r.priority(), r.direction(), r.proto(), r.dstPort(), r.action(),
          r.stateful())).distinct()).hasSize(1);
    });
    assertThat(byAcl.values()).anyMatch(acl -> acl.size() == 3);
    assertThat(rules).allMatch(r -> r.direction() != Direction.BOTH && r.srcPort().isAny());
    assertThat(rules).allMatch(r -> r.direction() == Direction.IN ? r.dst().isAny() : r.src().isAny());
    assertThat(rules).anyMatch(r -> r.direction() == Direction.IN && r.src().length() == 24);
    assertThat(rules).anyMatch(r -> r.dstPort().lo() < r.dstPort().hi() && !r.dstPort().isAny());
    assertThat(rules).anyMatch(Rule::stateful).anyMatch(r -> r.action() == RuleAction.DENY)
        .anyMatch(r -> r.action() == RuleAction.ALLOW && !r.stateful());
  }

  @Test
  void ovnAclsAreReproducibleAndPassValidation() throws ConfigException {
    Config config = LargeConfigGenerator.ovnAcls(300, 5);

    assertThat(LargeConfigGenerator.ovnAcls(300, 5)).isEqualTo(config);
    assertThat(LargeConfigGenerator.ovnAcls(300, 6)).isNotEqualTo(config);
    assertThat(loader.parse(ConfigWriter.toYaml(config), "ovn.yaml")).isEqualTo(config);
  }
}
