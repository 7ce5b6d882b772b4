package org.nicflow.it;

import org.nicflow.compiler.model.OffloadMode;

/** Echo sessions behind one SNAT address, rule sets compiled into the bridge's tables. */
class ProactiveSnatEchoIT extends SnatEchoScenario {
  @Override
  OffloadMode mode() {
    return OffloadMode.PROACTIVE;
  }
}
