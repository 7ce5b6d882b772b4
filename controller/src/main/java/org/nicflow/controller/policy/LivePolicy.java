package org.nicflow.controller.policy;

import java.util.concurrent.CompletableFuture;
import org.nicflow.compiler.model.Config;

/**
 * The running controller's policy as the API and the command line see it: the snapshot in force,
 * a way to learn when a revision is enforced on the switches, and what a new config would change.
 */
public interface LivePolicy {

  /** The snapshot the controller enforces now. */
  PolicySnapshot current();

  /**
   * Completes when revision {@code revision} (or a later one) is in force and every connected
   * switch it affects has answered the barrier (or bundle commit) that fences its update.
   */
  CompletableFuture<Void> enforced(long revision);

  /** What applying {@code next} would do to each connected switch, without doing it. */
  UpdatePlan plan(Config next);
}
