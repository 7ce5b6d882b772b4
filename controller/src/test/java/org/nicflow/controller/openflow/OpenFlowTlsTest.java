package org.nicflow.controller.openflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.model.ControllerTls.SwitchIdentity;
import org.nicflow.controller.tls.ThrowawayPki;
import org.nicflow.controller.tls.TlsKeys;
import org.projectfloodlight.openflow.protocol.OFType;
import org.projectfloodlight.openflow.types.DatapathId;
import org.slf4j.LoggerFactory;

/** The OpenFlow server over TLS, with switches on loopback sockets. */
class OpenFlowTlsTest {

  static final DatapathId HOST1 = DatapathId.of(0x1);
  static final DatapathId HOST2 = DatapathId.of(0x2);

  /** Signs the switches' certificates; the controller trusts it. */
  final ThrowawayPki switchCa = ThrowawayPki.create("switch-ca");
  /** Signs the controller's certificate; the switches trust it. */
  final ThrowawayPki controllerCa = ThrowawayPki.create("controller-ca");
  final ThrowawayPki.Issued controller = controllerCa.issue("controller");
  final RecordingListener listener = new RecordingListener();
  final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  OpenFlowServer server;

  @BeforeEach
  void captureLogs() {
    logs.start();
    root.addAppender(logs);
  }

  @AfterEach
  void stop() throws InterruptedException {
    root.detachAppender(logs);
    if (server != null) {
      server.close();
    }
  }

  private void start(SwitchIdentity identity) throws InterruptedException {
    TlsKeys keys = new TlsKeys(controller.key(), List.of(controller.certificate()),
        List.of(switchCa.certificate()));
    server = new OpenFlowServer(Map.of(HOST1, "host1", HOST2, "host2"), listener,
        OpenFlowSettings.of("127.0.0.1", 0), Optional.of(SwitchTls.of(keys, identity)));
    server.start();
  }

  private SocketSwitch tlsSwitch(SSLContext context) throws IOException {
    return new SocketSwitch(ThrowawayPki.connect(context, server.boundPort()));
  }

  @Test
  void aSwitchWithACertificateOfTheCaReachesReadyOverTls() throws Exception {
    start(SwitchIdentity.ANY);

    try (var sw = tlsSwitch(switchCa.issue("some switch").clientContext(controllerCa))) {
      sw.handshake(HOST1, "host1-up");
      await().until(() -> listener.connected.size() == 1);

      var barrier = server.connection(HOST1).orElseThrow().barrier();
      var request = sw.expect(OFType.BARRIER_REQUEST);
      sw.send(sw.factory.buildBarrierReply().setXid(request.getXid()).build());
      await().until(barrier::isDone);
      assertThat(barrier).isCompleted();
      assertThat(server.stats().global().tlsFailures()).isZero();
    }
  }

  @Test
  void aClientWithoutACertificateIsRefusedAndCounted() throws Exception {
    start(SwitchIdentity.ANY);

    try (Socket socket = ThrowawayPki.connect(ThrowawayPki.anonymousClientContext(controllerCa),
        server.boundPort())) {
      assertClosedWithoutOpenFlow(socket);
    }

    await().until(() -> server.stats().global().tlsFailures() == 1);
    assertThat(listener.connected).isEmpty();
    assertOneLineWithoutStackTrace("Empty client certificate chain");
  }

  @Test
  void aCertificateOfAnotherCaIsRefusedAndCounted() throws Exception {
    start(SwitchIdentity.ANY);
    ThrowawayPki stranger = ThrowawayPki.create("another-ca");

    try (Socket socket = ThrowawayPki.connect(stranger.issue("host1").clientContext(controllerCa),
        server.boundPort())) {
      assertClosedWithoutOpenFlow(socket);
    }

    await().until(() -> server.stats().global().tlsFailures() == 1);
    assertThat(listener.connected).isEmpty();
    assertOneLineWithoutStackTrace("unable to find valid certification path");
  }

  @Test
  void plainTcpToTheTlsPortIsClosedAndCountedWithoutAStackTrace() throws Exception {
    start(SwitchIdentity.ANY);

    try (var plain = new SocketSwitch(server.boundPort())) {
      plain.send(plain.factory.buildHello().setXid(1).build());
      assertClosedWithoutOpenFlow(plain.socket);
    }

    await().until(() -> server.stats().global().tlsFailures() == 1);
    assertThat(server.stats().global().malformedCloses()).isZero();
    assertThat(listener.connected).isEmpty();
    assertOneLineWithoutStackTrace("not an SSL/TLS record");
  }

  @Test
  void withHostNameIdentityASwitchWhoseCertificateNamesAnotherHostIsRefused() throws Exception {
    start(SwitchIdentity.HOST_NAME);

    try (var impostor = tlsSwitch(switchCa.issue("host2").clientContext(controllerCa))) {
      impostor.expect(OFType.HELLO);
      impostor.send(impostor.factory.buildHello().setXid(1).build());
      var features = impostor.expect(OFType.FEATURES_REQUEST);
      impostor.send(impostor.factory.buildFeaturesReply().setXid(features.getXid()).setDatapathId(HOST1).build());
      assertClosedWithoutOpenFlow(impostor.socket);
    }

    await().until(() -> server.stats().global().identityRefusals() == 1);
    assertThat(listener.connected).isEmpty();
    assertThat(server.connection(HOST1)).isEmpty();
    assertOneLineWithoutStackTrace("it claims host host1 but its certificate names 'host2'");
  }

  @Test
  void withHostNameIdentityASwitchWhoseCertificateNamesItsHostIsAccepted() throws Exception {
    start(SwitchIdentity.HOST_NAME);

    try (var sw = tlsSwitch(switchCa.issue("host2").clientContext(controllerCa))) {
      sw.handshake(HOST2, "host2-up");
      await().until(() -> listener.connected.size() == 1);
      assertThat(listener.connected.get(0).sw().dpid()).isEqualTo(HOST2);
      assertThat(server.stats().global().identityRefusals()).isZero();
    }
  }

  @Test
  void repeatedRefusalsMakeOneLinePerCauseWithoutAStackTraceAndTheirCountAtClose() throws Exception {
    start(SwitchIdentity.HOST_NAME);
    int attempts = 5;
    SSLContext stranger = ThrowawayPki.create("another-ca").issue("host1").clientContext(controllerCa);
    SSLContext impostor = switchCa.issue("host2").clientContext(controllerCa);

    for (int i = 0; i < attempts; i++) {
      try (var plain = new SocketSwitch(server.boundPort())) {
        plain.send(plain.factory.buildHello().setXid(1).build());
        assertClosedWithoutOpenFlow(plain.socket);
      }
      try (Socket socket = ThrowawayPki.connect(stranger, server.boundPort())) {
        assertClosedWithoutOpenFlow(socket);
      }
      try (var sw = tlsSwitch(impostor)) {
        sw.expect(OFType.HELLO);
        sw.send(sw.factory.buildHello().setXid(1).build());
        var features = sw.expect(OFType.FEATURES_REQUEST);
        sw.send(sw.factory.buildFeaturesReply().setXid(features.getXid()).setDatapathId(HOST1).build());
        assertClosedWithoutOpenFlow(sw.socket);
      }
    }
    await().until(() -> server.stats().global().tlsFailures() == 2 * attempts
        && server.stats().global().identityRefusals() == attempts);

    List<ILoggingEvent> warnings = logs.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).toList();
    assertThat(warnings).extracting(ILoggingEvent::getFormattedMessage).as("one line per cause")
        .hasSize(3)
        .anyMatch(m -> m.contains("not an SSL/TLS record"))
        .anyMatch(m -> m.contains("unable to find valid certification path"))
        .anyMatch(m -> m.contains("it claims host host1 but its certificate names 'host2'"));
    assertThat(warnings).allMatch(e -> e.getThrowableProxy() == null, "without a stack trace");

    server.close();
    server = null;
    assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage)
        .filteredOn(m -> m.startsWith((attempts - 1) + " more of: "))
        .hasSize(3);
  }

  /**
   * The controller closes: reading ends (end of stream, a reset or a TLS alert) before any OpenFlow
   * message; the only bytes a plain socket may see are a TLS alert record (content type 21).
   */
  private static void assertClosedWithoutOpenFlow(Socket socket) {
    var received = new java.io.ByteArrayOutputStream();
    Throwable failure = catchThrowable(() -> {
      int b;
      while ((b = socket.getInputStream().read()) != -1) {
        received.write(b);
      }
    });
    if (failure != null) {
      assertThat(failure).isInstanceOf(IOException.class);
    }
    byte[] bytes = received.toByteArray();
    if (bytes.length > 0) {
      assertThat(bytes[0]).as("first byte received").isEqualTo((byte) 21);
    }
  }

  private void assertOneLineWithoutStackTrace(String text) {
    await().until(() -> logs.list.stream().anyMatch(e -> e.getFormattedMessage().contains(text)));
    List<ILoggingEvent> warnings = logs.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).toList();
    assertThat(warnings).as("warnings").hasSize(1);
    assertThat(warnings.get(0).getThrowableProxy()).as("stack trace").isNull();
  }
}
