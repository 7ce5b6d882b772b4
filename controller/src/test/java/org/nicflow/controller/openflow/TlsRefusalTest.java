package org.nicflow.controller.openflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import java.nio.channels.ClosedChannelException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class TlsRefusalTest {

  @Test
  void recordsThatAreNotTlsAreOneCauseWhateverTheirBytesAndTheirReasonIsCapped() {
    TlsRefusal one = TlsRefusal.of(new DecoderException(new NotSslRecordException("not an SSL/TLS record: 0400")));
    TlsRefusal other = TlsRefusal.of(new NotSslRecordException("not an SSL/TLS record: " + "47".repeat(5000)));

    assertThat(one.cause()).isEqualTo(other.cause()).isEqualTo("NotSslRecordException");
    assertThat(one.reason()).isEqualTo("NotSslRecordException: not an SSL/TLS record: 0400");
    assertThat(other.reason()).hasSize(TlsRefusal.MAX_REASON + 1).endsWith("…");
  }

  @Test
  void aHandshakeFailureIsItsInnermostMessageOnOneLine() {
    TlsRefusal refusal = TlsRefusal.of(new DecoderException(
        new SSLHandshakeException("Empty client certificate chain\nsecond line")));

    assertThat(refusal.reason()).isEqualTo("SSLHandshakeException: Empty client certificate chain");
    assertThat(refusal.cause()).isEqualTo(refusal.reason());
    assertThat(TlsRefusal.of(new ClosedChannelException()).reason())
        .isEqualTo("closed by the peer during the TLS handshake");
  }
}
