package org.nicflow.controller.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.flow.Cookie;
import org.nicflow.compiler.flow.FlowKind;
import org.nicflow.compiler.model.Config;
import org.nicflow.controller.openflow.translate.FlowCounters;
import org.nicflow.controller.openflow.translate.UnsignedCount;

class RuleStatisticsTest {

  private Config config;
  private long pgIn;

  @BeforeEach
  void setUp() throws Exception {
    config = new ConfigLoader().load(Path.of("../examples/demo.yaml"));
    pgIn = cookieOf("db1", "acl", "pg-in");
  }

  @Test
  void removedCountersAboveLongMaxFoldUnsigned() {
    RuleStatistics statistics = new RuleStatistics();

    statistics.fold(config, new FlowCounters(pgIn, new UnsignedCount(Long.MIN_VALUE), UnsignedCount.of(7), 1));
    statistics.fold(config, new FlowCounters(pgIn, UnsignedCount.of(1), UnsignedCount.of(7), 1));

    RuleStatistics.Counts counts = statistics.forVm("db1").get(new RuleStatistics.RuleKey("db1", "acl", "pg-in"));
    assertThat(counts.packets()).hasToString("9223372036854775809");
    assertThat(counts.bytes()).isEqualTo(UnsignedCount.of(14));
    assertThat(counts.flows()).isEqualTo(2);
  }

  @Test
  void aRulesTotalStopsAtTheLargestCountInsteadOfWrapping() {
    RuleStatistics statistics = new RuleStatistics();

    statistics.fold(config, new FlowCounters(pgIn, UnsignedCount.MAX, new UnsignedCount(-3L), 1));
    statistics.fold(config, new FlowCounters(pgIn, UnsignedCount.of(5), UnsignedCount.of(5), 1));
    statistics.fold(config, new FlowCounters(pgIn, UnsignedCount.of(5), UnsignedCount.of(5), 1));

    Map<RuleStatistics.RuleKey, RuleStatistics.Counts> db1 = statistics.forVm("db1");
    RuleStatistics.Counts counts = db1.get(new RuleStatistics.RuleKey("db1", "acl", "pg-in"));
    assertThat(counts.packets()).isEqualTo(UnsignedCount.MAX);
    assertThat(counts.bytes()).isEqualTo(UnsignedCount.MAX);
    assertThat(counts.flows()).isEqualTo(3);
  }

  private long cookieOf(String vm, String layer, String rule) {
    String ruleset = config.vm(vm).orElseThrow().ruleset();
    return new Cookie(FlowKind.UNIFIED, config.ids().ruleset(ruleset).generation(), config.vmIndex(vm),
        config.ids().layer(ruleset, layer), config.ids().rule(ruleset, layer, rule)).encode();
  }
}
