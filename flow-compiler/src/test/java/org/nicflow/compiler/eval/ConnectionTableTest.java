package org.nicflow.compiler.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.model.Ipv4;

class ConnectionTableTest {

  private static final Ipv4 A = Ipv4.parse("10.1.0.11");
  private static final Ipv4 B = Ipv4.parse("10.1.0.13");

  private static Connection stateful(int scope, int sport, String owner) {
    FlowTuple t = new FlowTuple(scope, 6, A, sport, B, 80);
    return new Connection(t, t, owner, Connection.Kind.STATEFUL);
  }

  @Test
  void findsConnectionsByReplyKeyOriginalAndTranslated() {
    ConnectionTable table = new ConnectionTable();
    Connection c = stateful(5001, 40000, "web1");
    assertThat(table.add(c)).isTrue();
    assertThat(table.add(c)).isFalse();

    assertThat(table.byReplyKey(c.replyKey())).contains(c);
    assertThat(table.byOriginal(c.original())).contains(c);
    assertThat(table.translatedInUse(c.translated())).isTrue();
    assertThat(table.size()).isEqualTo(1);
  }

  @Test
  void pagesWalkTheTableInTheOrderAddedAndGoOnAfterTheLastOne() {
    ConnectionTable table = new ConnectionTable();
    for (int port = 1; port <= 5; port++) {
      table.add(stateful(5001, port, "web1"));
    }
    table.remove(stateful(5001, 2, "web1"));

    List<ConnectionTable.Numbered> first = table.page(0, 2);
    List<ConnectionTable.Numbered> second = table.page(first.get(1).sequence(), 2);
    table.add(stateful(5001, 6, "web1"));
    List<ConnectionTable.Numbered> third = table.page(second.get(1).sequence(), 2);

    assertThat(first).extracting(n -> n.connection().original().srcPort()).containsExactly(1, 3);
    assertThat(second).extracting(n -> n.connection().original().srcPort()).containsExactly(4, 5);
    assertThat(third).extracting(n -> n.connection().original().srcPort()).containsExactly(6);
    assertThat(table.page(third.get(0).sequence(), 2)).isEmpty();
  }

  @Test
  void scopeAndOwnerKeepTenantsApart() {
    ConnectionTable table = new ConnectionTable();
    Connection blue = stateful(5001, 40000, "web1");
    Connection red = stateful(5002, 40000, "red1");
    table.add(blue);
    table.add(red);

    assertThat(table.allByReplyKey(blue.replyKey())).containsExactly(blue);
    assertThat(table.byReplyKey(blue.replyKey(), "red1")).isEmpty();
    assertThat(table.byReplyKey(red.replyKey(), "red1")).contains(red);
  }

  @Test
  void holdsOneConnectionPerOwnerForTheSameTuple() {
    ConnectionTable table = new ConnectionTable();
    Connection mine = stateful(5001, 1, "web1");
    Connection theirs = stateful(5001, 1, "db1");
    table.add(mine);
    table.add(theirs);

    assertThat(table.allByReplyKey(mine.replyKey())).containsExactly(mine, theirs);
    assertThat(table.byOriginal(mine.original(), "db1")).contains(theirs);
  }

  @Test
  void removesOneOrEveryConnectionOfAVm() {
    ConnectionTable table = new ConnectionTable();
    Connection a = stateful(5001, 1, "web1");
    Connection b = stateful(5001, 2, "web1");
    Connection c = stateful(5001, 3, "db1");
    List.of(a, b, c).forEach(table::add);

    assertThat(table.remove(a)).isTrue();
    assertThat(table.remove(a)).isFalse();
    assertThat(table.byReplyKey(a.replyKey())).isEmpty();
    assertThat(table.translatedInUse(a.translated())).isFalse();

    assertThat(table.removeOwnedBy("web1")).containsExactly(b);
    assertThat(table.all()).containsExactly(c);
  }

  @Test
  void concurrentAddsAndRemovesLeaveAConsistentTable() throws Exception {
    ConnectionTable table = new ConnectionTable();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          for (int i = 0; i < 2_000; i++) {
            Connection c = stateful(5001, thread * 10_000 + i, "vm" + thread);
            table.add(c);
            if (i % 2 == 0) {
              table.remove(c);
            }
          }
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(table.size()).isEqualTo(4_000);
    assertThat(table.all()).allSatisfy(c -> assertThat(table.byReplyKey(c.replyKey())).contains(c));
  }
}
