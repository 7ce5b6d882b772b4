package org.nicflow.compiler.proactive;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.flow.Pipeline;
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

/** The whole proactive pipeline of a one-VM host, with table numbers shown as stage names. */
class CompiledPipelineGoldenTest {

  private static final Pattern TABLE = Pattern.compile("(table=|goto_table:)(\\d+)");

  private static Config tiny() {
    Rule web = new Rule("web", 100, Direction.IN, Protocol.TCP, Ipv4Prefix.ANY, Ipv4Prefix.ANY, PortRange.ANY,
        new PortRange(80, 81), OptionalInt.empty(), RuleAction.ALLOW, Optional.empty(), OptionalInt.empty(), false);
    Rule out = Rule.any("out", 10, RuleAction.ALLOW);
    return new Config(ControllerSettings.DEFAULTS.withMode(OffloadMode.PROACTIVE),
        List.of(new Host("h1", 1, "h1-up", Ipv4.parse("192.168.0.1"), Optional.of(MacAddress.parse("02:00:00:00:fe:01"))),
            new Host("h2", 2, "h2-up", Ipv4.parse("192.168.0.2"), Optional.empty())),
        List.of(new Vnet("blue", 7, Ipv4Prefix.parse("10.0.0.0/24"), Ipv4.parse("10.0.0.1"))),
        List.of(new Vm("a", "h1", "a-eth0", MacAddress.parse("02:00:00:00:00:0a"), Ipv4.parse("10.0.0.10"), "blue", "r",
                OptionalLong.of(1000)),
            new Vm("b", "h2", "b-eth0", MacAddress.parse("02:00:00:00:00:0b"), Ipv4.parse("10.0.0.11"), "blue", "r",
                OptionalLong.empty())),
        List.of(new RuleSet("r", List.of(new Layer("acl", DefaultAction.DENY, List.of(web, out))))),
        List.of());
  }

  private static String named(String rendered) {
    Matcher m = TABLE.matcher(rendered);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(sb, m.group(1) + Pipeline.nameOf(Integer.parseInt(m.group(2))));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  @Test
  void compilesTheWholePipelineOfAHost() {
    String text = named(new OvsFlowRenderer(true).renderAll(new HostPipelineCompiler(tiny()).proactiveFlows("h1")));

    assertThat(text).isEqualTo(GOLDEN);
  }

  private static final String GOLDEN = """
      table=classify,priority=200,cookie=0x4e10010000ffffff,arp,in_port=a-eth0,dl_src=02:00:00:00:00:0a,arp_op=1,arp_spa=10.0.0.10,arp_tpa=10.0.0.1,actions=set_field:02:00:00:00:00:0a->dl_dst,set_field:02:00:00:00:00:01->dl_src,set_field:2->arp_op,set_field:02:00:00:00:00:01->arp_sha,set_field:10.0.0.1->arp_spa,set_field:02:00:00:00:00:0a->arp_tha,set_field:10.0.0.10->arp_tpa,in_port
      table=classify,priority=200,cookie=0x4e10010000ffffff,arp,in_port=a-eth0,dl_src=02:00:00:00:00:0a,arp_op=1,arp_spa=10.0.0.10,arp_tpa=10.0.0.11,actions=set_field:02:00:00:00:00:0a->dl_dst,set_field:02:00:00:00:00:01->dl_src,set_field:2->arp_op,set_field:02:00:00:00:00:01->arp_sha,set_field:10.0.0.11->arp_spa,set_field:02:00:00:00:00:0a->arp_tha,set_field:10.0.0.10->arp_tpa,in_port
      table=classify,priority=100,cookie=0x4e00010000ffffff,ip,in_port=a-eth0,dl_src=02:00:00:00:00:0a,nw_src=10.0.0.10,actions=meter:1,write_metadata:0x1/0xffff,goto_table:unified
      table=classify,priority=50,cookie=0x4e00010000ffffff,in_port=a-eth0,actions=drop
      table=classify,priority=100,cookie=0x4e0000ffffffffff,ip,in_port=h1-up,actions=goto_table:unified
      table=classify,priority=100,cookie=0x4e0000ffffffffff,ip,in_port=tun-h2,actions=goto_table:unified
      table=classify,priority=0,cookie=0x4e0000ffffffffff,actions=drop
      table=unified,priority=11,cookie=0x4e40010000ffffff,tcp,in_port=a-eth0,tcp_flags=+syn,actions=goto_table:out_1
      table=unified,priority=10,cookie=0x4e40010000ffffff,in_port=a-eth0,actions=goto_table:out_1
      table=unified,priority=11,cookie=0x4e4000ffffffffff,tcp,in_port=tun-h2,tcp_flags=+syn,actions=goto_table:tunnel_in
      table=unified,priority=10,cookie=0x4e4000ffffffffff,in_port=tun-h2,actions=goto_table:tunnel_in
      table=unified,priority=11,cookie=0x4e4000ffffffffff,tcp,in_port=h1-up,tcp_flags=+syn,actions=goto_table:uplink_in
      table=unified,priority=10,cookie=0x4e4000ffffffffff,in_port=h1-up,actions=goto_table:uplink_in
      table=unified,priority=0,cookie=0x4e4000ffffffffff,actions=drop
      table=out_1,priority=60000,cookie=0x4e20010000000001,ip,metadata=0x1/0xffff,actions=goto_table:route
      table=out_1,priority=1,cookie=0x4e300100000fffff,metadata=0x1/0xffff,actions=drop
      table=route,priority=300,cookie=0x4e40010000ffffff,ip,metadata=0x1/0xffff,nw_dst=10.0.0.10,actions=write_metadata:0x10000/0xffff0000,goto_table:in_1
      table=route,priority=300,cookie=0x4e40010000ffffff,ip,metadata=0x1/0xffff,nw_dst=10.0.0.11,actions=write_metadata:0x20000/0xffff0000,goto_table:in_1
      table=route,priority=200,cookie=0x4e40010000ffffff,ip,metadata=0x1/0xffff,nw_dst=10.0.0.0/24,actions=drop
      table=route,priority=100,cookie=0x4e40010000ffffff,ip,metadata=0x1/0xffff,actions=set_field:02:00:00:00:00:01->dl_src,set_field:02:00:00:00:fe:01->dl_dst,output:h1-up
      table=in_1,priority=60000,cookie=0x4e20010000000000,tcp,metadata=0x10000/0xffff0000,tp_dst=0x50/0xfffe,actions=goto_table:deliver
      table=in_1,priority=59999,cookie=0x4e20010000000001,ip,metadata=0x10000/0xffff0000,actions=goto_table:deliver
      table=in_1,priority=1,cookie=0x4e300100000fffff,metadata=0x10000/0xffff0000,actions=drop
      table=in_1,priority=60000,cookie=0x4e20010001000000,tcp,metadata=0x20000/0xffff0000,tp_dst=0x50/0xfffe,actions=goto_table:deliver
      table=in_1,priority=59999,cookie=0x4e20010001000001,ip,metadata=0x20000/0xffff0000,actions=goto_table:deliver
      table=in_1,priority=1,cookie=0x4e300100010fffff,metadata=0x20000/0xffff0000,actions=drop
      table=tunnel_in,priority=100,cookie=0x4e40010000ffffff,ip,tun_id=0x7,nw_dst=10.0.0.10,actions=write_metadata:0x10000/0xffff0000,goto_table:in_1
      table=deliver,priority=110,cookie=0x4e40010000ffffff,ip,in_port=a-eth0,metadata=0x10000/0xffff0000,actions=set_field:02:00:00:00:00:01->dl_src,set_field:02:00:00:00:00:0a->dl_dst,in_port
      table=deliver,priority=100,cookie=0x4e40010000ffffff,ip,metadata=0x10000/0xffff0000,actions=set_field:02:00:00:00:00:01->dl_src,set_field:02:00:00:00:00:0a->dl_dst,output:a-eth0
      table=deliver,priority=100,cookie=0x4e40010001ffffff,ip,metadata=0x20000/0xffff0000,actions=set_field:02:00:00:00:00:01->dl_src,set_field:02:00:00:00:00:0b->dl_dst,set_field:0x7->tun_id,output:tun-h2
      """;
}
