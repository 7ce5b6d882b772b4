package org.nicflow.it;

import org.nicflow.compiler.model.OffloadMode;

/** The offload scenario with the rule sets compiled into the switch's tables up front. */
class ProactiveOffloadIT extends OffloadScenario {
  @Override
  OffloadMode mode() {
    return OffloadMode.PROACTIVE;
  }
}
