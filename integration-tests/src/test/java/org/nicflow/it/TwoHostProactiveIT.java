package org.nicflow.it;

import org.nicflow.compiler.model.OffloadMode;

/** The two-host scenario with the rule sets compiled into wildcard tables. */
class TwoHostProactiveIT extends TwoHostScenario {
  @Override
  OffloadMode mode() {
    return OffloadMode.PROACTIVE;
  }
}
