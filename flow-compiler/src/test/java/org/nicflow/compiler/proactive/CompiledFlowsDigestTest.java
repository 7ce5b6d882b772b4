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
 * learn-state tables did: their digests were taken on the code before the speed work, with them;
 * so did the miss budget: per-VM metered table-misses in reactive mode, the miss meter on the
 * flows that send a VM's own packets to the controller in proactive mode).
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
        "h0=7339c9225986816d/39694 base=94a7be433a4f7534/11 h1=9028f69e057a8936/39694 base=87ff0671d525f1eb/11");
    assertThat(proactiveDigest(LargeConfigGenerator.ovnAcls(400, 9))).isEqualTo(
        "h0=bb1212b28c96a14e/3035 base=94a7be433a4f7534/11 h1=56249989af89d0e6/3035 base=87ff0671d525f1eb/11");
  }

  @Test
  void largeConfigsCompileToTheSameFlowsAsBefore() {
    assertThat(proactiveDigest(LargeConfigGenerator.generate(10_000, 1))).isEqualTo(
        "h0=d02e81a60c99a850/98240 base=7336cf29926609bd/79 h1=e94ee9b887f4fa93/95834 base=abe5a8dd6ff3f749/79 "
        + "h2=87ced13ba0793809/96821 base=4a055f4355d71832/79 h3=a2bea787936f33c2/99613 base=82689b9e78457587/79");
    assertThat(proactiveDigest(LargeConfigGenerator.generate(1_500, 4))).isEqualTo(
        "h0=7460ad4cbca87966/83202 base=83bf2cce17471c3b/79 h1=0e173304569b7f9c/83201 base=dba29010e8682984/79 "
        + "h2=77b437c65ff0f75e/83202 base=327074c7fca5ce46/79 h3=4bcfd9f6140d261d/83202 base=82689b9e78457587/79");
  }

  @Test
  void diffBetweenTwoRuleSetsIsTheSameAsBefore() {
    Config before = LargeConfigGenerator.ovnAcls(5000, 1);
    Config after = LargeConfigGenerator.ovnAcls(5000, 2);
    FlowDiff diff = new FlowDiffer().diff(new HostPipelineCompiler(after).proactiveFlows("h0"),
        new HostPipelineCompiler(before).proactiveFlows("h0"));
    assertThat(digest(diff.add()) + " " + digest(diff.modify()) + " " + digest(diff.delete()))
        .isEqualTo("454b1027a1ab439e/38341 465c7466a90bea26/10 3ed4925ceb7c0288/39659");
  }

  @Test
  void evaluatorDecidesAsBefore() {
    List<Config> configs = List.of(LargeConfigGenerator.generate(10_000, 1), LargeConfigGenerator.ovnAcls(5000, 1));
    // Re-taken for config 0 when requests of SNAT echo sessions got the controller path: that flag is the
    // only change (with ", controllerPath=true" left out as well, the digest was still 8edff7b3484dfa4a).
    // Re-taken again when each VM got its share of a SNAT address's ports and identifiers: 101 of the
    // 3000 decisions differ, each only in SNAT-allocated ports and identifiers (was afbf864ecfc6ad34).
    List<String> expected = List.of("58f229e1ef616a67/3000", "dd162ebac971dd51/3000");
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
            .replace(", icmpId=0", "").replace(", queryId=0", "").replace(", controllerPath=false", "")
            .replace(", snatExhaustion=Optional.empty", ""));
      }
      assertThat(digest(decisions)).isEqualTo(expected.get(c));
    }
  }
}
