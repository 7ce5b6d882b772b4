package org.nicflow.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.nicflow.compiler.config.ConfigException;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.eval.Connection;
import org.nicflow.compiler.eval.ConnectionLookup;
import org.nicflow.compiler.eval.ConnectionTable;
import org.nicflow.compiler.eval.Decision;
import org.nicflow.compiler.eval.FlowTuple;
import org.nicflow.compiler.eval.Ingress;
import org.nicflow.compiler.eval.ReferenceEvaluator;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.Protocol;
import org.nicflow.compiler.model.SnatShares;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.packet.PacketHeaders;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The decision for a new SNAT connection of {@code web1} in {@code examples/demo.yaml} (its share
 * of 203.0.113.10 is 1024-33279; web2 has the rest) to one remote endpoint, with {@code occupancy}
 * of its share already taken towards that endpoint by live connections: {@code 0}, {@code 99}
 * (percent, ports taken at random) or {@code all-but-one} (every port of the share but its lowest,
 * which a search finds only after wrapping round: past half the share on average). {@code lookup}: {@code table} is the connection table,
 * which finds a free port in constant time; {@code probe} is the same table asked port by port
 * ({@link ConnectionLookup}'s default search, what allocation cost before). The table is not
 * changed, so each call allocates against the same occupancy.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class SnatAllocationBenchmark {

  static final Ipv4 PUBLIC = Ipv4.parse("203.0.113.10");
  static final Ipv4 REMOTE = Ipv4.parse("198.51.100.7");
  static final int REMOTE_PORT = 443;
  static final int FIRST_NEW_SPORT = 60_000;
  static final int NEW_CONNECTIONS = 1024;

  @Param("examples/demo.yaml")
  String configFile;

  @Param({"0", "99", "all-but-one"})
  String occupancy;

  @Param({"table", "probe"})
  String lookup;

  private ReferenceEvaluator evaluator;
  private ConnectionLookup connections;
  private Ingress ingress;
  private PacketHeaders[] packets;
  private int next;

  @Setup(Level.Trial)
  public void setUp() throws ConfigException {
    Config config = new ConfigLoader().load(Path.of(configFile));
    evaluator = new ReferenceEvaluator(config);
    Vm web1 = config.vm("web1").orElseThrow();
    int vni = config.vnetOf(web1).vni();
    SnatShares.Share share = SnatShares.of(config, SnatShares.PORT_SPACE).of("web1", PUBLIC);
    ingress = new Ingress.VmPort(web1.host(), web1.name());
    packets = new PacketHeaders[NEW_CONNECTIONS];
    for (int i = 0; i < NEW_CONNECTIONS; i++) {
      packets[i] = PacketHeaders.tcp(web1.mac(), config.controller().gatewayMac(), web1.ip(), REMOTE,
          FIRST_NEW_SPORT + i, REMOTE_PORT);
    }
    ConnectionTable table = new ConnectionTable();
    Random random = new Random(7);
    int sport = 1;
    for (int port = share.lo(); port <= share.hi(); port++) {
      if (taken(port, share, random)) {
        table.add(new Connection(new FlowTuple(vni, Protocol.IPPROTO_TCP, web1.ip(), sport++, REMOTE, REMOTE_PORT),
            new FlowTuple(FlowTuple.PUBLIC, Protocol.IPPROTO_TCP, PUBLIC, port, REMOTE, REMOTE_PORT), "web1",
            Connection.Kind.SNAT));
      }
    }
    connections = lookup.equals("table") ? table : new PortByPort(table);
    Decision first = evaluator.evaluate(ingress, packets[0], connections);
    if (!first.allowed()) {
      throw new IllegalStateException("no port left: " + first.dropReason());
    }
    System.out.println("web1's share " + share + ", " + table.size() + " ports taken; first new port "
        + first.packet().tpSrc());
  }

  /** Whether {@code port} is taken before the run, for this occupancy. */
  private boolean taken(int port, SnatShares.Share share, Random random) {
    return switch (occupancy) {
      case "0" -> false;
      case "99" -> random.nextInt(100) < 99;
      case "all-but-one" -> port != share.lo();
      default -> throw new IllegalArgumentException("occupancy " + occupancy);
    };
  }

  /** One new connection's decision: the SNAT port allocation and the rest of the evaluation. */
  @Benchmark
  public Decision allocate() {
    next = (next + 1) & (NEW_CONNECTIONS - 1);
    return evaluator.evaluate(ingress, packets[next], connections);
  }

  /** The table, asked for a free port one port at a time (the search allocation used before). */
  private record PortByPort(ConnectionTable table) implements ConnectionLookup {
    @Override
    public boolean translatedInUse(FlowTuple translated) {
      return table.translatedInUse(translated);
    }

    @Override
    public List<Connection> allByReplyKey(FlowTuple replyKey) {
      return table.allByReplyKey(replyKey);
    }

    @Override
    public List<Connection> allByOriginal(FlowTuple original) {
      return table.allByOriginal(original);
    }

    @Override
    public List<Connection> allByReplyPair(FlowTuple replyPair) {
      return table.allByReplyPair(replyPair);
    }

    @Override
    public List<Connection> allByOriginalPair(FlowTuple originalPair) {
      return table.allByOriginalPair(originalPair);
    }
  }
}
