package org.nicflow.controller.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nicflow.controller.policy.FakeLivePolicy;
import org.nicflow.controller.tls.ThrowawayPki;
import org.nicflow.controller.tls.TlsKeys;

/** The API over HTTPS ({@code controller.tls.api: true}). */
class ApiTlsTest {

  private final ThrowawayPki ca = ThrowawayPki.create("api-ca");
  private ApiServer server;

  @BeforeEach
  void start() throws Exception {
    ThrowawayPki.Issued controller = ca.issue("controller");
    TlsKeys keys = new TlsKeys(controller.key(), List.of(controller.certificate()), List.of());
    server = ApiServer.start("127.0.0.1", 0, DemoApi.sources(new FakeLivePolicy(DemoApi.demo()), Optional.empty()),
        Optional.of(keys.serverContext()));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> get(HttpClient client, String scheme, String path)
      throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aClientTrustingTheCaIsAnsweredOverHttps() throws Exception {
    HttpClient client = HttpClient.newBuilder().sslContext(ThrowawayPki.anonymousClientContext(ca)).build();

    HttpResponse<String> vms = get(client, "https", "/api/v1/vms");

    assertThat(vms.statusCode()).isEqualTo(200);
    assertThat(vms.body()).contains("web1");
    HttpResponse<String> metrics = get(client, "https", "/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("\nnicflow_openflow_tls_failures_total 0\n")
        .contains("\nnicflow_openflow_identity_refusals_total 0\n");
  }

  @Test
  void plainHttpToTheHttpsPortGetsNoAnswer() {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    assertThatThrownBy(() -> get(client, "http", "/api/v1/vms")).isInstanceOf(IOException.class);
  }

  @Test
  void aClientThatDoesNotTrustTheCertificateIsNotAnswered() {
    HttpClient client = HttpClient.newBuilder()
        .sslContext(ThrowawayPki.anonymousClientContext(ThrowawayPki.create("other-ca"))).build();

    assertThatThrownBy(() -> get(client, "https", "/api/v1/vms")).isInstanceOf(IOException.class)
        .hasMessageContaining("PKIX");
  }
}
