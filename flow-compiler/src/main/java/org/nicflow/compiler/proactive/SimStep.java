package org.nicflow.compiler.proactive;

import java.util.Objects;

/** One flow a simulated packet matched: its table, priority and cookie. */
public record SimStep(String table, int priority, long cookie) {
  public SimStep {
    Objects.requireNonNull(table, "table");
  }

  @Override
  public String toString() {
    return table + "/" + priority + "/0x" + Long.toHexString(cookie);
  }
}
