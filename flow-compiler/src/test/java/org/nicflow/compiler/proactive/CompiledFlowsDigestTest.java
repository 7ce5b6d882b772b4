package org.nicflow.compiler.proactive;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.config.LargeConfigGenerator;
import org.nicflow.compiler.diff.FlowDiff;
import org.nicflow.compiler.diff.FlowDiffer;
import org.nicflow.compiler.eval.ConnectionLookup;
import org.nicflow.compiler.eval.ReferenceEvaluator;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Host;
import org.nicflow.compiler.testing.RandomTraffic;

/**
 * Pins the exact output of the compiler, the differ and the reference evaluator on generated
 * configs: every field and the order of every flow, diff and decision. The digests were computed
 * before the compile, diff and evaluator were made faster, so those changes could not alter what
 * they produce. A deliberate change of output updates the digests here.
 */
class CompiledFlowsDigestTest {

  private static String digest(List<?> items) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Object item : items) {
        sha.update(item.toString().getBytes(StandardCharsets.UTF_8));
        sha.update((byte) '\n');
      }
      return HexFormat.of().formatHex(sha.digest()).substring(0, 16) + "/" + items.size();
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static String proactiveDigest(Config config) {
    HostPipelineCompiler compiler = new HostPipelineCompiler(config);
    StringBuilder all = new StringBuilder();
    for (Host h : config.hosts()) {
      all.append(h.name()).append('=').append(digest(compiler.proactiveFlows(h.name()))).append(' ');
      all.append("base=").append(digest(compiler.baseFlows(h.name()))).append(' ');
    }
    return all.toString().trim();
  }

  @Test
  void ovnLikeAclsCompileToTheSameFlowsAsBefore() {
    assertThat(proactiveDigest(LargeConfigGenerator.ovnAcls(5000, 1))).isEqualTo(
        "h0=1b20d77b7d9a1d56/39691 base=87f942cba74bccfa/8 h1=db23048358bb3d02/39691 base=a94cb465245b59f3/8");
    assertThat(proactiveDigest(LargeConfigGenerator.ovnAcls(400, 9))).isEqualTo(
        "h0=c95ec5ae79280e76/3032 base=87f942cba74bccfa/8 h1=90f6d891e424cbaf/3032 base=a94cb465245b59f3/8");
  }

  @Test
  void largeConfigsCompileToTheSameFlowsAsBefore() {
    assertThat(proactiveDigest(LargeConfigGenerator.generate(10_000, 1))).isEqualTo(
        "h0=3d4bc10e68a5a9ae/98230 base=95399c7fadff01de/66 h1=cabebb09160379cd/95824 base=936ac8fe01b2c5e5/66 "
        + "h2=70cfd6411e54322d/96811 base=c6963c16e4e95fe9/66 h3=3b118d045dddfb6a/99603 base=0f1ce04aaa9d83a7/66");
    assertThat(proactiveDigest(LargeConfigGenerator.generate(1_500, 4))).isEqualTo(
        "h0=6adaa15b8b224f52/83192 base=47e3460fa8c67c58/66 h1=0fa6d130bcb95a03/83191 base=4f574080d9ff5f3a/66 "
        + "h2=25e628de5447410d/83192 base=0151e76ceb1ce000/66 h3=a84da08a658c1e2b/83192 base=0f1ce04aaa9d83a7/66");
  }

  @Test
  void diffBetweenTwoRuleSetsIsTheSameAsBefore() {
    Config before = LargeConfigGenerator.ovnAcls(5000, 1);
    Config after = LargeConfigGenerator.ovnAcls(5000, 2);
    FlowDiff diff = new FlowDiffer().diff(new HostPipelineCompiler(after).proactiveFlows("h0"),
        new HostPipelineCompiler(before).proactiveFlows("h0"));
    assertThat(digest(diff.add()) + " " + digest(diff.modify()) + " " + digest(diff.delete()))
        .isEqualTo("c04eee85730fca64/38341 42a75bab51291324/10 dafcc2fe3681f1e9/39659");
  }

  @Test
  void evaluatorDecidesAsBefore() {
    List<Config> configs = List.of(LargeConfigGenerator.generate(10_000, 1), LargeConfigGenerator.ovnAcls(5000, 1));
    List<String> expected = List.of("8edff7b3484dfa4a/3000", "dd162ebac971dd51/3000");
    for (int c = 0; c < configs.size(); c++) {
      Config config = configs.get(c);
      ReferenceEvaluator evaluator = new ReferenceEvaluator(config);
      RandomTraffic traffic = new RandomTraffic(config);
      Random random = new Random(11);
      List<String> decisions = new ArrayList<>();
      for (int i = 0; i < 3000; i++) {
        RandomTraffic.Probe probe = traffic.next(random);
        decisions.add(probe + " -> " + evaluator.evaluate(probe.ingress(), probe.packet(), ConnectionLookup.NONE));
      }
      assertThat(digest(decisions)).isEqualTo(expected.get(c));
    }
  }
}
