package org.nicflow.controller.openflow;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.util.Objects;
import javax.net.ssl.SSLException;
import org.nicflow.compiler.model.ControllerTls.SwitchIdentity;
import org.nicflow.controller.tls.TlsKeys;

/**
 * TLS on the OpenFlow channel ({@code controller.openflow: ssl:HOST:PORT}): every switch must
 * present a certificate signed by one of the CAs of {@code controller.tls.ca_certificate}, and with
 * {@link SwitchIdentity#HOST_NAME} its subject CN must be the name of the host it claims to be.
 */
public final class SwitchTls {

  /** TLS versions offered; OVS speaks both. */
  static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private final SslContext context;
  private final SwitchIdentity identity;

  private SwitchTls(SslContext context, SwitchIdentity identity) {
    this.context = context;
    this.identity = identity;
  }

  /**
   * @param keys the controller's key and certificate, and the CAs of switch certificates
   * @throws IllegalArgumentException when {@code keys} holds no CA certificate
   */
  public static SwitchTls of(TlsKeys keys, SwitchIdentity identity) {
    Objects.requireNonNull(identity, "identity");
    if (keys.trusted().isEmpty()) {
      throw new IllegalArgumentException("TLS on the OpenFlow channel needs the CA of the switches' certificates");
    }
    try {
      SslContext context = SslContextBuilder.forServer(keys.keyManagers())
          .trustManager(keys.trustManagers())
          .clientAuth(ClientAuth.REQUIRE)
          .sslProvider(SslProvider.JDK)
          .protocols(PROTOCOLS)
          .build();
      return new SwitchTls(context, identity);
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up TLS for the OpenFlow channel: " + e.getMessage(), e);
    }
  }

  SwitchIdentity identity() {
    return identity;
  }

  /**
   * Puts TLS first in a switch channel's pipeline and the certificate check just before the
   * handshake, where it sees the FEATURES_REPLY that tells the switch's dpid.
   */
  void install(ChannelPipeline pipeline, SwitchRegistry registry, OpenFlowStats.ChannelCounters counters,
      ThrottledLog throttled) {
    pipeline.addFirst(OfChannelInitializer.TLS, context.newHandler(pipeline.channel().alloc()));
    pipeline.addBefore(OfChannelInitializer.SWITCH, OfChannelInitializer.CERTIFICATE,
        new SwitchCertificateCheck(identity, registry, counters, throttled));
  }
}
