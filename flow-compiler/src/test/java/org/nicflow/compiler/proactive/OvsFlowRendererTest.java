package org.nicflow.compiler.proactive;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.flow.Cookie;
import org.nicflow.compiler.flow.FieldMatch;
import org.nicflow.compiler.flow.FlowAction;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.FlowKind;
import org.nicflow.compiler.flow.FlowMatch;
import org.nicflow.compiler.flow.LearnSpec;
import org.nicflow.compiler.flow.MatchField;
import org.nicflow.compiler.flow.MeterSpec;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.MacAddress;

class OvsFlowRendererTest {

  private static final long COOKIE = new Cookie(FlowKind.RULE, 1, 0, 0, 2).encode();

  @Test
  void rendersMaskedPortsPrefixesAndMetadata() {
    FlowEntry f = FlowEntry.builder(Pipeline.inTable(1), 60000)
        .match(FlowMatch.builder().masked(MatchField.METADATA, 0x10000, 0xffff0000L).exact(MatchField.ETH_TYPE, 0x0800)
            .exact(MatchField.IP_PROTO, 6).masked(MatchField.IPV4_SRC, Ipv4.parse("10.1.0.0").unsigned(), 0xffff0000L)
            .masked(MatchField.TCP_DST, 0x1f40, 0xffc0).build())
        .gotoTable(Pipeline.inTable(2)).cookie(COOKIE).build();

    assertThat(new OvsFlowRenderer(false).render(f)).isEqualTo(
        "table=30,priority=60000,cookie=0x4e20010000000002,tcp,metadata=0x10000/0xffff0000,nw_src=10.1.0.0/16,"
            + "tp_dst=0x1f40/0xffc0,actions=goto_table:31");
  }

  @Test
  void rendersMeterOnlyWhenAsked() {
    FlowEntry f = FlowEntry.builder(Pipeline.CLASSIFY, 100)
        .match(FlowMatch.builder().inPort("web1-eth0").exact(MatchField.ETH_SRC, MacAddress.parse("02:00:00:00:01:0b")
            .bits()).exact(MatchField.ETH_TYPE, 0x0800).exact(MatchField.IPV4_SRC, Ipv4.parse("10.1.0.11").unsigned())
            .build())
        .meter(1).writeMetadata(0x1, 0xffff).gotoTable(Pipeline.UNIFIED).cookie(0x4e00010000ffffffL).build();

    assertThat(new OvsFlowRenderer(true).render(f)).isEqualTo(
        "table=0,priority=100,cookie=0x4e00010000ffffff,ip,in_port=web1-eth0,dl_src=02:00:00:00:01:0b,"
            + "nw_src=10.1.0.11,actions=meter:1,write_metadata:0x1/0xffff,goto_table:1");
    assertThat(new OvsFlowRenderer(false).render(f)).isEqualTo(
        "table=0,priority=100,cookie=0x4e00010000ffffff,ip,in_port=web1-eth0,dl_src=02:00:00:00:01:0b,"
            + "nw_src=10.1.0.11,actions=write_metadata:0x1/0xffff,goto_table:1");
  }

  @Test
  void rendersSetFieldsTunnelOutputAndTimeouts() {
    FlowEntry f = FlowEntry.builder(Pipeline.UNIFIED, 1000)
        .match(FlowMatch.builder().inPort("tun-host2").exact(MatchField.TUN_ID, 5001).exact(MatchField.ETH_TYPE, 0x0800)
            .exact(MatchField.IP_PROTO, 17).exact(MatchField.IPV4_DST, Ipv4.parse("10.1.0.11").unsigned())
            .exact(MatchField.UDP_DST, 53).build())
        .action(new FlowAction.SetField(MatchField.IP_DSCP, 46))
        .action(new FlowAction.SetField(MatchField.ETH_DST, MacAddress.parse("02:00:00:00:01:0b").bits()))
        .action(new FlowAction.SetField(MatchField.TUN_ID, 5002)).action(new FlowAction.Output("tun-host3"))
        .cookie(0x4e5001000010ffffL).idleTimeout(10).hardTimeout(300).sendFlowRemoved(true).build();

    assertThat(new OvsFlowRenderer(false).render(f)).isEqualTo(
        "table=1,priority=1000,cookie=0x4e5001000010ffff,idle_timeout=10,hard_timeout=300,send_flow_rem,udp,"
            + "in_port=tun-host2,tun_id=0x1389,nw_dst=10.1.0.11,tp_dst=53,actions=set_field:46->ip_dscp,"
            + "set_field:02:00:00:00:01:0b->dl_dst,set_field:0x138a->tun_id,output:tun-host3");
  }

  @Test
  void rendersDropControllerInPortAndArp() {
    FlowEntry drop = FlowEntry.builder(Pipeline.CLASSIFY, 0).cookie(Cookie.base(FlowKind.BASE).encode()).build();
    FlowEntry toController = FlowEntry.builder(Pipeline.UPLINK_IN, 200)
        .match(FlowMatch.builder().exact(MatchField.ETH_TYPE, 0x0800).exact(MatchField.IP_PROTO, 1)
            .exact(MatchField.ICMPV4_TYPE, 8).build())
        .action(new FlowAction.OutputController()).build();
    FlowEntry arp = FlowEntry.builder(Pipeline.CLASSIFY, 200)
        .match(FlowMatch.builder().exact(MatchField.ETH_TYPE, 0x0806).exact(MatchField.ARP_OP, 1)
            .exact(MatchField.ARP_TPA, Ipv4.parse("10.1.0.1").unsigned()).build())
        .action(new FlowAction.SetField(MatchField.ARP_OP, 2))
        .action(new FlowAction.SetField(MatchField.ARP_SPA, Ipv4.parse("10.1.0.1").unsigned()))
        .action(new FlowAction.OutputInPort()).build();

    assertThat(new OvsFlowRenderer(false).renderAll(List.of(drop, toController, arp))).isEqualTo(
        "table=0,priority=0,cookie=0x4e0000ffffffffff,actions=drop\n"
            + "table=3,priority=200,cookie=0x0,icmp,icmp_type=8,actions=controller\n"
            + "table=0,priority=200,cookie=0x0,arp,arp_op=1,arp_tpa=10.1.0.1,actions=set_field:2->arp_op,"
            + "set_field:10.1.0.1->arp_spa,in_port\n");
  }

  @Test
  void rendersNonPrefixMasksAndOtherProtocols() {
    FlowEntry f = FlowEntry.builder(Pipeline.outTable(1), 5)
        .match(FlowMatch.builder().exact(MatchField.ETH_TYPE, 0x0800).exact(MatchField.IP_PROTO, 47)
            .masked(MatchField.IPV4_DST, Ipv4.parse("10.0.0.1").unsigned(), Ipv4.parse("255.0.0.255").unsigned())
            .build())
        .build();

    assertThat(new OvsFlowRenderer(false).render(f))
        .isEqualTo("table=10,priority=5,cookie=0x0,ip,nw_proto=47,nw_dst=10.0.0.1/255.0.0.255,actions=drop");
  }

  @Test
  void rendersTcpFlagsAsOvsDumpsThemAndUnnamedBitsInHex() {
    FlowMatch.Builder tcp = FlowMatch.builder().exact(MatchField.ETH_TYPE, 0x0800).exact(MatchField.IP_PROTO, 6);
    OvsFlowRenderer r = new OvsFlowRenderer(false);

    assertThat(r.renderMatch(tcp.masked(MatchField.TCP_FLAGS, 0x002, 0x002).build().fields()))
        .isEqualTo("tcp,tcp_flags=+syn");
    assertThat(r.renderMatch(tcp.replace(new FieldMatch(MatchField.TCP_FLAGS, 0x002, 0x012, null)).build().fields()))
        .isEqualTo("tcp,tcp_flags=+syn-ack");
    assertThat(r.renderMatch(tcp.replace(new FieldMatch(MatchField.TCP_FLAGS, 0x800, 0x800, null)).build().fields()))
        .isEqualTo("tcp,tcp_flags=0x800/0x800");
  }

  @Test
  void quotesPortNamesOvsWouldMisread() {
    assertThat(OvsFlowRenderer.portName("web1-eth0")).isEqualTo("web1-eth0");
    assertThat(OvsFlowRenderer.portName("tun-host.2")).isEqualTo("tun-host.2");
    assertThat(OvsFlowRenderer.portName("42")).isEqualTo("\"42\"");
    assertThat(OvsFlowRenderer.portName("LOCAL")).isEqualTo("\"LOCAL\"");
    assertThat(OvsFlowRenderer.portName("a,b")).isEqualTo("\"a,b\"");
    assertThat(OvsFlowRenderer.portName("q\"x")).isEqualTo("\"q\\\"x\"");
  }

  @Test
  void rendersAMeterWithOneDropBand() {
    assertThat(new OvsFlowRenderer(true).renderMeter(new MeterSpec(1, 50000, "web1")))
        .isEqualTo("meter=1,kbps,band=type=drop,rate=50000");
  }

  @Test
  void rendersAMissMeterInPacketsPerSecondWithItsBurst() {
    MeterSpec miss = MeterSpec.missBudget(65537, new org.nicflow.compiler.model.MissBudget(2000, 500), "web1");

    assertThat(new OvsFlowRenderer(true).renderMeter(miss))
        .isEqualTo("meter=65537,pktps,burst,band=type=drop,rate=2000,burst_size=500");
  }

  @Test
  void rendersResubmitAndLearnWithNxmFieldNames() {
    FlowEntry f = FlowEntry.builder(Pipeline.LEARN_SENDER, 100)
        .match(FlowMatch.builder().masked(MatchField.METADATA, 0x800000001L, 0x7ff80000ffffL)
            .exact(MatchField.ETH_TYPE, 0x0800).exact(MatchField.IP_PROTO, 17).build())
        .action(new FlowAction.Resubmit(Pipeline.STATE_SENDER))
        .action(new FlowAction.Learn(Pipeline.STATE_RECEIVER, 100, 10, 0x4e90010000000004L, List.of(
            new LearnSpec.MatchValue(MatchField.ETH_TYPE, 0x0800),
            new LearnSpec.MatchCopy(MatchField.METADATA, 0, MatchField.METADATA, 16, 16),
            LearnSpec.MatchCopy.whole(MatchField.UDP_SRC, MatchField.UDP_DST),
            new LearnSpec.LoadMetadata(1, 33, 1))))
        .cookie(COOKIE).build();

    assertThat(new OvsFlowRenderer(false).render(f)).isEqualTo(
        "table=52,priority=100,cookie=0x4e20010000000002,udp,metadata=0x800000001/0x7ff80000ffff,"
            + "actions=resubmit(,50),learn(table=51,idle_timeout=10,priority=100,cookie=0x4e90010000000004,"
            + "NXM_OF_ETH_TYPE[]=0x800,OXM_OF_METADATA[0..15]=OXM_OF_METADATA[16..31],"
            + "NXM_OF_UDP_SRC[]=NXM_OF_UDP_DST[],load:0x1->OXM_OF_METADATA[33])");
  }
}
