package org.nicflow.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nicflow.compiler.config.ConfigException;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.model.Config;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class NicflowCliTest {

  private static final String DEMO = Path.of("..", "examples", "demo.yaml").toString();

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(CommandLine cli, String... args) {
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  private int run(String... args) {
    return run(NicflowCli.commandLine(), args);
  }

  @Test
  void validateSummarisesAGoodConfig() {
    int code = run("validate", "-c", DEMO);

    assertThat(code).isEqualTo(NicflowCli.EXIT_OK);
    assertThat(out).hasToString("OK: 2 hosts, 2 vnets, 5 vms, 3 rulesets, 11 rules\n");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void validatePrintsEveryErrorOnItsOwnLineAndExitsTwo(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, Files.readString(Path.of(DEMO))
        .replace("vni: 5002", "vni: 5001")
        .replace("dst_port: 5000-5010", "dst_port: 5010-5000"));

    int code = run("validate", "--config", bad.toString());

    assertThat(code).isEqualTo(NicflowCli.EXIT_BAD_INPUT);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString().lines()).containsExactly(
        bad + ": rulesets[0].layers[0].rules[3].dst_port: port range 5010-5000 has lo > hi",
        bad + ": vnets[1].vni: duplicate VNI 5001 (first at vnets[0].vni)");
  }

  @Test
  void validateOfAMissingFileExitsTwo(@TempDir Path dir) {
    Path missing = dir.resolve("nope.yaml");

    assertThat(run("validate", "-c", missing.toString())).isEqualTo(NicflowCli.EXIT_BAD_INPUT);
    assertThat(err).hasToString(missing + ": no such file\n");
  }

  @Test
  void validateWithoutConfigIsAUsageError() {
    assertThat(run("validate")).isEqualTo(NicflowCli.EXIT_BAD_INPUT);
    assertThat(err.toString()).contains("Missing required option: '--config=FILE'")
        .contains("Try 'nicflow validate --help'");
  }

  @Test
  void unknownSubcommandIsAUsageError() {
    assertThat(run("valdate", "-c", DEMO)).isEqualTo(NicflowCli.EXIT_BAD_INPUT);
    assertThat(err.toString()).contains("Unmatched argument").contains("validate");
  }

  @Test
  void noSubcommandIsAUsageError() {
    assertThat(run()).isEqualTo(NicflowCli.EXIT_BAD_INPUT);
    assertThat(err.toString()).contains("Missing subcommand");
  }

  @Test
  void printsVersionAndHelp() {
    assertThat(run("--version")).isEqualTo(NicflowCli.EXIT_OK);
    assertThat(out.toString()).startsWith("nicflow ");
    assertThat(run("--help")).isEqualTo(NicflowCli.EXIT_OK);
    assertThat(out.toString()).contains("validate", "host-setup", "generate-large");
  }

  @Test
  void subcommandsInheritHelpAndVersion() {
    assertThat(run("validate", "--help")).isEqualTo(NicflowCli.EXIT_OK);
    assertThat(out.toString()).contains("Usage: nicflow validate").contains("-c, --config=FILE");
    assertThat(run("host-setup", "-V")).isEqualTo(NicflowCli.EXIT_OK);
    assertThat(out.toString()).contains("nicflow ");
  }

  @Test
  void hostSetupPrintsTheBridgeCommands() {
    int code = run("host-setup", "host1", "-c", DEMO);

    assertThat(code).isEqualTo(NicflowCli.EXIT_OK);
    assertThat(out.toString().lines()).containsExactly(
        "# nicflow bridge for host host1 (dpid 0000000000000001)",
        "ovs-vsctl --may-exist add-br host1 -- set bridge host1 datapath_type=netdev fail_mode=secure"
            + " protocols=OpenFlow13,OpenFlow14,OpenFlow15 other-config:datapath-id=0000000000000001",
        "ovs-vsctl set-controller host1 tcp:127.0.0.1:6653",
        "ovs-vsctl --may-exist add-port host1 host1-up",
        "ovs-vsctl --may-exist add-port host1 p-web1",
        "ovs-vsctl --may-exist add-port host1 p-db1",
        "ovs-vsctl --may-exist add-port host1 p-red1",
        "ovs-vsctl --may-exist add-port host1 tun-host2 -- set interface tun-host2 type=vxlan"
            + " options:remote_ip=192.168.50.2 options:key=flow");
  }

  @Test
  void hostSetupTakesAnotherControllerAddress() {
    assertThat(run("host-setup", "host2", "-c", DEMO, "--controller", "10.0.0.5:6653")).isZero();
    assertThat(out.toString()).contains("ovs-vsctl set-controller host2 tcp:10.0.0.5:6653\n")
        .contains("add-port host2 tun-host1 -- set interface tun-host1 type=vxlan options:remote_ip=192.168.50.1");
  }

  @Test
  void hostSetupOfAnUnknownHostExitsTwo() {
    assertThat(run("host-setup", "host9", "-c", DEMO)).isEqualTo(NicflowCli.EXIT_BAD_INPUT);
    assertThat(err).hasToString("error: no host named 'host9' in " + DEMO + " (hosts: host1, host2)\n");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void generateLargePrintsAValidConfigWithTheRequestedRules() throws ConfigException {
    assertThat(run("generate-large", "--rules", "1234", "--seed", "9")).isZero();

    Config config = new ConfigLoader().parse(out.toString(), "stdout");
    assertThat(config.rulesets().stream().flatMap(rs -> rs.layers().stream()).mapToInt(l -> l.rules().size()).sum())
        .isEqualTo(1234);
  }

  @Test
  void generateLargeWritesTheOvnShapedAclsAsAConfigThatLoadsBackTheSame() throws ConfigException {
    assertThat(run("generate-large", "--ovn-acls", "300", "--seed", "3")).isZero();

    Config config = new ConfigLoader().parse(out.toString(), "stdout");
    Config generated = org.nicflow.compiler.config.LargeConfigGenerator.ovnAcls(300, 3);
    assertThat(config.rulesets()).isEqualTo(generated.rulesets());
    assertThat(config.vms()).isEqualTo(generated.vms());
  }

  @Test
  void generateLargeRejectsNegativeRuleCount() {
    assertThat(run("generate-large", "--rules", "-5")).isEqualTo(NicflowCli.EXIT_BAD_INPUT);
    assertThat(err.toString()).contains("--rules must be 0 or more");
  }

  @Command(name = "boom")
  static final class FailingCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Override
    public Integer call() throws Exception {
      config.load();
      throw new IllegalStateException("switch went away");
    }
  }

  @Test
  void runtimeFailureExitsOneWithTheMessageOnStderr() {
    CommandLine cli = NicflowCli.commandLine().addSubcommand(new FailingCommand());

    assertThat(run(cli, "boom", "-c", DEMO)).isEqualTo(NicflowCli.EXIT_FAILURE);
    assertThat(err).hasToString("error: switch went away\n");
  }

  @Test
  void configOptionTurnsConfigErrorsIntoExitTwoForAnySubcommand(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "hosts: []\nvnets: []\nvms: []\nrulesets: []\nbogus: 1\n");
    CommandLine cli = NicflowCli.commandLine().addSubcommand(new FailingCommand());

    assertThat(run(cli, "boom", "-c", bad.toString())).isEqualTo(NicflowCli.EXIT_BAD_INPUT);
    assertThat(err.toString()).startsWith(bad + ": bogus: unknown key 'bogus'");
  }
}
