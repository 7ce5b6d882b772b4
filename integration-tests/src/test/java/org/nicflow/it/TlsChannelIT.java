package org.nicflow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Host;
import org.nicflow.controller.cli.HostBridgeScript;
import org.nicflow.controller.openflow.OpenFlowSettings;
import org.nicflow.controller.policy.MemoryPolicyStore;
import org.nicflow.controller.runtime.NicflowController;
import org.nicflow.controller.runtime.TransportSecurity;

/**
 * A real Open vSwitch bridge connects over {@code ssl:} with keys {@code ovs-pki} makes at test
 * time, built with the commands {@code nicflow host-setup} prints ({@code set-ssl} included), and
 * gets its flows; the controller checks that the switch's certificate names its host. The bridge
 * is this JVM's own ({@code nftls<pid mod 1000>}); the bridge and OVS's SSL settings are removed
 * afterwards.
 */
@ExtendWith(RootOnly.class)
class TlsChannelIT {

  static final long PID = ProcessHandle.current().pid() % 1000;
  static final String BRIDGE = "nftls" + PID;

  @TempDir Path dir;
  private NicflowController controller;

  @AfterEach
  void cleanUp() throws Exception {
    try {
      run(dir, "ovs-vsctl", "--timeout=10", "--if-exists", "del-br", BRIDGE);
      run(dir, "ovs-vsctl", "--timeout=10", "del-ssl");
    } finally {
      if (controller != null) {
        controller.close();
      }
    }
  }

  @Test
  void aBridgeWithSetSslConnectsOverSslAndGetsItsFlows() throws Exception {
    Path pki = dir.resolve("pki");
    run(dir, "ovs-pki", "--dir=" + pki, "--log=" + dir.resolve("ovs-pki.log"), "init");
    run(dir, "ovs-pki", "--dir=" + pki, "--log=" + dir.resolve("ovs-pki.log"), "-u", "req+sign", "ctl", "controller");
    run(dir, "ovs-pki", "--dir=" + pki, "--log=" + dir.resolve("ovs-pki.log"), "-u", "req+sign", BRIDGE, "switch");
    Config config = new ConfigLoader().parse("""
        controller:
          openflow: "ssl:127.0.0.1:0"
          mode: proactive
          tls:
            private_key: %1$s/ctl-privkey.pem
            certificate: %1$s/ctl-cert.pem
            ca_certificate: %2$s/switchca/cacert.pem
            switch_identity: host_name
        hosts:
          - {name: %3$s, dpid: "00000000004e7%4$03d", uplink: %3$sup, underlay_ip: 192.168.61.1}
        vnets:
          - {name: blue, vni: 7101, prefix: 10.71.0.0/24, gateway: 10.71.0.1}
        vms:
          - {name: va, host: %3$s, port: %3$sva, mac: "02:00:00:00:71:0a", ip: 10.71.0.10, vnet: blue, ruleset: web}
        rulesets:
          - name: web
            layers:
              - name: acl
                default: deny
                rules:
                  - {id: http-in, priority: 100, direction: in, proto: tcp, dst_port: 8000, action: allow}
        """.formatted(dir, pki, BRIDGE, PID), "tls-it.yaml");
    controller = NicflowController.start(config, OpenFlowSettings.of("127.0.0.1", 0), Optional.empty(),
        new MemoryPolicyStore(), Optional.empty(), TransportSecurity.load(config.controller().tls().orElseThrow(),
            true));
    Host host = config.hosts().get(0);

    List<String> setup = HostBridgeScript.commands(config, host, "127.0.0.1:" + controller.openflowPort(),
        Optional.of(new HostBridgeScript.SwitchSsl(dir.resolve(BRIDGE + "-privkey.pem").toString(),
            dir.resolve(BRIDGE + "-cert.pem").toString(), pki.resolve("controllerca/cacert.pem").toString())));
    assertThat(setup).anyMatch(line -> line.startsWith("ovs-vsctl set-ssl "))
        .contains("ovs-vsctl set-controller " + BRIDGE + " ssl:127.0.0.1:" + controller.openflowPort());
    for (String line : setup) {
      if (!line.startsWith("#")) {
        run(dir, line.split(" "));
      }
    }
    for (String port : List.of(host.uplink(), BRIDGE + "va")) {
      run(dir, "ovs-vsctl", "--timeout=10", "set", "interface", port, "type=internal");
    }

    await().atMost(Duration.ofSeconds(60)).until(() -> controller.partition().connectedHosts().contains(BRIDGE));
    await().atMost(Duration.ofSeconds(30)).until(() -> ourFlows() > 0);
    assertThat(run(dir, "ovs-vsctl", "--timeout=10", "get", "controller", BRIDGE, "target"))
        .contains("ssl:127.0.0.1:" + controller.openflowPort());
    var stats = controller.server().stats().global();
    // tlsFailures may count an attempt OVS gave up on itself: it waits 1 s for the first
    // connection (TLS handshake included) and then tries again
    assertThat(stats.identityRefusals()).isZero();
    assertThat(controller.partition().errors()).as("OpenFlow errors from the switch").isEmpty();
    System.out.printf("[figures] bridge %s over ssl: %d nicflow flows installed, %d TLS attempts dropped%n",
        BRIDGE, ourFlows(), stats.tlsFailures());
  }

  private long ourFlows() throws IOException {
    return run(dir, "ovs-ofctl", "-O", "OpenFlow14", "dump-flows", BRIDGE).lines()
        .filter(line -> line.contains("cookie=0x4e")).count();
  }

  private static String run(Path dir, String... command) throws IOException {
    Process process;
    try {
      process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("timed out: " + List.of(command));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + List.of(command), e);
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      throw new IOException(Stream.of(command).toList() + " failed: " + output.strip());
    }
    return output;
  }
}
