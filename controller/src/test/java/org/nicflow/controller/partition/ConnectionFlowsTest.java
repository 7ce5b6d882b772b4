package org.nicflow.controller.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.eval.Connection;
import org.nicflow.compiler.eval.ConnectionTable;
import org.nicflow.compiler.eval.FlowTuple;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.FlowMatch;
import org.nicflow.compiler.model.Ipv4;

class ConnectionFlowsTest {

  private static final Ipv4 PUBLIC_IP = Ipv4.parse("203.0.113.10");
  private static final Ipv4 REMOTE = Ipv4.parse("198.51.100.7");

  private final ConnectionTable table = new ConnectionTable();
  private final ConnectionFlows flows = new ConnectionFlows(table);

  private static Connection snat(String vm, String ip, int srcPort, int publicPort) {
    FlowTuple original = new FlowTuple(5001, 6, Ipv4.parse(ip), srcPort, REMOTE, 443);
    FlowTuple translated = new FlowTuple(FlowTuple.PUBLIC, 6, PUBLIC_IP, publicPort, REMOTE, 443);
    return new Connection(original, translated, vm, Connection.Kind.SNAT);
  }

  @Test
  void aSnatTranslationHeldByAnotherLiveConnectionCannotBeClaimed() {
    Connection first = snat("web1", "10.1.0.11", 40000, 2000);
    Connection rival = snat("web2", "10.1.0.12", 40000, 2000);

    assertThat(flows.claim(List.of(first))).isTrue();
    assertThat(flows.claim(List.of(rival))).as("same public port for another connection").isFalse();
    assertThat(table.contains(rival)).isFalse();
    assertThat(flows.claim(List.of(first))).as("the same connection again (a retransmission)").isTrue();
  }

  @Test
  void aClaimNoFlowCarriedIsGivenBackAndOneAFlowCarriesIsKept() {
    Connection carried = snat("web1", "10.1.0.11", 40001, 2001);
    Connection dropped = snat("web1", "10.1.0.11", 40002, 2002);
    FlowEntry.FlowKey key = FlowEntry.builder("unified", 1000).match(FlowMatch.builder().build()).build().key();

    assertThat(flows.claim(List.of(carried, dropped))).isTrue();
    flows.opened(1L, List.of(carried), List.of(key));
    flows.release(List.of(carried, dropped));

    assertThat(table.contains(carried)).isTrue();
    assertThat(table.contains(dropped)).isFalse();
    assertThat(flows.claim(List.of(snat("web2", "10.1.0.12", 40002, 2002)))).as("its port is free again").isTrue();
  }
}
