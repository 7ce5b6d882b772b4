package org.nicflow.compiler.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Direction;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.packet.PacketHeaders;

class PacketSpecTest {

  private static final Config CONFIG = EvalFixtures.world().build();
  private static final Vm WEB1 = CONFIG.vm("web1").orElseThrow();

  @Test
  void outboundFillsTheVmsOwnSource() {
    PacketHeaders p = PacketSpec.parse("tcp,nw_dst=10.1.0.13,tp_src=40000,tp_dst=5432", CONFIG, WEB1, Direction.OUT);

    assertThat(p).isEqualTo(new PacketHeaders(WEB1.mac(), EvalFixtures.GATEWAY, Protocol.IPPROTO_TCP, WEB1.ip(),
        Ipv4.parse("10.1.0.13"), 40000, 5432, 0));
    assertThat(PacketSpec.ingress(CONFIG, WEB1, Direction.OUT, p)).isEqualTo(new Ingress.VmPort("host1", "web1"));
  }

  @Test
  void inboundFromAVmOfTheVnetEntersOnThatVmsPort() {
    PacketHeaders p = PacketSpec.parse("udp,nw_src=10.1.0.12,tp_dst=53", CONFIG, WEB1, Direction.IN);

    assertThat(p.nwDst()).isEqualTo(WEB1.ip());
    assertThat(p.ethSrc()).isEqualTo(CONFIG.vm("web2").orElseThrow().mac());
    assertThat(p.tpSrc()).isEqualTo(49152);
    assertThat(PacketSpec.ingress(CONFIG, WEB1, Direction.IN, p)).isEqualTo(new Ingress.VmPort("host2", "web2"));
    assertThat(new ReferenceEvaluator(CONFIG).evaluate(PacketSpec.ingress(CONFIG, WEB1, Direction.IN, p), p,
        ConnectionLookup.NONE).output().orElseThrow().port()).isEqualTo("tun-host1");
  }

  @Test
  void inboundFromOutsideTheVnetEntersOnTheUplink() {
    PacketHeaders p = PacketSpec.parse("tcp,nw_src=198.51.100.7,nw_dst=203.0.113.80,tp_dst=80", CONFIG, WEB1,
        Direction.IN);

    assertThat(p.nwDst()).isEqualTo(Ipv4.parse("203.0.113.80"));
    assertThat(p.ethSrc()).isEqualTo(EvalFixtures.NEXT_HOP_1);
    assertThat(PacketSpec.ingress(CONFIG, WEB1, Direction.IN, p)).isEqualTo(new Ingress.Uplink("host1"));
  }

  @Test
  void icmpDefaultsToEchoRequestAndTakesTypeAndCode() {
    PacketHeaders ping = PacketSpec.parse("icmp,nw_dst=10.1.0.12", CONFIG, WEB1, Direction.OUT);
    PacketHeaders unreachable = PacketSpec.parse("icmp,nw_dst=10.1.0.12,icmp_type=3,icmp_code=1", CONFIG, WEB1,
        Direction.OUT);

    assertThat(ping.tpSrc()).isEqualTo(8);
    assertThat(ping.tpDst()).isZero();
    assertThat(unreachable.tpSrc()).isEqualTo(3);
    assertThat(unreachable.tpDst()).isEqualTo(1);
  }

  @Test
  void takesDscpMacsAndOtherProtocols() {
    PacketHeaders p = PacketSpec.parse(" ip , nw_proto=47, nw_dst=10.1.0.12, ip_dscp=46, dl_dst=02:00:00:00:00:99",
        CONFIG, WEB1, Direction.OUT);

    assertThat(p.ipProto()).isEqualTo(47);
    assertThat(p.dscp()).isEqualTo(46);
    assertThat(p.ethDst()).isEqualTo(MacAddress.parse("02:00:00:00:00:99"));
  }

  static Stream<Arguments> bad() {
    return Stream.of(
        Arguments.of("", "empty packet"),
        Arguments.of("nw_dst=10.1.0.12", "no protocol"),
        Arguments.of("sctp,nw_dst=10.1.0.12", "unknown keyword 'sctp'"),
        Arguments.of("tcp,udp,nw_dst=10.1.0.12,tp_dst=1", "more than one protocol"),
        Arguments.of("tcp,nw_dst=10.1.0.12", "tp_dst is required"),
        Arguments.of("tcp,nw_dst=10.1.0.12,tp_dst=70000", "tp_dst: 70000 is outside 0-65535"),
        Arguments.of("tcp,nw_dst=10.1.0.12,tp_dst=http", "tp_dst: not a number: 'http'"),
        Arguments.of("tcp,nw_dst=10.1.0.300,tp_dst=1", "nw_dst: not an IPv4 address"),
        Arguments.of("tcp,tp_dst=1", "nw_dst is required for direction out"),
        Arguments.of("tcp,nw_dst=10.1.0.12,tp_dst=1,tp_dst=2", "tp_dst given twice"),
        Arguments.of("tcp,nw_dst=10.1.0.12,tp_dst=1,foo=2", "unknown field 'foo'"),
        Arguments.of("icmp,nw_dst=10.1.0.12,tp_dst=1", "tp_src/tp_dst need tcp or udp"),
        Arguments.of("tcp,nw_dst=10.1.0.12,tp_dst=1,icmp_type=8", "icmp_type/icmp_code/icmp_id need icmp"),
        Arguments.of("tcp,nw_dst=10.1.0.12,tp_dst=1,ip_dscp=64", "ip_dscp: 64 is outside 0-63"),
        Arguments.of("tcp,nw_dst=10.1.0.12,tp_dst=1,dl_src=zz", "dl_src: not a MAC address"),
        Arguments.of("tcp,,nw_dst=10.1.0.12", "empty field"),
        Arguments.of("tcp,nw_proto=6,nw_dst=10.1.0.12,tp_dst=1", "nw_proto goes with 'ip'"));
  }

  @ParameterizedTest(name = "''{0}'' -> {1}")
  @MethodSource("bad")
  void rejectsBadInputWithAClearMessage(String spec, String message) {
    assertThatThrownBy(() -> PacketSpec.parse(spec, CONFIG, WEB1, Direction.OUT))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
  }

  @Test
  void inboundNeedsASource() {
    assertThatThrownBy(() -> PacketSpec.parse("tcp,tp_dst=80", CONFIG, WEB1, Direction.IN))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nw_src is required for direction in");
  }
}
