package org.nicflow.controller.api;

import java.util.Optional;

/**
 * Serves the demo config for the examples of {@code docs/api.md} (not a test): on 127.0.0.1:18080
 * a server that confirms revisions at once, on 127.0.0.1:18081 one whose switches never confirm
 * (for the 504 of {@code ?wait=enforced}), on 0.0.0.0:18082 one that needs the bearer token
 * {@code docs-example-token}. Runs until stdin closes.
 *
 * <pre>java -cp controller/target/controller-0.1.0-SNAPSHOT-all.jar:controller/target/test-classes \
 *     org.nicflow.controller.api.ApiDocsServer</pre>
 */
public final class ApiDocsServer {

  private ApiDocsServer() {}

  public static void main(String[] args) throws Exception {
    try (DemoApi api = DemoApi.start("127.0.0.1", 18080, Optional.empty());
        DemoApi held = DemoApi.start("127.0.0.1", 18081, Optional.empty());
        DemoApi remote = DemoApi.start("0.0.0.0", 18082, Optional.of("docs-example-token"))) {
      held.policy().holdEnforcement();
      System.out.println("serving on 18080, 18081 (enforcement held), 18082 (token); close stdin to stop");
      System.in.transferTo(java.io.OutputStream.nullOutputStream());
    }
  }
}
