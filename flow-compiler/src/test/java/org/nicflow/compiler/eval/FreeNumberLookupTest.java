package org.nicflow.compiler.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.testing.PropertyRun;

/**
 * The free-port and free-identifier searches of the connection table and of a table overlaid with
 * extra connections answer as a search port by port through {@link ConnectionLookup#translatedInUse}.
 */
class FreeNumberLookupTest {

  private static final Ipv4 VM = Ipv4.parse("10.1.0.11");
  private static final Ipv4 PUBLIC = Ipv4.parse("203.0.113.10");
  private static final Ipv4 REMOTE = Ipv4.parse("198.51.100.7");

  private static Connection snat(int originalPort, int publicPort) {
    return new Connection(new FlowTuple(5001, Protocol.IPPROTO_TCP, VM, originalPort, REMOTE, 443),
        new FlowTuple(FlowTuple.PUBLIC, Protocol.IPPROTO_TCP, PUBLIC, publicPort, REMOTE, 443), "web1",
        Connection.Kind.SNAT);
  }

  private static Connection echo(int originalId, int publicId) {
    return new Connection(new FlowTuple(5001, Protocol.IPPROTO_ICMP, VM, 8, REMOTE, 256, originalId),
        new FlowTuple(FlowTuple.PUBLIC, Protocol.IPPROTO_ICMP, PUBLIC, 8, REMOTE, 256, publicId), "web1",
        Connection.Kind.SNAT);
  }

  /** The same answers as the default search, which asks about each number in turn. */
  private static ConnectionLookup portByPort(ConnectionLookup lookup) {
    return EvalFixtures.takenTranslations(lookup::translatedInUse);
  }

  @Test
  void anOverlaidTableSkipsItsExtraConnectionsAndWrapsRound() {
    ConnectionTable table = ConnectionTable.of(List.of(snat(1, 2000), snat(2, 2003)));
    ConnectionLookup overlaid = table.with(List.of(snat(3, 2001), snat(4, 2004), snat(5, 2002)));
    FlowTuple from2000 = snat(9, 2000).translated();

    assertThat(table.freeSourcePort(from2000, 2000, 2004)).hasValue(2001);
    assertThat(overlaid.freeSourcePort(from2000, 2000, 2004)).as("2001, 2002 extra, 2003 live, 2004 extra")
        .isEmpty();
    assertThat(overlaid.freeSourcePort(from2000, 2000, 2005)).hasValue(2005);
    assertThat(overlaid.freeSourcePort(snat(9, 2004).translated(), 1999, 2004)).as("wrapped round").hasValue(1999);
  }

  @Test
  void tableAndOverlaidTableAgreeWithTheSearchPortByPort() {
    PropertyRun.of("free number lookup", 50).forEach((seed, rnd) -> {
      int lo = 1024 + rnd.nextInt(100);
      int hi = lo + rnd.nextInt(40);
      List<Connection> live = new ArrayList<>();
      List<Connection> extra = new ArrayList<>();
      for (int n = lo; n <= hi; n++) {
        int pick = rnd.nextInt(4);
        if (pick == 0) {
          live.add(snat(n, n));
          live.add(echo(n, n));
        } else if (pick == 1) {
          extra.add(snat(n, n));
          extra.add(echo(n, n));
        }
      }
      ConnectionTable table = ConnectionTable.of(live);
      ConnectionLookup overlaid = table.with(extra);
      for (int start = lo; start <= hi; start++) {
        FlowTuple port = snat(0, start).translated();
        FlowTuple id = echo(0, start).translated();
        for (ConnectionLookup lookup : List.of(table, overlaid)) {
          OptionalInt expectedPort = portByPort(lookup).freeSourcePort(port, lo, hi);
          assertThat(lookup.freeSourcePort(port, lo, hi)).as("port from %d in %d-%d", start, lo, hi)
              .isEqualTo(expectedPort);
          assertThat(lookup.freeQueryId(id, lo, hi)).as("identifier from %d", start)
              .isEqualTo(portByPort(lookup).freeQueryId(id, lo, hi));
        }
      }
    });
  }

  @Test
  void aPortFreesWhenTheLastConnectionHoldingItEnds() {
    Connection a = snat(1, 3000);
    ConnectionTable table = ConnectionTable.of(List.of(a));
    FlowTuple from3000 = snat(9, 3000).translated();
    assertThat(table.freeSourcePort(from3000, 3000, 3001)).hasValue(3001);
    table.remove(a);
    assertThat(table.freeSourcePort(from3000, 3000, 3001)).hasValue(3000);
  }
}
