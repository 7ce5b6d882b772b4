package org.nicflow.controller.policy;

import java.util.Objects;
import org.nicflow.compiler.eval.ReferenceEvaluator;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.proactive.HostPipelineCompiler;
import org.nicflow.compiler.unified.UnifiedFlowBuilder;
import org.nicflow.controller.partition.MissHandler;

/**
 * Everything derived from one revision of the policy, built once and never changed: the config
 * with its stable numbers, the reference evaluator, the proactive compiler, the unified-flow
 * builder and the miss handler over them. Long-lived objects hold a supplier of the current
 * snapshot, never a config of their own; a new revision is a new snapshot swapped in whole.
 *
 * @param revision the store revision it was built from (0: a config that was never stored, as in
 *     tests and one-shot commands)
 */
public record PolicySnapshot(
    long revision,
    Config config,
    ReferenceEvaluator evaluator,
    HostPipelineCompiler compiler,
    UnifiedFlowBuilder flows,
    MissHandler missHandler) {

  public PolicySnapshot {
    if (revision < 0) {
      throw new IllegalArgumentException("revision " + revision + " is negative");
    }
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(evaluator, "evaluator");
    Objects.requireNonNull(compiler, "compiler");
    Objects.requireNonNull(flows, "flows");
    Objects.requireNonNull(missHandler, "missHandler");
  }

  /** Builds every part of revision {@code revision} from {@code config}. */
  public static PolicySnapshot of(long revision, Config config) {
    ReferenceEvaluator evaluator = new ReferenceEvaluator(config);
    UnifiedFlowBuilder flows = new UnifiedFlowBuilder(config, evaluator);
    return new PolicySnapshot(revision, config, evaluator, new HostPipelineCompiler(config), flows,
        new MissHandler(config, evaluator, flows));
  }
}
