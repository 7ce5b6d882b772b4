package org.nicflow.it;

import org.nicflow.compiler.model.OffloadMode;

/** Live policy changes with the controller in proactive mode. */
class ProactiveLivePolicyIT extends LivePolicyScenario {
  @Override
  OffloadMode mode() {
    return OffloadMode.PROACTIVE;
  }
}
