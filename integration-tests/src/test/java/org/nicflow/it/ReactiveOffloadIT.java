package org.nicflow.it;

import org.nicflow.compiler.model.OffloadMode;

/** The offload scenario with unified flows installed on misses (the default mode). */
class ReactiveOffloadIT extends OffloadScenario {
  @Override
  OffloadMode mode() {
    return OffloadMode.REACTIVE;
  }
}
