package org.nicflow.it;

/** The same stateful connections decided by the controller ({@code controller.learn_state: false}). */
class ProactiveStatefulViaControllerIT extends LearnedStateScenario {
  @Override
  boolean learnState() {
    return false;
  }
}
