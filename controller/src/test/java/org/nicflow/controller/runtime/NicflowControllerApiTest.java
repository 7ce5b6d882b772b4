package org.nicflow.controller.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.config.ConfigLoader;
import org.nicflow.compiler.model.ApiLimits;
import org.nicflow.compiler.model.Config;
import org.nicflow.controller.openflow.OpenFlowSettings;

class NicflowControllerApiTest {

  private final HttpClient client = HttpClient.newHttpClient();

  @Test
  void servesTheApiOnAFreePortWhenAskedAndStopsItOnClose() throws Exception {
    Config config = new ConfigLoader().load(Path.of("../examples/demo.yaml"));
    int port;
    try (NicflowController controller = NicflowController.start(config, OpenFlowSettings.of("127.0.0.1", 0),
        Optional.of(InetSocketAddress.createUnresolved("127.0.0.1", 0)))) {
      assertThat(controller.apiPort()).isPresent();
      port = controller.apiPort().getAsInt();
      HttpResponse<String> hosts = client.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/hosts")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(hosts.statusCode()).isEqualTo(200);
      assertThat(hosts.body()).contains("\"name\" : \"host1\"", "\"connected\" : false");
      HttpResponse<String> metrics = client.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.body()).contains("nicflow_configured_hosts 2", "nicflow_connected_switches 0");
    }
    try (java.net.Socket probe = new java.net.Socket()) {
      assertThat(canConnect(probe, port)).isFalse();
    }
  }

  @Test
  void theApiServesWithTheLimitsOfTheConfig() throws Exception {
    Config demo = new ConfigLoader().load(Path.of("../examples/demo.yaml"));
    Config config = demo.withController(demo.controller().withApiLimits(ApiLimits.DEFAULTS.withPageSizes(2, 3)));
    try (NicflowController controller = NicflowController.start(config, OpenFlowSettings.of("127.0.0.1", 0),
        Optional.of(InetSocketAddress.createUnresolved("127.0.0.1", 0)))) {
      HttpResponse<String> tooMany = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + controller.apiPort().getAsInt() + "/api/v1/connections?limit=4")).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(tooMany.statusCode()).isEqualTo(400);
      assertThat(tooMany.body()).contains("limit must be a whole number 1-3, got '4'");
    }
  }

  @Test
  void theTwoArgumentStartServesNoApi() throws Exception {
    Config config = new ConfigLoader().load(Path.of("../examples/demo.yaml"));
    try (NicflowController controller = NicflowController.start(config, OpenFlowSettings.of("127.0.0.1", 0))) {
      assertThat(controller.apiPort()).isEmpty();
      assertThat(controller.openflowPort()).isPositive();
    }
  }

  private static boolean canConnect(java.net.Socket socket, int port) {
    try {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
