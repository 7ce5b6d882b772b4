package org.nicflow.compiler.proactive;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.nicflow.compiler.model.Backend;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.ControllerSettings;
import org.nicflow.compiler.model.DefaultAction;
import org.nicflow.compiler.model.Direction;
import org.nicflow.compiler.model.Host;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.Ipv4Prefix;
import org.nicflow.compiler.model.Layer;
import org.nicflow.compiler.model.LoadBalancer;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.model.OffloadMode;
import org.nicflow.compiler.model.PortRange;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.model.Rule;
import org.nicflow.compiler.model.RuleAction;
import org.nicflow.compiler.model.RuleSet;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.model.Vnet;

/**
 * Two hosts, two VNETs with the same prefix (blue and red), rule sets exercising port ranges,
 * equal priorities, stateful allow, SNAT, DSCP and defaults; host2 has no next-hop MAC.
 */
final class TwoHostFixture {

  static final MacAddress GW = MacAddress.DEFAULT_GATEWAY;
  static final MacAddress NEXT_HOP = MacAddress.parse("02:00:00:00:fe:01");
  static final Ipv4 SNAT_TO = Ipv4.parse("203.0.113.10");
  static final Ipv4 VIP = Ipv4.parse("203.0.113.80");

  private TwoHostFixture() {}

  static Config config(OffloadMode mode) {
    List<Host> hosts = List.of(
        new Host("host1", 1, "host1-up", Ipv4.parse("192.168.50.1"), Optional.of(NEXT_HOP)),
        new Host("host2", 2, "host2-up", Ipv4.parse("192.168.50.2"), Optional.empty()));
    List<Vnet> vnets = List.of(
        new Vnet("blue", 5001, Ipv4Prefix.parse("10.1.0.0/16"), Ipv4.parse("10.1.0.1")),
        new Vnet("red", 5002, Ipv4Prefix.parse("10.1.0.0/16"), Ipv4.parse("10.1.0.1")));
    List<Vm> vms = List.of(
        vm("web1", "host1", "02:00:00:00:01:0b", "10.1.0.11", "blue", "web", OptionalLong.of(50000)),
        vm("web2", "host2", "02:00:00:00:01:0c", "10.1.0.12", "blue", "web", OptionalLong.empty()),
        vm("db1", "host1", "02:00:00:00:01:15", "10.1.0.21", "blue", "db", OptionalLong.empty()),
        vm("red1", "host1", "02:00:00:00:02:0b", "10.1.0.11", "red", "open", OptionalLong.empty()),
        vm("red2", "host2", "02:00:00:00:02:0c", "10.1.0.12", "red", "open", OptionalLong.of(1000)));
    RuleSet web = new RuleSet("web", List.of(
        new Layer("acl", DefaultAction.DENY, List.of(
            rule("http-in", 100, Direction.IN, Protocol.TCP, "any", "any", "any", "8000-8099", RuleAction.ALLOW),
            rule("ssh-in", 90, Direction.IN, Protocol.TCP, "10.1.0.0/24", "any", "any", "22", RuleAction.ALLOW),
            rule("ping", 50, Direction.BOTH, Protocol.ICMP, "any", "any", "any", "any", RuleAction.ALLOW),
            stateful("all-out", 10, Direction.OUT))),
        new Layer("nat", DefaultAction.ALLOW, List.of(
            rule("east-west", 20, Direction.OUT, Protocol.ANY, "any", "10.1.0.0/16", "any", "any", RuleAction.ALLOW),
            snat("snat", 10)))));
    RuleSet db = new RuleSet("db", List.of(
        new Layer("acl", DefaultAction.DENY, List.of(
            rule("mysql-in", 100, Direction.IN, Protocol.TCP, "10.1.0.0/24", "any", "any", "3306", RuleAction.ALLOW),
            rule("no-web2", 100, Direction.IN, Protocol.ANY, "10.1.0.12", "any", "any", "any", RuleAction.DENY),
            rule("ephemeral", 80, Direction.BOTH, Protocol.UDP, "any", "any", "1024-65535", "1000-1999",
                RuleAction.ALLOW),
            rule("out-any", 10, Direction.OUT, Protocol.ANY, "any", "any", "any", "any", RuleAction.ALLOW))),
        new Layer("qos", DefaultAction.ALLOW, List.of(dscp("udp-ef", 5, 46)))));
    RuleSet open = new RuleSet("open", List.of(
        new Layer("all", DefaultAction.ALLOW, List.of(
            rule("no-dns", 100, Direction.BOTH, Protocol.UDP, "any", "any", "any", "53", RuleAction.DENY)))));
    List<LoadBalancer> lbs = List.of(new LoadBalancer("web-vip", VIP, Protocol.TCP, 80,
        List.of(new Backend("web1", 8080), new Backend("web2", 8080))));
    return new Config(ControllerSettings.DEFAULTS.withMode(mode), hosts, vnets, vms, List.of(web, db, open), lbs);
  }

  private static Vm vm(String name, String host, String mac, String ip, String vnet, String ruleset,
      OptionalLong meter) {
    return new Vm(name, host, name + "-eth0", MacAddress.parse(mac), Ipv4.parse(ip), vnet, ruleset, meter);
  }

  static Rule rule(String id, int prio, Direction dir, Protocol proto, String src, String dst, String sport,
      String dport, RuleAction action) {
    return new Rule(id, prio, dir, proto, prefix(src), prefix(dst), ports(sport), ports(dport), OptionalInt.empty(),
        action, Optional.empty(), OptionalInt.empty(), false);
  }

  private static Rule stateful(String id, int prio, Direction dir) {
    return new Rule(id, prio, dir, Protocol.ANY, Ipv4Prefix.ANY, Ipv4Prefix.ANY, PortRange.ANY, PortRange.ANY,
        OptionalInt.empty(), RuleAction.ALLOW, Optional.empty(), OptionalInt.empty(), true);
  }

  private static Rule snat(String id, int prio) {
    return new Rule(id, prio, Direction.OUT, Protocol.ANY, Ipv4Prefix.ANY, Ipv4Prefix.ANY, PortRange.ANY,
        PortRange.ANY, OptionalInt.empty(), RuleAction.SNAT, Optional.of(SNAT_TO), OptionalInt.empty(), false);
  }

  private static Rule dscp(String id, int prio, int value) {
    return new Rule(id, prio, Direction.OUT, Protocol.UDP, Ipv4Prefix.ANY, Ipv4Prefix.ANY, PortRange.ANY,
        PortRange.ANY, OptionalInt.empty(), RuleAction.SET_DSCP, Optional.empty(), OptionalInt.of(value), false);
  }

  private static Ipv4Prefix prefix(String s) {
    return s.equals("any") ? Ipv4Prefix.ANY : Ipv4Prefix.parse(s);
  }

  private static PortRange ports(String s) {
    return s.equals("any") ? PortRange.ANY : PortRange.parse(s);
  }
}
