package org.nicflow.it;

import org.nicflow.compiler.model.OffloadMode;

/** Echo sessions behind one SNAT address, unified flows installed on misses. */
class ReactiveSnatEchoIT extends SnatEchoScenario {
  @Override
  OffloadMode mode() {
    return OffloadMode.REACTIVE;
  }
}
