package org.nicflow.controller.openflow;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.nicflow.compiler.model.ControllerTls.SwitchIdentity;
import org.projectfloodlight.openflow.protocol.OFFeaturesReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS side of a switch channel, after the {@link SslHandler}: a failed TLS handshake (no
 * certificate, one from another CA, plain TCP) is counted and closes the channel; with {@link
 * SwitchIdentity#HOST_NAME} a FEATURES_REPLY claiming a configured host's dpid passes only when the
 * certificate's subject CN is that host's name. Refusals are logged through the channel's {@link
 * ThrottledLog}, without a stack trace: one line per cause (what TLS objected to; the host an
 * impostor claimed) and interval, with the count of the others.
 */
final class SwitchCertificateCheck extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(SwitchCertificateCheck.class);

  private final SwitchIdentity identity;
  private final SwitchRegistry registry;
  private final OpenFlowStats.ChannelCounters counters;
  private final ThrottledLog throttled;
  private Optional<String> commonName = Optional.empty();
  private boolean failed;

  SwitchCertificateCheck(
      SwitchIdentity identity,
      SwitchRegistry registry,
      OpenFlowStats.ChannelCounters counters,
      ThrottledLog throttled) {
    this.identity = identity;
    this.registry = registry;
    this.counters = counters;
    this.throttled = throttled;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent done) {
      if (done.isSuccess()) {
        commonName = peerCommonName(ctx);
        log.debug("TLS from {}: certificate CN {}", ctx.channel().remoteAddress(), commonName.orElse("(none)"));
      } else {
        refuse(ctx, done.cause());
      }
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (tlsCause(cause)) {
      refuse(ctx, cause);
      return;
    }
    ctx.fireExceptionCaught(cause);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (identity == SwitchIdentity.HOST_NAME && msg instanceof OFFeaturesReply features) {
      Optional<String> host = registry.host(features.getDatapathId());
      if (host.isPresent() && !host.equals(commonName)) {
        counters.identityRefusal();
        throttled.warn(log, "certificate does not name host " + host.get(),
            "Refusing switch {} from {}: it claims host {} but its certificate names {} "
                + "(controller.tls.switch_identity: host_name)", features.getDatapathId(),
            ctx.channel().remoteAddress(), host.get(), commonName.map(cn -> "'" + cn + "'").orElse("no CN"));
        failed = true;
        ctx.close();
        return;
      }
    }
    ctx.fireChannelRead(msg);
  }

  /** Counts and logs the first TLS failure of the channel and closes it. */
  private void refuse(ChannelHandlerContext ctx, Throwable cause) {
    if (!failed) {
      failed = true;
      counters.tlsFailure();
      TlsRefusal refusal = TlsRefusal.of(cause);
      throttled.warn(log, "TLS refused: " + refusal.cause(), "Refusing TLS connection from {}: {}",
          ctx.channel().remoteAddress(), refusal.reason());
    }
    ctx.close();
  }

  private static boolean tlsCause(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof SSLException) {
        return true;
      }
    }
    return false;
  }

  private static Optional<String> peerCommonName(ChannelHandlerContext ctx) {
    SslHandler ssl = ctx.pipeline().get(SslHandler.class);
    if (ssl == null) {
      return Optional.empty();
    }
    try {
      Certificate[] peer = ssl.engine().getSession().getPeerCertificates();
      if (peer.length == 0 || !(peer[0] instanceof X509Certificate certificate)) {
        return Optional.empty();
      }
      return commonName(certificate);
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
  }

  /** The subject's CN (the most specific one when there are several). */
  static Optional<String> commonName(X509Certificate certificate) {
    try {
      var rdns = new LdapName(certificate.getSubjectX500Principal().getName()).getRdns();
      for (int i = rdns.size() - 1; i >= 0; i--) {
        Rdn rdn = rdns.get(i);
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return Optional.of(String.valueOf(rdn.getValue()));
        }
      }
      return Optional.empty();
    } catch (InvalidNameException e) {
      return Optional.empty();
    }
  }
}
