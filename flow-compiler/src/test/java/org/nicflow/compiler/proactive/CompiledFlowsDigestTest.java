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
 * they produce. A deliberate change of output updates the digests here (the SYN twins and the
 * learn-state tables did: their digests were taken on the code before the speed work, with them).
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
        "h0=2032d2756521d5d9/39694 base=0dd1f6678d997c29/9 h1=6b582b0452931ff7/39694 base=3cdf8cd9fc3cb874/9");
    assertThat(proactiveDigest(LargeConfigGenerator.ovnAcls(400, 9))).isEqualTo(
        "h0=9b57f3223a8e63a7/3035 base=0dd1f6678d997c29/9 h1=8baea07224e7c143/3035 base=3cdf8cd9fc3cb874/9");
  }

  @Test
  void largeConfigsCompileToTheSameFlowsAsBefore() {
    assertThat(proactiveDigest(LargeConfigGenerator.generate(10_000, 1))).isEqualTo(
        "h0=1369034f5271bba4/98240 base=aa19dc0ae7635603/67 h1=f0f70b5ab3acf92a/95834 base=4b3501f1cf996ea2/67 "
        + "h2=16b9f5dd2eeadabf/96821 base=f8984181a6dd31ee/67 h3=e8d96002748533e9/99613 base=a94e156acc95792b/67");
    assertThat(proactiveDigest(LargeConfigGenerator.generate(1_500, 4))).isEqualTo(
        "h0=438c98dddb0cde6d/83202 base=8bd0fa55d2b69775/67 h1=18d34bb05a612761/83201 base=7ce088e20b546887/67 "
        + "h2=5c739222c9a97993/83202 base=ca616a8f93268bc7/67 h3=e67a365e08ecdcb2/83202 base=a94e156acc95792b/67");
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
    // Re-taken for config 0 when requests of SNAT echo sessions got the controller path: that flag is the
    // only change (with ", controllerPath=true" left out as well, the digest was still 8edff7b3484dfa4a).
    List<String> expected = List.of("afbf864ecfc6ad34/3000", "dd162ebac971dd51/3000");
    for (int c = 0; c < configs.size(); c++) {
      Config config = configs.get(c);
      ReferenceEvaluator evaluator = new ReferenceEvaluator(config);
      RandomTraffic traffic = new RandomTraffic(config);
      Random random = new Random(11);
      List<String> decisions = new ArrayList<>();
      for (int i = 0; i < 3000; i++) {
        RandomTraffic.Probe probe = traffic.next(random);
        // The components added for ICMP echo sessions (identifier 0, no controller path: these
        // probes carry no echo identifier) are left out, so the digest is still the one taken before.
        decisions.add((probe + " -> " + evaluator.evaluate(probe.ingress(), probe.packet(), ConnectionLookup.NONE))
            .replace(", icmpId=0", "").replace(", queryId=0", "").replace(", controllerPath=false", ""));
      }
      assertThat(digest(decisions)).isEqualTo(expected.get(c));
    }
  }
}
