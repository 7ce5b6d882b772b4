package org.nicflow.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class only as root: Mininet and Open vSwitch need it. Otherwise the class is
 * skipped with a banner on stderr, so a green build without root never looks like a tested one.
 */
public final class RootOnly implements ExecutionCondition {

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    long uid = effectiveUid();
    if (uid == 0) {
      return ConditionEvaluationResult.enabled("running as root");
    }
    String what = context.getRequiredTestClass().getSimpleName();
    String reason = "SKIPPED " + what + ": Mininet/Open vSwitch integration tests need root (uid "
        + uid + "). Run: sudo scripts/test.sh";
    String bar = "!".repeat(reason.length() + 8);
    System.err.printf("%n%s%n!!! %s !!!%n%s%n%n", bar, reason, bar);
    return ConditionEvaluationResult.disabled(reason);
  }

  /** The effective uid from /proc/self/status, or -1 where that cannot be read. */
  static long effectiveUid() {
    try {
      List<String> status = Files.readAllLines(Path.of("/proc/self/status"));
      return status.stream()
          .filter(line -> line.startsWith("Uid:"))
          .map(line -> line.split("\\s+")[2])
          .mapToLong(Long::parseLong)
          .findFirst()
          .orElse(-1);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
