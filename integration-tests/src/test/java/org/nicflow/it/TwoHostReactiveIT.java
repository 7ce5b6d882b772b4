package org.nicflow.it;

import org.nicflow.compiler.model.OffloadMode;

/** The two-host scenario with unified flows installed on misses (the default mode). */
class TwoHostReactiveIT extends TwoHostScenario {
  @Override
  OffloadMode mode() {
    return OffloadMode.REACTIVE;
  }
}
