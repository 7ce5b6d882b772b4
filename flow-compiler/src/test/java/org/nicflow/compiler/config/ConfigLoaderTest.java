package org.nicflow.compiler.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.ControllerSettings;
import org.nicflow.compiler.model.ControllerTls;
import org.nicflow.compiler.model.Direction;
import org.nicflow.compiler.model.Ipv4Prefix;
import org.nicflow.compiler.model.FlowLimits;
import org.nicflow.compiler.model.MissBudget;
import org.nicflow.compiler.model.PortRange;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.model.Rule;
import org.nicflow.compiler.model.RuleSet;

class ConfigLoaderTest {

  private static final String RULE0 = "rulesets[0].layers[0].rules[0]";
  private static final String RULE1 = "rulesets[0].layers[0].rules[1]";

  /** A small valid config; tests change one piece of it. */
  private static final String BASE = """
      hosts:
        - {name: host1, dpid: "0000000000000001", uplink: host1-up, underlay_ip: 192.168.50.1}
        - {name: host2, dpid: "0000000000000002", uplink: host2-up, underlay_ip: 192.168.50.2}
      vnets:
        - {name: blue, vni: 5001, prefix: 10.1.0.0/16, gateway: 10.1.0.1}
        - {name: red, vni: 5002, prefix: 10.1.0.0/24, gateway: 10.1.0.1}
      vms:
        - {name: web1, host: host1, port: p-web1, mac: "02:00:00:00:01:0b", ip: 10.1.0.11, vnet: blue, ruleset: web}
        - {name: web2, host: host2, port: p-web2, mac: "02:00:00:00:01:0c", ip: 10.1.0.12, vnet: blue, ruleset: web}
      rulesets:
        - name: web
          layers:
            - name: acl
              default: deny
              rules:
                - {id: http-in, priority: 100, direction: in, proto: tcp, dst_port: 8000-8099, action: allow}
      """;

  private final ConfigLoader loader = new ConfigLoader();

  private static String replacing(String from, String to) {
    assertThat(BASE).contains(from);
    return BASE.replace(from, to);
  }

  /** The base config with one more rule in the first layer (it becomes {@link #RULE1}). */
  private static String withRule(String flowMapping) {
    return BASE + "          - " + flowMapping + "\n";
  }

  private static String withVm(String flowMapping) {
    return replacing("rulesets:\n", "  - " + flowMapping + "\nrulesets:\n");
  }

  private List<ConfigError> errorsOf(String yaml) {
    ConfigException e = (ConfigException) org.assertj.core.api.Assertions.catchThrowable(
        () -> loader.parse(yaml, "test.yaml"));
    assertThat(e).as("config should be rejected:\n" + yaml).isNotNull();
    assertThat(e.errors()).allSatisfy(err -> assertThat(err.source()).isEqualTo("test.yaml"));
    return e.errors();
  }

  private void assertSingleError(String yaml, String path, String messagePart) {
    List<ConfigError> errors = errorsOf(yaml);
    assertThat(errors).as(errors.toString()).hasSize(1);
    assertThat(errors.get(0).path()).isEqualTo(path);
    assertThat(errors.get(0).message()).contains(messagePart);
  }

  private static String paths(List<ConfigError> errors) {
    return String.join(" | ", errors.stream().map(ConfigError::path).toList());
  }

  @Test
  void acceptsMinimalConfigAndAppliesDefaults() throws ConfigException {
    Config config = loader.parse(BASE, "test.yaml");

    assertThat(config.controller()).isEqualTo(ControllerSettings.DEFAULTS);
    assertThat(config.hosts()).hasSize(2);
    assertThat(config.hosts().get(0).dpid()).isEqualTo(1L);
    assertThat(config.hosts().get(0).nextHopMac()).isEmpty();
    assertThat(config.loadBalancers()).isEmpty();
    Rule http = config.rulesets().get(0).layers().get(0).rules().get(0);
    assertThat(http.dstPort()).isEqualTo(new PortRange(8000, 8099));
    assertThat(http.srcPort()).isEqualTo(PortRange.ANY);
    assertThat(http.src()).isEqualTo(Ipv4Prefix.ANY);
    assertThat(http.stateful()).isFalse();
  }

  @Test
  void learnStateIsOffUnlessSetAndLearnsOnlyInProactiveMode() throws ConfigException {
    Config proactive = loader.parse("controller: {mode: proactive, learn_state: true}\n" + BASE, "test.yaml");
    Config reactive = loader.parse("controller: {learn_state: true}\n" + BASE, "test.yaml");

    assertThat(ControllerSettings.DEFAULTS.learnState()).isFalse();
    assertThat(proactive.controller().learnsInSwitch()).isTrue();
    assertThat(reactive.controller().learnState()).isTrue();
    assertThat(reactive.controller().learnsInSwitch()).isFalse();
    assertSingleError("controller: {learn_state: 1}\n" + BASE, "controller.learn_state", "true or false");
  }

  @Test
  void appliesDefaultDirectionAndProtocolToARuleThatNamesNeither() throws ConfigException {
    Config config = loader.parse(withRule("{id: any, priority: 1, action: deny}"), "test.yaml");

    Rule rule = config.rulesets().get(0).layers().get(0).rules().get(1);
    assertThat(rule.direction()).isEqualTo(Direction.BOTH);
    assertThat(rule.proto()).isEqualTo(Protocol.ANY);
    assertThat(rule.icmpType()).isEqualTo(OptionalInt.empty());
  }

  @Test
  void rejectsUnknownKeyAtAnyLevel() {
    String yaml = replacing("{id: http-in,", "{id: http-in, dst_prot: 80,")
        .replace("{name: blue,", "{name: blue, colour: blue,") + "extra: 1\n";

    List<ConfigError> errors = errorsOf(yaml);

    assertThat(paths(errors)).isEqualTo("extra | vnets[0].colour | " + RULE0 + ".dst_prot");
    assertThat(errors.get(2).message()).isEqualTo("unknown key 'dst_prot' (did you mean 'dst_port'?)");
    assertThat(errors.get(0).message()).startsWith("unknown key 'extra' (expected one of: controller, hosts,");
  }

  @Test
  void rejectsMissingRequiredKey() {
    assertSingleError(replacing("dpid: \"0000000000000001\", ", ""), "hosts[0].dpid", "missing required key 'dpid'");
  }

  @Test
  void rejectsMissingTopLevelSection() {
    List<ConfigError> errors = errorsOf(replacing("rulesets:", "rule_sets:"));

    assertThat(errors).extracting(ConfigError::toString).contains(
        "test.yaml: rule_sets: unknown key 'rule_sets' (did you mean 'rulesets'?)",
        "test.yaml: rulesets: missing required key 'rulesets'");
  }

  @Test
  void rejectsWrongType() {
    List<ConfigError> errors = errorsOf(replacing("vni: 5001", "vni: \"5001\"")
        .replace("priority: 100", "priority: high")
        .replace("vms:\n", "vms: {}\nunused:\n"));

    assertThat(errors).extracting(ConfigError::path).contains("vnets[0].vni", RULE0 + ".priority", "vms");
    assertThat(errors).filteredOn(e -> e.path().equals("vnets[0].vni"))
        .singleElement().satisfies(e -> assertThat(e.message()).contains("wrong type: expected a whole number"));
    assertThat(errors).filteredOn(e -> e.path().equals("vms"))
        .singleElement().satisfies(e -> assertThat(e.message()).contains("expected a list"));
  }

  @Test
  void rejectsBadCidrAndAddress() {
    List<ConfigError> errors = errorsOf(withRule(
        "{id: r, priority: 1, src: 10.1.0.0/33, dst: 10.1.0.5/24, action: deny}")
        .replace("underlay_ip: 192.168.50.1", "underlay_ip: 192.168.50.300"));

    assertThat(paths(errors)).isEqualTo("hosts[0].underlay_ip | " + RULE1 + ".src | " + RULE1 + ".dst");
    assertThat(errors.get(0).message()).contains("192.168.50.300");
    assertThat(errors.get(1).message()).contains("prefix length 33");
    assertThat(errors.get(2).message()).contains("host bits").contains("10.1.0.0/24");
  }

  @Test
  void rejectsBadMac() {
    List<ConfigError> errors = errorsOf(replacing("mac: \"02:00:00:00:01:0b\"", "mac: \"02:00:00:00:01\"")
        .replace("mac: \"02:00:00:00:01:0c\"", "mac: \"01:00:5e:00:00:01\""));

    assertThat(paths(errors)).isEqualTo("vms[0].mac | vms[1].mac");
    assertThat(errors.get(0).message()).contains("not a MAC address");
    assertThat(errors.get(1).message()).contains("multicast");
  }

  @Test
  void rejectsBadDpid() {
    List<ConfigError> errors = errorsOf(replacing("\"0000000000000001\"", "\"00000000000000001g\"")
        .replace("dpid: \"0000000000000002\"", "dpid: 2"));

    assertThat(paths(errors)).isEqualTo("hosts[0].dpid | hosts[1].dpid");
    assertThat(errors.get(0).message()).contains("bad dpid");
    assertThat(errors.get(1).message()).contains("quoted string");
  }

  @Test
  void rejectsPortRangeWithLoAboveHi() {
    assertSingleError(replacing("dst_port: 8000-8099", "dst_port: 8099-8000"), RULE0 + ".dst_port", "lo > hi");
  }

  @Test
  void rejectsPortOutsideRange() {
    List<ConfigError> errors = errorsOf(replacing("dst_port: 8000-8099", "dst_port: 70000, src_port: 1-65536"));

    assertThat(paths(errors)).isEqualTo(RULE0 + ".src_port | " + RULE0 + ".dst_port");
    assertThat(errors).allSatisfy(e -> assertThat(e.message()).contains("outside 0-65535"));
  }

  @Test
  void rejectsPortsWithIcmpOrAnyProto() {
    List<ConfigError> errors = errorsOf(withRule("{id: p, priority: 1, proto: icmp, dst_port: 80, action: deny}")
        + "          - {id: q, priority: 1, src_port: 80, action: deny}\n");

    assertThat(paths(errors)).isEqualTo(RULE1 + ".dst_port | rulesets[0].layers[0].rules[2].src_port");
    assertThat(errors.get(0).message()).contains("needs proto tcp or udp (proto is icmp)");
    assertThat(errors.get(1).message()).contains("(proto is any)");
  }

  @Test
  void rejectsIcmpTypeWithNonIcmpProto() {
    assertSingleError(withRule("{id: t, priority: 1, proto: udp, icmp_type: 8, action: deny}"),
        RULE1 + ".icmp_type", "icmp_type needs proto icmp (proto is udp)");
  }

  @Test
  void acceptsIcmpTypeWithIcmpProto() throws ConfigException {
    Config config = loader.parse(withRule("{id: t, priority: 1, proto: icmp, icmp_type: 8, action: deny}"), "x");

    assertThat(config.rulesets().get(0).layers().get(0).rules().get(1).icmpType()).hasValue(8);
  }

  @Test
  void rejectsBadAction() {
    assertSingleError(withRule("{id: a, priority: 1, action: drop}"), RULE1 + ".action",
        "bad value 'drop' (expected one of: allow, deny, snat, set_dscp)");
  }

  @Test
  void rejectsSnatWithoutTo() {
    assertSingleError(withRule("{id: s, priority: 1, action: snat}"), RULE1 + ".to", "missing required key 'to'");
  }

  @Test
  void rejectsSetDscpWithoutDscp() {
    assertSingleError(withRule("{id: d, priority: 1, action: set_dscp}"), RULE1 + ".dscp",
        "missing required key 'dscp'");
  }

  @Test
  void rejectsDscpOutside0To63() {
    assertSingleError(withRule("{id: d, priority: 1, action: set_dscp, dscp: 64}"), RULE1 + ".dscp",
        "64 is outside 0-63");
  }

  @Test
  void rejectsToOnNonSnatAction() {
    assertSingleError(withRule("{id: a, priority: 1, action: allow, to: 203.0.113.1}"), RULE1 + ".to",
        "'to' goes only with action snat (action is allow)");
  }

  @Test
  void rejectsStatefulOnNonAllow() {
    assertSingleError(withRule("{id: a, priority: 1, action: deny, stateful: true}"), RULE1 + ".stateful",
        "stateful goes only with action allow (action is deny)");
  }

  @Test
  void rejectsDuplicateRuleIdInRuleSet() {
    String yaml = BASE + """
              - name: nat
                default: allow
                rules:
                  - {id: http-in, priority: 1, action: allow}
        """;

    assertSingleError(yaml, "rulesets[0].layers[1].rules[0].id",
        "duplicate rule id 'http-in' in rule set 'web' (first at rulesets[0].layers[0].rules[0].id)");
  }

  @Test
  void acceptsOneRuleIdInTwoRuleSets() throws ConfigException {
    String yaml = BASE + """
          - name: other
            layers:
              - {name: acl, default: allow, rules: [{id: http-in, priority: 1, action: allow}]}
        """;

    assertThat(loader.parse(yaml, "x").rulesets()).extracting(RuleSet::name).containsExactly("web", "other");
  }

  @Test
  void rejectsDuplicateNames() {
    String yaml = replacing("  - {name: host2, dpid", "  - {name: host1, dpid")
        .replace("{name: red, vni", "{name: blue, vni")
        .replace("{name: web2, host", "{name: web1, host")
        + """
        - name: web
          layers: [{name: acl, default: allow}]
      load_balancers:
        - {name: vip, vip: 203.0.113.80, proto: tcp, port: 80, backends: [web1:8080]}
        - {name: vip, vip: 203.0.113.81, proto: tcp, port: 80, backends: [web1:8080]}
      """;

    List<ConfigError> errors = errorsOf(yaml);

    assertThat(errors).extracting(ConfigError::path).contains(
        "hosts[1].name", "vnets[1].name", "vms[1].name", "rulesets[1].name", "load_balancers[1].name");
    assertThat(errors).extracting(ConfigError::message).contains(
        "duplicate host name 'host1' (first at hosts[0].name)",
        "duplicate VNET name 'blue' (first at vnets[0].name)",
        "duplicate VM name 'web1' (first at vms[0].name)",
        "duplicate rule set name 'web' (first at rulesets[0].name)",
        "duplicate load balancer name 'vip' (first at load_balancers[0].name)");
  }

  @Test
  void rejectsDuplicateDpid() {
    assertSingleError(replacing("\"0000000000000002\"", "\"1\""), "hosts[1].dpid",
        "duplicate dpid '0000000000000001' (first at hosts[0].dpid)");
  }

  @Test
  void rejectsTwoHostsWithOneUnderlayAddress() {
    assertSingleError(replacing("underlay_ip: 192.168.50.2", "underlay_ip: 192.168.50.1"), "hosts[1].underlay_ip",
        "duplicate underlay address 192.168.50.1 (first at hosts[0].underlay_ip)");
  }

  @Test
  void rejectsApiOnTheOpenflowAddress() {
    assertSingleError(BASE + "controller: {openflow: 127.0.0.1:6653, api: 127.0.0.1:6653}\n", "controller.api",
        "api and openflow both use 127.0.0.1:6653");
  }

  @Test
  void rejectsDuplicateVni() {
    assertSingleError(replacing("vni: 5002", "vni: 5001"), "vnets[1].vni", "duplicate VNI 5001 (first at vnets[0].vni)");
  }

  @Test
  void rejectsVmOnUnknownHostVnetOrRuleset() {
    List<ConfigError> errors = errorsOf(withVm(
        "{name: x, host: host9, port: p-x, mac: \"02:00:00:00:09:01\", ip: 10.1.0.99, vnet: green, ruleset: nope}"));

    assertThat(paths(errors)).isEqualTo("vms[2].host | vms[2].vnet | vms[2].ruleset");
    assertThat(errors.get(0).message()).isEqualTo("no host named 'host9' (known: host1, host2)");
    assertThat(errors.get(1).message()).startsWith("no VNET named 'green'");
    assertThat(errors.get(2).message()).startsWith("no rule set named 'nope'");
  }

  @Test
  void rejectsVmIpOutsideVnetPrefix() {
    assertSingleError(withVm(
        "{name: x, host: host1, port: p-x, mac: \"02:00:00:00:09:01\", ip: 10.1.1.5, vnet: red, ruleset: web}"),
        "vms[2].ip", "address 10.1.1.5 is outside the prefix 10.1.0.0/24 of VNET 'red'");
  }

  @Test
  void rejectsVmOnTheGatewayAddress() {
    assertSingleError(replacing("ip: 10.1.0.11", "ip: 10.1.0.1"), "vms[0].ip", "is the gateway of VNET 'blue'");
  }

  @Test
  void rejectsTwoVmsWithOneIpInOneVnet() {
    assertSingleError(replacing("ip: 10.1.0.12", "ip: 10.1.0.11"), "vms[1].ip",
        "duplicate address 10.1.0.11 in VNET 'blue' (first at vms[0].ip)");
  }

  @Test
  void acceptsOneIpInTwoVnets() throws ConfigException {
    Config config = loader.parse(withVm(
        "{name: red1, host: host1, port: p-red1, mac: \"02:00:00:00:02:0b\", ip: 10.1.0.11, vnet: red, ruleset: web}"),
        "x");

    assertThat(config.vms()).hasSize(3);
  }

  @Test
  void rejectsTwoVmsWithOneMac() {
    assertSingleError(replacing("\"02:00:00:00:01:0c\"", "\"02:00:00:00:01:0B\""), "vms[1].mac",
        "duplicate VM MAC 02:00:00:00:01:0b (first at vms[0].mac)");
  }

  @Test
  void rejectsTwoVmsOnOnePortOfOneHost() {
    assertSingleError(withVm(
        "{name: x, host: host1, port: p-web1, mac: \"02:00:00:00:09:01\", ip: 10.1.0.99, vnet: blue, ruleset: web}"),
        "vms[2].port", "duplicate port 'p-web1' on host 'host1' (first at vms[0].port)");
  }

  @Test
  void acceptsOnePortNameOnTwoHosts() throws ConfigException {
    assertThat(loader.parse(replacing("port: p-web2", "port: p-web1"), "x").vms()).hasSize(2);
  }

  @Test
  void rejectsVmPortThatIsTheUplinkOrATunnelPort() {
    List<ConfigError> errors = errorsOf(replacing("port: p-web1", "port: host1-up")
        .replace("port: p-web2", "port: tun-host1"));

    assertThat(paths(errors)).isEqualTo("vms[0].port | vms[1].port");
    assertThat(errors.get(0).message()).contains("is the uplink of host 'host1'");
    assertThat(errors.get(1).message()).contains("tunnel ports");
  }

  @Test
  void rejectsPortNameLongerThanAnInterfaceName() {
    assertSingleError(replacing("port: p-web1", "port: a-very-long-port-name"), "vms[0].port", "bad port name");
  }

  @Test
  void rejectsLoadBalancerBackendThatIsNoVm() {
    assertSingleError(BASE + "load_balancers:\n  - {name: v, vip: 203.0.113.80, proto: tcp, port: 80, "
        + "backends: [web1:8080, web9:8080]}\n", "load_balancers[0].backends[1]", "no VM named 'web9'");
  }

  @Test
  void rejectsLoadBalancerBackendPortBad() {
    List<ConfigError> errors = errorsOf(BASE + "load_balancers:\n  - {name: v, vip: 203.0.113.80, proto: tcp, "
        + "port: 80, backends: [web1:0, web2:http, web2]}\n");

    assertThat(paths(errors)).isEqualTo(
        "load_balancers[0].backends[0] | load_balancers[0].backends[1] | load_balancers[0].backends[2]");
    assertThat(errors.get(0).message()).contains("port '0' is not a number 1-65535");
    assertThat(errors.get(2).message()).contains("expected 'vm:port'");
  }

  @Test
  void rejectsLoadBalancerWithIcmpProto() {
    assertSingleError(BASE + "load_balancers:\n  - {name: v, vip: 203.0.113.80, proto: icmp, port: 80, "
        + "backends: [web1:8080]}\n", "load_balancers[0].proto", "expected one of: tcp, udp");
  }

  @Test
  void readsLoadBalancer() throws ConfigException {
    Config config = loader.parse(BASE + "load_balancers:\n  - {name: v, vip: 203.0.113.80, proto: udp, port: 53, "
        + "backends: [web1:5353, web2:53]}\n", "x");

    assertThat(config.loadBalancers()).singleElement().satisfies(lb -> {
      assertThat(lb.proto()).isEqualTo(Protocol.UDP);
      assertThat(lb.backends()).extracting(Object::toString).containsExactly("web1:5353", "web2:53");
    });
  }

  @Test
  void rejectsBadControllerAddresses() {
    List<ConfigError> errors = errorsOf(BASE + "controller: {openflow: 127.0.0.1, api: \"127.0.0.1:99999\"}\n");

    assertThat(paths(errors)).isEqualTo("controller.openflow | controller.api");
    assertThat(errors.get(0).message()).contains("expected host:port");
    assertThat(errors.get(1).message()).contains("port '99999'");
  }

  @Test
  void readsControllerSettings() throws ConfigException {
    Config config = loader.parse(BASE + "controller: {openflow: 0.0.0.0:6633, api: localhost:9090, mode: proactive, "
        + "idle_timeout_s: 30, state_dir: /var/lib/nicflow, gateway_mac: \"02:00:00:00:00:fe\"}\n", "x");

    ControllerSettings c = config.controller();
    assertThat(c.openflowHost()).isEqualTo("0.0.0.0");
    assertThat(c.openflowPort()).isEqualTo(6633);
    assertThat(c.apiHost()).isEqualTo("localhost");
    assertThat(c.apiPort()).isEqualTo(9090);
    assertThat(c.mode().key()).isEqualTo("proactive");
    assertThat(c.idleTimeoutS()).isEqualTo(30);
    assertThat(c.stateDir()).isEqualTo("/var/lib/nicflow");
    assertThat(c.gatewayMac().toString()).isEqualTo("02:00:00:00:00:fe");
  }

  @Test
  void readsOpenflowOverSslWithTheTlsBlock() throws ConfigException {
    Config config = loader.parse(BASE + """
        controller:
          openflow: ssl:0.0.0.0:6653
          tls:
            private_key: /etc/nicflow/ctl-privkey.pem
            certificate: /etc/nicflow/ctl-cert.pem
            ca_certificate: /etc/nicflow/switchca.pem
            api: true
            switch_identity: host_name
        """, "x");

    ControllerSettings c = config.controller();
    assertThat(c.openflowHost()).isEqualTo("0.0.0.0");
    assertThat(c.openflowPort()).isEqualTo(6653);
    assertThat(c.openflowTls()).isTrue();
    assertThat(c.tls()).contains(new ControllerTls("/etc/nicflow/ctl-privkey.pem", "/etc/nicflow/ctl-cert.pem",
        Optional.of("/etc/nicflow/switchca.pem"), true, true, ControllerTls.SwitchIdentity.HOST_NAME));
  }

  @Test
  void openflowWithoutSchemeOrWithTcpIsPlainAndTlsIsAbsentByDefault() throws ConfigException {
    ControllerSettings tcp = loader.parse(BASE + "controller: {openflow: \"tcp:127.0.0.1:6653\"}\n", "x").controller();
    ControllerSettings plain = loader.parse(BASE, "x").controller();

    assertThat(tcp.openflowPort()).isEqualTo(6653);
    assertThat(tcp.openflowTls()).isFalse();
    assertThat(plain.tls()).isEmpty();
    assertThat(plain.openflowTls()).isFalse();
  }

  @Test
  void tlsBlockAloneKeepsOpenflowPlainAndDefaultsToAnySwitchIdentity() throws ConfigException {
    ControllerSettings c = loader.parse(BASE + "controller: {tls: {private_key: k.pem, certificate: c.pem, "
        + "api: true}}\n", "x").controller();

    assertThat(c.openflowTls()).isFalse();
    assertThat(c.tls().orElseThrow().api()).isTrue();
    assertThat(c.tls().orElseThrow().caCertificate()).isEmpty();
    assertThat(c.tls().orElseThrow().switchIdentity()).isEqualTo(ControllerTls.SwitchIdentity.ANY);
  }

  @Test
  void sslWithoutTlsFilesIsAnError() {
    assertSingleError(BASE + "controller: {openflow: \"ssl:127.0.0.1:6653\"}\n", "controller.openflow",
        "ssl: needs a controller.tls block");
  }

  @Test
  void sslWithoutCaCertificateIsAnError() {
    assertSingleError(BASE + "controller: {openflow: \"ssl:127.0.0.1:6653\", tls: {private_key: k.pem, "
        + "certificate: c.pem}}\n", "controller.tls", "needs tls.ca_certificate");
  }

  @Test
  void rejectsBadTlsKeys() {
    List<ConfigError> errors = errorsOf(BASE + "controller: {tls: {private_key: k.pem, certficate: c.pem, "
        + "switch_identity: dpid}}\n");

    assertThat(paths(errors)).isEqualTo("controller.tls.certficate | controller.tls.certificate "
        + "| controller.tls.switch_identity");
    assertThat(errors.get(0).message()).contains("did you mean 'certificate'?");
    assertThat(errors.get(2).message()).contains("expected one of: any, host_name");
  }

  @Test
  void missBudgetDefaultsToTheControllersAndEachVmMaySetItsOwn() throws ConfigException {
    Config defaults = loader.parse(BASE, "test.yaml");
    Config set = loader.parse("controller: {miss_rate_pps: 300, miss_burst: 40}\n"
        + replacing("vnet: blue, ruleset: web}\n  - {name: web2", "vnet: blue, ruleset: web, miss_rate_pps: 50}\n"
            + "  - {name: web2").replace("ip: 10.1.0.12, vnet: blue, ruleset: web}",
            "ip: 10.1.0.12, vnet: blue, ruleset: web, miss_burst: 7}"), "test.yaml");
    Config rateOnly = loader.parse("controller: {miss_rate_pps: 300}\n" + BASE, "test.yaml");

    assertThat(defaults.controller().missBudget()).isEqualTo(MissBudget.DEFAULT);
    assertThat(defaults.missBudgetOf(defaults.vms().get(0))).isEqualTo(MissBudget.DEFAULT);
    assertThat(set.controller().missBudget()).isEqualTo(new MissBudget(300, 40));
    assertThat(set.missBudgetOf(set.vms().get(0))).as("own rate, a burst of one second of it")
        .isEqualTo(new MissBudget(50, 50));
    assertThat(set.missBudgetOf(set.vms().get(1))).as("the controller's rate, own burst")
        .isEqualTo(new MissBudget(300, 7));
    assertThat(rateOnly.controller().missBudget()).isEqualTo(new MissBudget(300, 300));
  }

  @Test
  void snatPortsIsAVmsOwnShareAndExplicitSharesMustFitThePortsOfTheAddress() throws ConfigException {
    String snat = "          - {id: nat, priority: 10, direction: out, action: snat, to: 203.0.113.10}\n";
    Config set = loader.parse(replacing("vnet: blue, ruleset: web}\n  - {name: web2",
        "vnet: blue, ruleset: web, snat_ports: 1000}\n  - {name: web2") + snat, "test.yaml");
    assertThat(set.vms().get(0).snatPorts()).hasValue(1000);
    assertThat(set.vms().get(1).snatPorts()).isEmpty();

    assertSingleError(replacing("vnet: blue, ruleset: web}\n  - {name: web2",
        "vnet: blue, ruleset: web, snat_ports: 0}\n  - {name: web2"), "vms[0].snat_ports", "0 is outside 1-64512");
    assertSingleError(replacing("vnet: blue, ruleset: web}\n  - {name: web2",
        "vnet: blue, ruleset: web, snat_ports: 64512}\n  - {name: web2") + snat, "vms[0].snat_ports",
        "snat_ports of the VMs that SNAT to 203.0.113.10 (web1, web2) ask for 64513 ports");
    assertThat(loader.parse(replacing("vnet: blue, ruleset: web}\n  - {name: web2",
        "vnet: blue, ruleset: web, snat_ports: 64512}\n  - {name: web2"), "test.yaml").vms().get(0).snatPorts())
        .as("no SNAT rule, nothing to share").hasValue(64512);
  }

  @Test
  void rejectsMissBudgetsOutsideRangeOrOfTheWrongType() {
    assertSingleError("controller: {miss_rate_pps: 0}\n" + BASE, "controller.miss_rate_pps",
        "0 is outside 1-4294967295");
    assertSingleError("controller: {miss_burst: 4294967296}\n" + BASE, "controller.miss_burst",
        "4294967296 is outside 1-4294967295");
    assertSingleError(replacing("vnet: blue, ruleset: web}\n  - {name: web2",
        "vnet: blue, ruleset: web, miss_rate_pps: -5}\n  - {name: web2"), "vms[0].miss_rate_pps", "outside 1-4294967295");
    assertSingleError(replacing("vnet: blue, ruleset: web}\n  - {name: web2",
        "vnet: blue, ruleset: web, miss_burst: lots}\n  - {name: web2"), "vms[0].miss_burst", "wrong type");
    assertSingleError(replacing("vnet: blue, ruleset: web}\n  - {name: web2",
        "vnet: blue, ruleset: web, miss_rate: 5}\n  - {name: web2"), "vms[0].miss_rate",
        "unknown key 'miss_rate'");
  }

  @Test
  void flowLimitsDefaultToTheControllersAndEachVmMaySetItsOwn() throws ConfigException {
    Config defaults = loader.parse(BASE, "test.yaml");
    Config set = loader.parse("controller: {max_flows: 300, host_max_flows: 1000}\n"
        + replacing("vnet: blue, ruleset: web}\n  - {name: web2", "vnet: blue, ruleset: web, max_flows: 8}\n"
            + "  - {name: web2"), "test.yaml");

    assertThat(defaults.controller().flowLimits()).isEqualTo(FlowLimits.DEFAULT);
    assertThat(defaults.maxFlowsOf(defaults.vms().get(0))).isEqualTo(FlowLimits.DEFAULT.vmMaxFlows());
    assertThat(set.controller().flowLimits()).isEqualTo(new FlowLimits(300, 1000));
    assertThat(set.maxFlowsOf(set.vms().get(0))).as("its own").isEqualTo(8);
    assertThat(set.maxFlowsOf(set.vms().get(1))).as("the controller's").isEqualTo(300);
  }

  @Test
  void rejectsFlowLimitsOutsideRangeOrOfTheWrongType() {
    assertSingleError("controller: {max_flows: 0}\n" + BASE, "controller.max_flows", "0 is outside 1-2147483647");
    assertSingleError("controller: {host_max_flows: 2147483648}\n" + BASE, "controller.host_max_flows",
        "2147483648 is outside 1-2147483647");
    assertSingleError(replacing("vnet: blue, ruleset: web}\n  - {name: web2",
        "vnet: blue, ruleset: web, max_flows: -1}\n  - {name: web2"), "vms[0].max_flows", "outside 1-2147483647");
    assertSingleError(replacing("vnet: blue, ruleset: web}\n  - {name: web2",
        "vnet: blue, ruleset: web, max_flows: many}\n  - {name: web2"), "vms[0].max_flows", "wrong type");
  }

  @Test
  void rejectsBadMode() {
    assertSingleError(BASE + "controller: {mode: lazy}\n", "controller.mode",
        "bad value 'lazy' (expected one of: reactive, proactive)");
  }

  @Test
  void rejectsIdleTimeoutOutsideRange() {
    List<ConfigError> errors = errorsOf(BASE + "controller: {idle_timeout_s: 0}\n");
    assertThat(paths(errors)).isEqualTo("controller.idle_timeout_s");
    assertThat(errors.get(0).message()).isEqualTo("0 is outside 1-65535");
    assertSingleError(BASE + "controller: {idle_timeout_s: 65536}\n", "controller.idle_timeout_s", "outside 1-65535");
  }

  @Test
  void rejectsHostNameWhoseTunnelPortIsTooLong() {
    assertSingleError(replacing("{name: host2,", "{name: host-number2,").replace("host: host2", "host: host-number2"),
        "hosts[1].name", "tunnel port name 'tun-host-number2' has 16 characters, at most 15");
  }

  @Test
  void rejectsMoreThanEightLayers() {
    StringBuilder yaml = new StringBuilder(BASE);
    for (int i = 1; i <= RuleSet.MAX_LAYERS; i++) {
      yaml.append("      - {name: l").append(i).append(", default: allow}\n");
    }

    assertSingleError(yaml.toString(), "rulesets[0].layers", "9 layers; a rule set has at most 8");
  }

  @Test
  void acceptsEightLayers() throws ConfigException {
    StringBuilder yaml = new StringBuilder(BASE);
    for (int i = 1; i < RuleSet.MAX_LAYERS; i++) {
      yaml.append("      - {name: l").append(i).append(", default: allow}\n");
    }

    assertThat(loader.parse(yaml.toString(), "x").rulesets().get(0).layers()).hasSize(8);
  }

  @Test
  void rejectsDuplicateKeyInOneMapping() {
    List<ConfigError> errors = errorsOf(replacing("{id: http-in, priority: 100,", "{id: http-in, priority: 100, priority: 5,"));

    assertThat(errors).singleElement().satisfies(e -> {
      assertThat(e.path()).isEmpty();
      assertThat(e.message()).contains("not valid YAML at line").contains("priority");
    });
  }

  @Test
  void rejectsYamlSyntaxErrorWithItsLine() {
    assertSingleError("hosts: [\n  {name: a\n", "", "not valid YAML at line");
  }

  @Test
  void rejectsEmptyConfig() {
    assertSingleError("# nothing\n", "", "the config is empty");
  }

  @Test
  void collectsEveryErrorOfTheFile() {
    String yaml = replacing("vni: 5001", "vni: 0")
        .replace("ip: 10.1.0.12", "ip: 10.2.0.12")
        .replace("dst_port: 8000-8099", "dst_port: 9000-8000")
        .replace("uplink: host2-up, ", "");

    List<ConfigError> errors = errorsOf(yaml);

    assertThat(paths(errors)).isEqualTo(
        "hosts[1].uplink | vnets[0].vni | " + RULE0 + ".dst_port | vms[1].ip");
  }

  @Test
  void rejectsNonPositiveMeter() {
    assertSingleError(replacing("vnet: blue, ruleset: web}\n  - {name: web2", "vnet: blue, ruleset: web, meter_kbps: 0}\n  - {name: web2"),
        "vms[0].meter_kbps", "0 is outside 1-4294967295");
  }

  @Test
  void readsJsonWhenTheSourceEndsInJson() throws ConfigException {
    String json = """
        {"hosts": [{"name": "h1", "dpid": "0a", "uplink": "h1-up", "underlay_ip": "192.168.1.1"}],
         "vnets": [{"name": "v", "vni": 7, "prefix": "10.0.0.0/8", "gateway": "10.0.0.1"}],
         "vms": [{"name": "a", "host": "h1", "port": "p-a", "mac": "02:00:00:00:00:0a", "ip": "10.0.0.2",
                  "vnet": "v", "ruleset": "r"}],
         "rulesets": [{"name": "r", "layers": [{"name": "acl", "default": "allow"}]}]}
        """;

    Config config = loader.parse(json, "site.json");

    assertThat(config.hosts().get(0).dpid()).isEqualTo(10L);
    assertThat(config.rulesets().get(0).layers().get(0).rules()).isEmpty();
  }

  @Test
  void loadNamesTheFileInEveryError(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, replacing("vni: 5001", "vni: -1"));

    assertThatThrownBy(() -> loader.load(file))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).singleElement()
            .hasToString(file + ": vnets[0].vni: -1 is outside 1-16777215"));
  }

  @Test
  void loadRejectsAMissingFile(@TempDir Path dir) {
    Path file = dir.resolve("absent.yaml");

    assertThatThrownBy(() -> loader.load(file))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).singleElement()
            .hasToString(file + ": no such file"));
  }
}
