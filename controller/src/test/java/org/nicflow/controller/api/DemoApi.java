package org.nicflow.controller.api;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.nicflow.compiler.config.ConfigException;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.diff.FlowDiffer;
import org.nicflow.compiler.eval.ConnectionTable;
import org.nicflow.compiler.model.ApiLimits;
import org.nicflow.compiler.model.Config;
import org.nicflow.controller.openflow.OpenFlowStats;
import org.nicflow.controller.openflow.packet.FrameParser;
import org.nicflow.controller.partition.FlowReconciler;
import org.nicflow.controller.partition.HostPartition;
import org.nicflow.controller.partition.RuleStatistics;
import org.nicflow.controller.policy.FakeLivePolicy;

/**
 * A real {@link ApiServer} (port 0) over {@code examples/demo.yaml} as revision 1 of a
 * {@link FakeLivePolicy}, no switch connected, and an HTTP client for it.
 */
public final class DemoApi implements AutoCloseable {

  public static final Path DEMO = Path.of("..", "examples", "demo.yaml");

  private final FakeLivePolicy policy;
  private final HostPartition partition;
  private final ApiServer server;
  private final String host;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private DemoApi(FakeLivePolicy policy, HostPartition partition, ApiServer server, String host) {
    this.policy = policy;
    this.partition = partition;
    this.server = server;
    this.host = host;
  }

  /** On 127.0.0.1, no token. */
  public static DemoApi start() throws IOException, ConfigException {
    return start("127.0.0.1", Optional.empty());
  }

  public static DemoApi start(String bind, Optional<String> token) throws IOException, ConfigException {
    return start(bind, 0, token);
  }

  public static DemoApi start(String bind, int port, Optional<String> token) throws IOException, ConfigException {
    return start(bind, port, token, ApiLimits.DEFAULTS);
  }

  /** On 127.0.0.1, no token, with {@code limits}. */
  public static DemoApi start(ApiLimits limits) throws IOException, ConfigException {
    return start("127.0.0.1", 0, Optional.empty(), limits);
  }

  private static DemoApi start(String bind, int port, Optional<String> token, ApiLimits limits)
      throws IOException, ConfigException {
    FakeLivePolicy policy = new FakeLivePolicy(demo());
    ApiSources sources = sources(policy, token);
    ApiServer server = ApiServer.start(bind, port, sources, limits);
    return new DemoApi(policy, sources.partition(), server, "127.0.0.1");
  }

  /** What the API serves: the demo as {@code policy}, a partition with no switch connected. */
  public static ApiSources sources(FakeLivePolicy policy, Optional<String> token) {
    HostPartition partition = new HostPartition(policy.current(),
        new FlowReconciler(new FlowDiffer(), Duration.ofSeconds(5)), new FrameParser(), new ConnectionTable(),
        new RuleStatistics());
    return new ApiSources(policy, policy.writer(), partition, new OpenFlowStats()::snapshot,
        ApiSources.DEFAULT_SWITCH_TIMEOUT, token);
  }

  public static Config demo() throws ConfigException {
    return new ConfigLoader().load(DEMO);
  }

  public FakeLivePolicy policy() {
    return policy;
  }

  /** The host partition the API reads (no switch connected). */
  public HostPartition partition() {
    return partition;
  }

  public int port() {
    return server.port();
  }

  /** {@code 127.0.0.1:PORT}, as {@code --api} takes it. */
  public String address() {
    return host + ":" + port();
  }

  public URI uri(String pathAndQuery) {
    return URI.create("http://" + address() + pathAndQuery);
  }

  public HttpRequest.Builder request(String pathAndQuery) {
    return HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(30));
  }

  public HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
    return send(request(pathAndQuery).GET().build());
  }

  public HttpResponse<String> put(String pathAndQuery, String body, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = request(pathAndQuery).PUT(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b.build());
  }

  public HttpResponse<String> delete(String pathAndQuery, String... headers) throws IOException, InterruptedException {
    HttpRequest.Builder b = request(pathAndQuery).DELETE();
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b.build());
  }

  @Override
  public void close() {
    server.close();
  }
}
