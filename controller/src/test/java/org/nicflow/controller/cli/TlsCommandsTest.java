package org.nicflow.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.config.ConfigWriter;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.ControllerTls;
import org.nicflow.controller.api.ApiServer;
import org.nicflow.controller.api.DemoApi;
import org.nicflow.controller.policy.FakeLivePolicy;
import org.nicflow.controller.runtime.TransportSecurity;
import org.nicflow.controller.tls.ThrowawayPki;
import org.nicflow.controller.tls.TlsKeys;

/** {@code ssl:} targets on the command line: host-setup's OVS commands and run's listeners. */
class TlsCommandsTest {

  private static final Path DEMO = Path.of("..", "examples", "demo.yaml");

  @TempDir Path dir;
  private Config demo;

  @BeforeEach
  void load() throws Exception {
    demo = new ConfigLoader().load(DEMO);
  }

  private Config withTls(boolean openflow, Path key, Path certificate, Path ca) {
    return demo.withController(demo.controller().withTls(Optional.of(new ControllerTls(key.toString(),
        certificate.toString(), Optional.of(ca.toString()), openflow, false, ControllerTls.SwitchIdentity.ANY))));
  }

  private Path written(Config config) throws Exception {
    Path file = dir.resolve("tls.yaml");
    Files.writeString(file, ConfigWriter.toYaml(config));
    return file;
  }

  @Test
  void hostSetupPrintsSetSslAndAnSslTargetWhenTheConfigUsesSsl() throws Exception {
    Path config = written(withTls(true, Path.of("k.pem"), Path.of("c.pem"), Path.of("ca.pem")));

    CliRun run = CliRun.of("host-setup", "host1", "-c", config.toString());

    assertThat(run.code()).isZero();
    assertThat(run.out()).contains("ovs-vsctl set-ssl /etc/openvswitch/sc-privkey.pem /etc/openvswitch/sc-cert.pem "
        + "/var/lib/openvswitch/pki/controllerca/cacert.pem\novs-vsctl set-controller host1 ssl:127.0.0.1:6653\n");
  }

  @Test
  void hostSetupTakesTheSwitchFilesAndAnSslControllerOnTheCommandLine() {
    CliRun run = CliRun.of("host-setup", "host2", "-c", DEMO.toString(), "--controller", "ssl:10.0.0.5:6653",
        "--ssl-private-key", "/k", "--ssl-certificate", "/c", "--ssl-ca-certificate", "/ca");

    assertThat(run.code()).isZero();
    assertThat(run.out()).contains("ovs-vsctl set-ssl /k /c /ca\novs-vsctl set-controller host2 ssl:10.0.0.5:6653\n");
  }

  @Test
  void hostSetupOverTcpPrintsNoSetSsl() {
    CliRun run = CliRun.of("host-setup", "host1", "-c", DEMO.toString(), "--controller", "tcp:10.0.0.5:6653");

    assertThat(run.out()).contains("ovs-vsctl set-controller host1 tcp:10.0.0.5:6653\n").doesNotContain("set-ssl");
  }

  @Test
  void runTakesAnSslOpenflowAddressAndPlainOnesAsBefore() {
    var ssl = RunCommand.openflowListener(demo, Optional.of("ssl:0.0.0.0:6653"));
    var plain = RunCommand.openflowListener(demo, Optional.of("127.0.0.1:0"));
    var tcp = RunCommand.openflowListener(demo, Optional.of("tcp:127.0.0.1:7000"));

    assertThat(ssl.tls()).isTrue();
    assertThat(ssl.settings().host()).isEqualTo("0.0.0.0");
    assertThat(ssl.settings().port()).isEqualTo(6653);
    assertThat(plain.tls()).isFalse();
    assertThat(plain.settings().port()).isZero();
    assertThat(tcp.tls()).isFalse();
    assertThat(tcp.settings().port()).isEqualTo(7000);
    assertThatThrownBy(() -> RunCommand.openflowListener(demo, Optional.of("ssl:6653")))
        .isInstanceOf(BadInputException.class).hasMessageContaining("HOST:PORT");
  }

  @Test
  void runWithSslButNoTlsBlockIsRefusedWithAClearMessage() {
    assertThatThrownBy(() -> RunCommand.security(demo, true, true))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("--openflow ssl: needs a controller.tls block");
    assertThat(RunCommand.security(demo, false, true)).isEqualTo(TransportSecurity.NONE);
  }

  @Test
  void runLoadsTheTlsFilesOrNamesTheOneThatIsMissing() throws Exception {
    ThrowawayPki ca = ThrowawayPki.create("switch-ca");
    var files = ca.issue("controller").written(dir, "ctl");
    Path caFile = ca.writeCertificate(dir, "cacert.pem");
    Path missing = dir.resolve("missing.pem");

    TransportSecurity loaded = RunCommand.security(withTls(true, files.privateKey(), files.certificate(), caFile),
        true, true);

    assertThat(loaded.openflow()).isPresent();
    assertThat(loaded.api()).isEmpty();
    assertThatThrownBy(() -> RunCommand.security(withTls(true, files.privateKey(), files.certificate(), missing),
        true, true))
        .isInstanceOf(BadInputException.class)
        .hasMessage("controller.tls: " + missing + ": no such file");
  }

  @Test
  void apiCommandsTalkHttpsTrustingTheGivenCa() throws Exception {
    ThrowawayPki ca = ThrowawayPki.create("api-ca");
    var controller = ca.issue("controller");
    TlsKeys keys = new TlsKeys(controller.key(), List.of(controller.certificate()), List.of());
    ApiServer api = ApiServer.start("127.0.0.1", 0, DemoApi.sources(new FakeLivePolicy(demo), Optional.empty()),
        Optional.of(keys.serverContext()));
    try {
      String address = "127.0.0.1:" + api.port();
      CliRun trusted = CliRun.of("get", "vms", "--api", address, "--ca-certificate",
          ca.writeCertificate(dir, "api-ca.pem").toString());
      CliRun plain = CliRun.of("get", "vms", "--api", address);

      assertThat(trusted.code()).as(trusted.err()).isZero();
      assertThat(trusted.out()).contains("web1");
      assertThat(plain.code()).isEqualTo(NicflowCli.EXIT_FAILURE);
    } finally {
      api.close();
    }
  }
}
