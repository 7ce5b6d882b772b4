package org.nicflow.compiler.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.ControllerSettings;
import org.nicflow.compiler.model.DefaultAction;
import org.nicflow.compiler.model.Direction;
import org.nicflow.compiler.model.Host;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.Ipv4Prefix;
import org.nicflow.compiler.model.Layer;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.model.OffloadMode;
import org.nicflow.compiler.model.PortRange;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.model.Rule;
import org.nicflow.compiler.model.RuleAction;
import org.nicflow.compiler.model.RuleSet;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.model.Vnet;

/** {@code examples/demo.yaml} is the topology the README, the demo and the Mininet tests rely on. */
class DemoExampleTest {

  static final Path DEMO = Path.of("..", "examples", "demo.yaml");

  private final Config demo = load();

  private static Config load() {
    try {
      return new ConfigLoader().load(DEMO);
    } catch (ConfigException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  @Test
  void hasTheDemoControllerSettings() {
    assertThat(demo.controller()).isEqualTo(new ControllerSettings("127.0.0.1", 6653, "127.0.0.1", 8080,
        OffloadMode.REACTIVE, 10, "./state", MacAddress.DEFAULT_GATEWAY));
  }

  @Test
  void hasTwoHosts() {
    assertThat(demo.hosts()).containsExactly(
        new Host("host1", 1, "host1-up", Ipv4.parse("192.168.50.1"), Optional.of(MacAddress.parse("02:00:00:00:fe:01"))),
        new Host("host2", 2, "host2-up", Ipv4.parse("192.168.50.2"), Optional.of(MacAddress.parse("02:00:00:00:fe:02"))));
  }

  @Test
  void hasTwoOverlappingVnets() {
    assertThat(demo.vnets()).containsExactly(
        new Vnet("blue", 5001, Ipv4Prefix.parse("10.1.0.0/16"), Ipv4.parse("10.1.0.1")),
        new Vnet("red", 5002, Ipv4Prefix.parse("10.1.0.0/24"), Ipv4.parse("10.1.0.1")));
  }

  @Test
  void hasFiveVmsOnPortsNamedAfterThem() {
    assertThat(demo.vms()).containsExactly(
        vm("web1", "host1", "02:00:00:00:01:0b", "10.1.0.11", "blue", "web", OptionalLong.of(50000)),
        vm("web2", "host2", "02:00:00:00:01:0c", "10.1.0.12", "blue", "web", OptionalLong.empty()),
        vm("db1", "host1", "02:00:00:00:01:15", "10.1.0.21", "blue", "db", OptionalLong.empty()),
        vm("red1", "host1", "02:00:00:00:02:0b", "10.1.0.11", "red", "red", OptionalLong.empty()),
        vm("red2", "host2", "02:00:00:00:02:0c", "10.1.0.12", "red", "red", OptionalLong.empty()));
  }

  private static Vm vm(String name, String host, String mac, String ip, String vnet, String ruleset, OptionalLong meter) {
    return new Vm(name, host, "p-" + name, MacAddress.parse(mac), Ipv4.parse(ip), vnet, ruleset, meter);
  }

  @Test
  void webRuleSetIsTheSpecExamplePlusIcmpAndUdp() {
    RuleSet web = demo.ruleset("web").orElseThrow();
    assertThat(web.layers()).extracting(Layer::name).containsExactly("acl", "nat");
    Layer acl = web.layers().get(0);
    assertThat(acl.defaultAction()).isEqualTo(DefaultAction.DENY);
    assertThat(acl.rules()).extracting(Rule::id).containsExactly("http-in", "ssh-in", "icmp-in", "udp-in", "all-out");
    assertThat(acl.rules().get(0).dstPort()).isEqualTo(new PortRange(8000, 8099));
    assertThat(acl.rules().get(1).src()).isEqualTo(Ipv4Prefix.parse("10.1.0.0/24"));
    assertThat(acl.rules().get(2).proto()).isEqualTo(Protocol.ICMP);
    assertThat(acl.rules().get(3).proto()).isEqualTo(Protocol.UDP);
    assertThat(acl.rules().get(3).dstPort()).isEqualTo(new PortRange(5000, 5010));
    assertThat(acl.rules().get(4).stateful()).isTrue();
    assertThat(acl.rules().get(4).direction()).isEqualTo(Direction.OUT);
    Layer nat = web.layers().get(1);
    assertThat(nat.defaultAction()).isEqualTo(DefaultAction.ALLOW);
    assertThat(nat.rules()).extracting(Rule::id).containsExactly("east-west", "snat");
    assertThat(nat.rules().get(1).action()).isEqualTo(RuleAction.SNAT);
    assertThat(nat.rules().get(1).snatTo()).contains(Ipv4.parse("203.0.113.10"));
  }

  @Test
  void dbRuleSetAdmitsPostgresAndPingFromWeb1Only() {
    RuleSet db = demo.ruleset("db").orElseThrow();
    assertThat(db.layers()).singleElement().satisfies(acl -> {
      assertThat(acl.defaultAction()).isEqualTo(DefaultAction.DENY);
      assertThat(acl.rules()).extracting(Rule::id).containsExactly("pg-in", "icmp-in", "all-out");
      assertThat(acl.rules().get(0).dstPort()).isEqualTo(PortRange.single(5432));
      assertThat(acl.rules().get(1).src()).isEqualTo(Ipv4Prefix.parse("10.1.0.11/32"));
      assertThat(acl.rules().get(2).stateful()).isTrue();
    });
  }

  @Test
  void redRuleSetDeniesTelnetBothWays() {
    RuleSet red = demo.ruleset("red").orElseThrow();
    assertThat(red.layers()).singleElement().satisfies(acl -> {
      assertThat(acl.defaultAction()).isEqualTo(DefaultAction.ALLOW);
      assertThat(acl.rules()).singleElement().satisfies(r -> {
        assertThat(r.id()).isEqualTo("deny-telnet");
        assertThat(r.direction()).isEqualTo(Direction.BOTH);
        assertThat(r.dstPort()).isEqualTo(PortRange.single(23));
        assertThat(r.action()).isEqualTo(RuleAction.DENY);
      });
    });
  }

  @Test
  void hasTheWebVip() {
    assertThat(demo.loadBalancers()).singleElement().satisfies(lb -> {
      assertThat(lb.name()).isEqualTo("web-vip");
      assertThat(lb.vip()).isEqualTo(Ipv4.parse("203.0.113.80"));
      assertThat(lb.proto()).isEqualTo(Protocol.TCP);
      assertThat(lb.port()).isEqualTo(80);
      assertThat(lb.backends()).extracting(Object::toString).containsExactly("web1:8080", "web2:8080");
    });
  }
}
