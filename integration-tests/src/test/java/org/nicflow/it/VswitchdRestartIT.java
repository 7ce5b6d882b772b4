package org.nicflow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.model.OffloadMode;

/**
 * {@code ovs-vswitchd} crashes (SIGABRT, as an assertion failure would) and its monitor starts it
 * again: the bridge comes back with no flows, reconnects, and the controller gives it its whole
 * desired state back; traffic passes again.
 */
class VswitchdRestartIT extends OneHostScenario {

  private static final Path PIDFILE = Path.of("/var/run/openvswitch/ovs-vswitchd.pid");

  @Override
  OffloadMode mode() {
    return OffloadMode.REACTIVE;
  }

  /** Our flows outside the connection table: table, priority, match, cookie and actions. */
  private java.util.Set<String> baseFlows() {
    return harness.dumpFlows(BRIDGE).stream().filter(f -> f.cookie().startsWith("0x4e"))
        .filter(f -> f.table() != org.nicflow.compiler.flow.Pipeline.number(org.nicflow.compiler.flow.Pipeline.UNIFIED)
            || f.priority() == 0)
        .map(f -> f.table() + " " + f.priority() + " " + f.match() + " " + f.cookie() + " " + f.actions())
        .collect(java.util.stream.Collectors.toSet());
  }

  @Test
  @Order(1)
  void aCrashedAndRestartedSwitchDaemonGetsItsWholeDesiredStateBack() throws Exception {
    assertThat(ping("va", VB)).as("before the crash").isTrue();
    java.util.Set<String> base = baseFlows();
    String pid = Files.readString(PIDFILE).strip();
    assertThat(pid).as("ovs-vswitchd's pid").matches("\\d+");

    // No core file: the daemon would write tens of MB into / for this deliberate crash.
    Process noCore = new ProcessBuilder("prlimit", "--pid", pid, "--core=0:0").redirectErrorStream(true).start();
    assertThat(noCore.waitFor()).as("prlimit --core=0 on ovs-vswitchd").isZero();
    Process kill = new ProcessBuilder("kill", "-ABRT", pid).redirectErrorStream(true).start();
    assertThat(kill.waitFor()).isZero();
    long crashed = System.nanoTime();
    await().atMost(SHORT).until(() -> !controller.partition().connectedHosts().contains(BRIDGE));
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
        .until(() -> controller.partition().connectedHosts().contains(BRIDGE));
    long backMs = (System.nanoTime() - crashed) / 1_000_000;

    assertThat(Files.readString(PIDFILE).strip()).as("a new ovs-vswitchd").isNotEqualTo(pid);
    assertThat(baseFlows()).as("our flows outside the connection table, cookies included, are back").isEqualTo(base);
    assertThat(ping("va", VB)).as("after the restart").isTrue();
    System.out.printf("[figures] ovs-vswitchd crash (SIGABRT) → restarted by its monitor, reconnected and given its"
        + " desired state in %d ms%n", backMs);
  }
}
