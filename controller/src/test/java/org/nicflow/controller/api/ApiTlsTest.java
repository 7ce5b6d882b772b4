package org.nicflow.controller.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.model.ApiLimits;
import org.nicflow.controller.policy.FakeLivePolicy;
import org.nicflow.controller.tls.ThrowawayPki;
import org.nicflow.controller.tls.TlsKeys;
import org.slf4j.LoggerFactory;

/** The API over HTTPS ({@code controller.tls.api: true}). */
class ApiTlsTest {

  /** A request timeout short enough to wait for, long enough for a loopback handshake on a busy machine. */
  private static final Duration SHORT_REQUEST_TIMEOUT = Duration.ofSeconds(3);
  /**
   * How long a test waits for the server to close a connection whose request timeout is {@link
   * #SHORT_REQUEST_TIMEOUT}: a guard, shorter than Netty's own 10 s handshake timeout so that it
   * is the request timeout that must act.
   */
  private static final int CLOSE_GUARD_MILLIS = 9_000;

  private final ThrowawayPki ca = ThrowawayPki.create("api-ca");
  private final List<Socket> sockets = new ArrayList<>();
  private TlsKeys keys;
  private ApiServer server;

  @BeforeEach
  void start() throws Exception {
    ThrowawayPki.Issued controller = ca.issue("controller");
    keys = new TlsKeys(controller.key(), List.of(controller.certificate()), List.of());
    server = ApiServer.start("127.0.0.1", 0, DemoApi.sources(new FakeLivePolicy(DemoApi.demo()), Optional.empty()),
        Optional.of(keys.serverContext()));
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
    server.close();
  }

  /**
   * Restarts the server with {@code limits}, after one request to the first server so that the
   * JVM's TLS code is loaded before a short timeout applies.
   */
  private void restart(ApiLimits limits) throws Exception {
    assertThat(get(trusting(), "https", "/metrics").statusCode()).isEqualTo(200);
    server.close();
    server = ApiServer.start("127.0.0.1", 0, DemoApi.sources(new FakeLivePolicy(DemoApi.demo()), Optional.empty()),
        limits, Optional.of(keys.serverContext()));
  }

  private HttpClient trusting() {
    return HttpClient.newBuilder().sslContext(ThrowawayPki.anonymousClientContext(ca)).build();
  }

  /**
   * A raw TCP client that sends the first bytes of a TLS ClientHello — a record header announcing
   * 200 bytes, and four of them — and then nothing.
   */
  private Socket stallInHandshake() throws IOException {
    Socket s = new Socket("127.0.0.1", server.port());
    sockets.add(s);
    s.setSoTimeout(CLOSE_GUARD_MILLIS);
    OutputStream out = s.getOutputStream();
    out.write(new byte[] {0x16, 0x03, 0x01, 0x00, (byte) 0xc8, 0x01, 0x00, 0x00, (byte) 0xc4});
    out.flush();
    return s;
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

  @Test
  void clientsStallingInTheTlsHandshakeHoldNoThreadThatOthersNeed() throws Exception {
    for (int i = 0; i <= ApiLimits.DEFAULTS.workers(); i++) {
      stallInHandshake();
    }

    HttpResponse<String> vms = get(trusting(), "https", "/api/v1/vms");

    assertThat(vms.statusCode()).isEqualTo(200);
    assertThat(vms.body()).contains("web1");
  }

  @Test
  void repeatedHandshakeFailuresMakeOneLineWithoutAStackTraceAndTheirCountAtClose() throws Exception {
    int attempts = 6;
    HttpClient distrusting = HttpClient.newBuilder()
        .sslContext(ThrowawayPki.anonymousClientContext(ThrowawayPki.create("other-ca"))).build();
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(logs);
    try {
      for (int i = 0; i < attempts; i++) {
        assertThatThrownBy(() -> get(distrusting, "https", "/api/v1/vms")).isInstanceOf(IOException.class);
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> get(trusting(), "https", "/metrics").body().lines()
          .anyMatch(("nicflow_api_tls_failures_total " + attempts)::equals));

      List<ILoggingEvent> warnings = warnings(logs);
      assertThat(warnings).extracting(ILoggingEvent::getFormattedMessage).singleElement().asString()
          .startsWith("Refusing API TLS connection from /127.0.0.1:");
      assertThat(warnings.get(0).getThrowableProxy()).as("stack trace").isNull();

      server.close();
      assertThat(warnings(logs)).extracting(ILoggingEvent::getFormattedMessage)
          .filteredOn(m -> m.startsWith((attempts - 1) + " more of: API TLS refused: ")).hasSize(1);
    } finally {
      root.detachAppender(logs);
    }
  }

  private static List<ILoggingEvent> warnings(ListAppender<ILoggingEvent> logs) {
    synchronized (logs.list) {
      return logs.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).toList();
    }
  }

  @Test
  void aHandshakeNotFinishedWithinTheRequestTimeoutIsClosedAndCounted() throws Exception {
    restart(ApiLimits.DEFAULTS.withRequestTimeout(SHORT_REQUEST_TIMEOUT));
    Socket stalled = stallInHandshake();

    byte[] answer = stalled.getInputStream().readAllBytes();

    assertThat(answer).as("closed without a byte").isEmpty();
    assertThat(get(trusting(), "https", "/metrics").body().lines()).contains("nicflow_api_tls_failures_total 1");
  }

  @Test
  void aClientTricklingItsRequestOverHttpsIsAnswered408() throws Exception {
    restart(ApiLimits.DEFAULTS.withRequestTimeout(SHORT_REQUEST_TIMEOUT));
    SSLContext context = ThrowawayPki.anonymousClientContext(ca);
    SSLSocket slow = ThrowawayPki.connect(context, server.port());
    sockets.add(slow);
    slow.setSoTimeout(CLOSE_GUARD_MILLIS);
    slow.startHandshake();
    slow.getOutputStream().write("GET /api/v1/vms HTTP/1.1\r\nHost: 127.0".getBytes(StandardCharsets.US_ASCII));
    slow.getOutputStream().flush();

    String answer = new String(slow.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(answer).startsWith("HTTP/1.1 408 ").contains("the request did not arrive within 3000 ms");
    assertThat(get(trusting(), "https", "/metrics").body().lines())
        .contains("nicflow_api_request_timeouts_total 1", "nicflow_api_tls_failures_total 0");
  }
}
