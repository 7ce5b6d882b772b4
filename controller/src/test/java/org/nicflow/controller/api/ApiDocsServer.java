package org.nicflow.controller.api;

import java.util.Optional;
import org.nicflow.compiler.eval.Connection;
import org.nicflow.compiler.eval.FlowTuple;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.Protocol;

/**
 * Serves the demo config for the examples of {@code docs/api.md} (not a test): on 127.0.0.1:18080
 * a server that confirms revisions at once, on 127.0.0.1:18081 one whose switches never confirm
 * (for the 504 of {@code ?wait=enforced}), on 0.0.0.0:18082 one that needs the bearer token
 * {@code docs-example-token}, on 127.0.0.1:18083 one with five connections in its table (for the
 * pages of a listing). Runs until stdin closes.
 *
 * <pre>java -cp controller/target/controller-0.1.0-SNAPSHOT-all.jar:controller/target/test-classes \
 *     org.nicflow.controller.api.ApiDocsServer</pre>
 */
public final class ApiDocsServer {

  private ApiDocsServer() {}

  public static void main(String[] args) throws Exception {
    try (DemoApi api = DemoApi.start("127.0.0.1", 18080, Optional.empty());
        DemoApi held = DemoApi.start("127.0.0.1", 18081, Optional.empty());
        DemoApi remote = DemoApi.start("0.0.0.0", 18082, Optional.of("docs-example-token"));
        DemoApi paged = DemoApi.start("127.0.0.1", 18083, Optional.empty())) {
      held.policy().holdEnforcement();
      for (int port = 40001; port <= 40005; port++) {
        FlowTuple tuple = new FlowTuple(paged.policy().current().config().vnet("blue").orElseThrow().vni(),
            Protocol.IPPROTO_TCP, Ipv4.parse("10.1.0.11"), port, Ipv4.parse("10.1.0.21"), 5432);
        paged.partition().connections().add(new Connection(tuple, tuple, "web1", Connection.Kind.STATEFUL));
      }
      System.out.println("serving on 18080, 18081 (enforcement held), 18082 (token), 18083 (five connections); "
          + "close stdin to stop");
      System.in.transferTo(java.io.OutputStream.nullOutputStream());
    }
  }
}
