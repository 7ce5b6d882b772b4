package org.nicflow.compiler.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.ControllerSettings;
import org.nicflow.compiler.model.ControllerTls;
import org.nicflow.compiler.model.DefaultAction;
import org.nicflow.compiler.model.Direction;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.Ipv4Prefix;
import org.nicflow.compiler.model.Layer;
import org.nicflow.compiler.model.FlowLimits;
import org.nicflow.compiler.model.MissBudget;
import org.nicflow.compiler.model.OffloadMode;
import org.nicflow.compiler.model.PortRange;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.model.Rule;
import org.nicflow.compiler.model.RuleAction;
import org.nicflow.compiler.model.RuleSet;
import org.nicflow.compiler.model.Vm;

class ConfigWriterTest {

  private final ConfigLoader loader = new ConfigLoader();

  @Test
  void demoRoundTripsThroughYaml() throws ConfigException {
    Config demo = loader.load(DemoExampleTest.DEMO);

    String yaml = ConfigWriter.toYaml(demo);

    assertThat(loader.parse(yaml, "written.yaml")).isEqualTo(demo);
  }

  @Test
  void tlsSettingsRoundTripThroughYaml() throws ConfigException {
    Config demo = loader.load(DemoExampleTest.DEMO);
    Config tls = demo.withController(demo.controller().withTls(Optional.of(new ControllerTls("/etc/k.pem",
        "c.pem", Optional.of("ca.pem"), true, true, ControllerTls.SwitchIdentity.HOST_NAME))));

    String yaml = ConfigWriter.toYaml(tls);

    assertThat(yaml).contains("  openflow: \"ssl:127.0.0.1:6653\"\n");
    assertThat(loader.parse(yaml, "written.yaml")).isEqualTo(tls);
  }

  @Test
  void writesRulesAsFlowMappingsWithoutDefaults() throws ConfigException {
    String yaml = ConfigWriter.toYaml(loader.load(DemoExampleTest.DEMO));

    assertThat(yaml)
        .contains("          - {id: http-in, priority: 100, direction: in, proto: tcp, dst_port: 8000-8099, action: allow}\n")
        .contains("          - {id: all-out, priority: 10, direction: out, action: allow, stateful: true}\n")
        .contains("  - {name: host1, dpid: \"0000000000000001\", uplink: host1-up, underlay_ip: 192.168.50.1, "
            + "next_hop_mac: \"02:00:00:00:fe:01\"}\n")
        .contains("backends: [\"web1:8080\", \"web2:8080\"]");
  }

  @Test
  void aLoadBalancerWithThousandsOfBackendsIsWrittenOnLinesTheLoaderReads() throws ConfigException {
    int count = 3000;
    StringBuilder text = new StringBuilder("""
        hosts: [{name: h1, dpid: "0000000000000001", uplink: h1-up, underlay_ip: 192.168.50.1}]
        vnets: [{name: blue, vni: 5001, prefix: 10.1.0.0/16, gateway: 10.1.0.1}]
        rulesets: [{name: web, layers: [{name: acl, default: allow}]}]
        vms:
        """);
    StringBuilder backends = new StringBuilder();
    for (int i = 0; i < count; i++) {
      String name = String.format("vm-%060d", i);
      text.append(String.format("  - {name: %s, host: h1, port: p%d, mac: \"02:00:00:01:%02x:%02x\", ip: 10.1.%d.%d, "
          + "vnet: blue, ruleset: web}%n", name, i, i / 256, i % 256, i / 250, 2 + i % 250));
      backends.append(i == 0 ? "" : ", ").append(name).append(":8080");
    }
    text.append("load_balancers: [{name: lb, vip: 10.1.200.1, proto: tcp, port: 80, backends: [").append(backends)
        .append("]}]\n");
    Config many = new ConfigLoader(new ConfigLimits(1 << 30, 1 << 30, 1 << 16, 64)).parse(text.toString(), "many.yaml");

    String yaml = ConfigWriter.toYaml(many);

    assertThat(yaml.lines().mapToInt(String::length).max().orElseThrow()).isLessThan(10_000);
    assertThat(loader.parse(yaml, "written.yaml")).isEqualTo(many);
  }

  @Test
  void quotesStringsThatYamlWouldReadAsSomethingElse() {
    assertThat(ConfigWriter.scalar("web1")).isEqualTo("web1");
    assertThat(ConfigWriter.scalar("10.1.0.0/16")).isEqualTo("10.1.0.0/16");
    assertThat(ConfigWriter.scalar("no")).isEqualTo("\"no\"");
    assertThat(ConfigWriter.scalar("123")).isEqualTo("\"123\"");
    assertThat(ConfigWriter.scalar("a:b")).isEqualTo("\"a:b\"");
    assertThat(ConfigWriter.scalar("say \"hi\"")).isEqualTo("\"say \\\"hi\\\"\"");
  }

  @Test
  void roundTripsEveryRuleFeatureAndOddNames() throws ConfigException {
    Rule snat = new Rule("1", 0, Direction.OUT, Protocol.UDP, Ipv4Prefix.parse("10.0.0.0/8"),
        Ipv4Prefix.parse("192.0.2.7"), new PortRange(1, 2), PortRange.single(0), OptionalInt.empty(),
        RuleAction.SNAT, Optional.of(Ipv4.parse("203.0.113.1")), OptionalInt.empty(), false);
    Rule dscp = new Rule("true", 65535, Direction.IN, Protocol.ICMP, Ipv4Prefix.ANY, Ipv4Prefix.ANY,
        PortRange.ANY, PortRange.ANY, OptionalInt.of(0), RuleAction.SET_DSCP, Optional.empty(), OptionalInt.of(46), false);
    Config base = LargeConfigGenerator.generate(0, 1);
    RuleSet odd = new RuleSet("rs0", List.of(new Layer("null", DefaultAction.DENY, List.of(snat, dscp))));
    Config config = new Config(base.controller().withMode(OffloadMode.PROACTIVE), base.hosts(), base.vnets(),
        base.vms(), List.of(odd), base.loadBalancers());

    assertThat(loader.parse(ConfigWriter.toYaml(config), "x.yaml")).isEqualTo(config);
  }

  @Test
  void roundTripsMissBudgetsOfTheControllerAndOfVms() throws ConfigException {
    Config base = LargeConfigGenerator.generate(0, 1);
    Vm first = base.vms().get(0);
    Vm second = base.vms().get(1);
    List<Vm> vms = new java.util.ArrayList<>(base.vms());
    vms.set(0, new Vm(first.name(), first.host(), first.port(), first.mac(), first.ip(), first.vnet(), first.ruleset(),
        first.meterKbps(), OptionalLong.of(25), OptionalLong.empty()));
    vms.set(1, new Vm(second.name(), second.host(), second.port(), second.mac(), second.ip(), second.vnet(),
        second.ruleset(), second.meterKbps(), OptionalLong.empty(), OptionalLong.of(9), OptionalInt.of(4000)));
    Config config = new Config(base.controller().withMissBudget(new MissBudget(700, 70)), base.hosts(), base.vnets(),
        vms, base.rulesets(), base.loadBalancers());

    String yaml = ConfigWriter.toYaml(config);

    assertThat(yaml).contains("  miss_rate_pps: 700\n  miss_burst: 70\n", "miss_rate_pps: 25}", "miss_burst: 9, snat_ports: 4000}");
    assertThat(loader.parse(yaml, "x.yaml")).isEqualTo(config);
    assertThat(ConfigWriter.toYaml(base)).as("defaults are not written").doesNotContain("miss_");
  }

  @Test
  void roundTripsFlowLimitsOfTheControllerAndOfVms() throws ConfigException {
    Config base = LargeConfigGenerator.generate(0, 1);
    Vm first = base.vms().get(0);
    List<Vm> vms = new java.util.ArrayList<>(base.vms());
    vms.set(0, new Vm(first.name(), first.host(), first.port(), first.mac(), first.ip(), first.vnet(), first.ruleset(),
        first.meterKbps(), OptionalLong.empty(), OptionalLong.empty(), OptionalLong.of(12)));
    Config config = new Config(base.controller().withFlowLimits(new FlowLimits(500, 4000)), base.hosts(),
        base.vnets(), vms, base.rulesets(), base.loadBalancers());

    String yaml = ConfigWriter.toYaml(config);

    assertThat(yaml).contains("  max_flows: 500\n  host_max_flows: 4000\n", "max_flows: 12}");
    assertThat(loader.parse(yaml, "x.yaml")).isEqualTo(config);
    assertThat(ConfigWriter.toYaml(base)).as("defaults are not written").doesNotContain("max_flows");
  }

  @Test
  void writesEmptySectionsAsEmptyLists() throws ConfigException {
    Config empty = new Config(ControllerSettings.DEFAULTS, List.of(), List.of(), List.of(), List.of(), List.of());

    String yaml = ConfigWriter.toYaml(empty);

    assertThat(yaml).contains("hosts: []\n", "rulesets: []\n").doesNotContain("load_balancers");
    assertThat(loader.parse(yaml, "x.yaml")).isEqualTo(empty);
  }
}
