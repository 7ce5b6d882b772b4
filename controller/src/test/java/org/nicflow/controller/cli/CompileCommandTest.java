package org.nicflow.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.proactive.HostPipelineCompiler;

class CompileCommandTest {

  private static final String DEMO = Path.of("..", "examples", "demo.yaml").toString();

  private StringWriter out = new StringWriter();
  private StringWriter err = new StringWriter();

  private int run(String... args) {
    out = new StringWriter();
    err = new StringWriter();
    var cli = NicflowCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  private static List<String> flowLines(String text) {
    return text.lines().filter(l -> !l.startsWith("#")).toList();
  }

  @Test
  void printsEveryProactiveFlowOfTheHostWithoutMeters() throws Exception {
    int code = run("compile", "-c", DEMO, "--host", "host1");

    Config config = new ConfigLoader().load(Path.of(DEMO));
    assertThat(code).isEqualTo(NicflowCli.EXIT_OK);
    assertThat(err.toString()).isEmpty();
    assertThat(out.toString()).startsWith("# nicflow proactive flows for host host1 (dpid 0000000000000001)");
    assertThat(flowLines(out.toString()))
        .hasSize(new HostPipelineCompiler(config).proactiveFlows("host1").size())
        .allSatisfy(l -> assertThat(l).startsWith("table=").contains(",actions=").doesNotContain("meter:"))
        .anySatisfy(l -> assertThat(l).startsWith("table=10,").contains("metadata=0x1/0xffff"));
  }

  @Test
  void printsTheSameBytesEveryTime() {
    run("compile", "-c", DEMO, "--host", "host2");
    String first = out.toString();

    run("compile", "-c", DEMO, "--host", "host2");

    assertThat(out.toString()).isEqualTo(first).isNotEmpty();
  }

  @Test
  void reactiveModePrintsTheBaseFlowsEndingInAControllerMiss() {
    int code = run("compile", "-c", DEMO, "--host", "host1", "--mode", "reactive");

    assertThat(code).isEqualTo(NicflowCli.EXIT_OK);
    assertThat(out.toString()).startsWith("# nicflow reactive flows for host host1");
    assertThat(flowLines(out.toString())).last().asString()
        .startsWith("table=1,priority=0,").endsWith(",actions=controller");
    assertThat(out.toString()).doesNotContain("table=10,");
  }

  @Test
  void metersFileHoldsTheAddMeterLinesAndTheFlowsReferenceThem(@TempDir Path dir) throws Exception {
    Path meters = dir.resolve("host1.meters");

    int code = run("compile", "-c", DEMO, "--host", "host1", "--meters-file", meters.toString());

    assertThat(code).isEqualTo(NicflowCli.EXIT_OK);
    assertThat(Files.readString(meters)).isEqualTo("meter=1,kbps,band=type=drop,rate=50000\n"
        + "meter=65537,pktps,burst,band=type=drop,rate=2000,burst_size=2000\n"
        + "meter=65539,pktps,burst,band=type=drop,rate=2000,burst_size=2000\n"
        + "meter=65540,pktps,burst,band=type=drop,rate=2000,burst_size=2000\n");
    assertThat(flowLines(out.toString())).filteredOn(l -> l.contains("actions=meter:1,"))
        .singleElement().asString().contains("in_port=p-web1");
    assertThat(flowLines(out.toString())).as("web1's flows to the controller (the demo is proactive)")
        .filteredOn(l -> l.contains("actions=meter:65537,")).isNotEmpty()
        .allSatisfy(l -> assertThat(l).containsAnyOf("in_port=p-web1", "metadata=0x1/0xffff").endsWith("controller"));
  }

  @Test
  void unknownHostExitsTwoListingTheHosts() {
    int code = run("compile", "-c", DEMO, "--host", "host9");

    assertThat(code).isEqualTo(NicflowCli.EXIT_BAD_INPUT);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).isEqualTo(
        "error: no host named 'host9' in " + DEMO + " (hosts: host1, host2)\n");
  }

  @Test
  void unknownModeIsAUsageError() {
    int code = run("compile", "-c", DEMO, "--host", "host1", "--mode", "eager");

    assertThat(code).isEqualTo(NicflowCli.EXIT_BAD_INPUT);
    assertThat(err.toString()).contains("--mode").contains("proactive, reactive");
  }
}
