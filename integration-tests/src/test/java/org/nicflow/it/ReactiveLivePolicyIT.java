package org.nicflow.it;

import org.nicflow.compiler.model.OffloadMode;

/** Live policy changes with the controller in reactive mode. */
class ReactiveLivePolicyIT extends LivePolicyScenario {
  @Override
  OffloadMode mode() {
    return OffloadMode.REACTIVE;
  }
}
