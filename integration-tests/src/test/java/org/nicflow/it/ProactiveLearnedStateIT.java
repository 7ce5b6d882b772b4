package org.nicflow.it;

/** Stateful connections learned in the switch ({@code controller.learn_state: true}). */
class ProactiveLearnedStateIT extends LearnedStateScenario {
  @Override
  boolean learnState() {
    return true;
  }
}
