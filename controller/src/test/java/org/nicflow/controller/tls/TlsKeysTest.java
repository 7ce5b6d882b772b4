package org.nicflow.controller.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsKeysTest {

  @TempDir Path dir;

  private final ThrowawayPki ca = ThrowawayPki.create("test-ca");

  @Test
  void loadsTheKeyItsCertificateAndTheCa() throws Exception {
    var controller = ca.issue("controller");
    var files = controller.written(dir, "ctl");

    TlsKeys keys = TlsKeys.load(files.privateKey(), files.certificate(),
        Optional.of(ca.writeCertificate(dir, "cacert.pem")));

    assertThat(keys.key().getEncoded()).isEqualTo(controller.key().getEncoded());
    assertThat(keys.chain()).containsExactly(controller.certificate());
    assertThat(keys.trusted()).containsExactly(ca.certificate());
    assertThat(keys.keyManagers().getKeyManagers()).isNotEmpty();
    assertThat(keys.trustManagers().getTrustManagers()).isNotEmpty();
  }

  @Test
  void readsAnRsaKeyInPkcs1FormAsOlderOpensslWritesIt() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair pair = generator.generateKeyPair();
    byte[] pkcs1 = PrivateKeyInfo.getInstance(pair.getPrivate().getEncoded()).parsePrivateKey()
        .toASN1Primitive().getEncoded();
    Path file = dir.resolve("rsa-privkey.pem");
    Files.writeString(file, "-----BEGIN RSA PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pkcs1) + "\n-----END RSA PRIVATE KEY-----\n");

    assertThat(PemFiles.privateKey(file).getEncoded()).isEqualTo(pair.getPrivate().getEncoded());
  }

  @Test
  void refusesAKeyThatIsNotTheCertificatesKey() throws Exception {
    var one = ca.issue("one").written(dir, "one");
    var other = ca.issue("other").written(dir, "other");

    assertThatThrownBy(() -> TlsKeys.load(other.privateKey(), one.certificate(), Optional.empty()))
        .isInstanceOf(TlsFilesException.class)
        .hasMessage(other.privateKey() + " is not the key of the certificate in " + one.certificate());
  }

  @Test
  void namesAMissingFile() throws Exception {
    var files = ca.issue("ctl").written(dir, "ctl");
    Path missing = dir.resolve("nowhere.pem");

    assertThatThrownBy(() -> TlsKeys.load(files.privateKey(), files.certificate(), Optional.of(missing)))
        .isInstanceOf(TlsFilesException.class)
        .hasMessage(missing + ": no such file");
  }

  @Test
  void explainsEncryptedKeysAndFilesWithoutAKeyOrCertificate() throws Exception {
    Path encrypted = dir.resolve("enc.pem");
    Files.writeString(encrypted, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
    Path text = dir.resolve("text.pem");
    Files.writeString(text, "not a pem file\n");

    assertThatThrownBy(() -> PemFiles.privateKey(encrypted)).hasMessageContaining("the key is encrypted");
    assertThatThrownBy(() -> PemFiles.privateKey(text)).hasMessageContaining("no private key in the file");
    assertThatThrownBy(() -> PemFiles.certificates(text)).hasMessageStartingWith(text + ": ");
  }

  @Test
  void wrapsPkcs1WithLongFormDerLengths() {
    byte[] pkcs1 = new byte[300];

    byte[] wrapped = PemFiles.rsaPkcs8(pkcs1);

    // SEQUENCE, two length bytes: 3 (version) + 15 (algorithm) + 4 (OCTET STRING header) + 300
    assertThat(wrapped[0]).isEqualTo((byte) 0x30);
    assertThat(wrapped[1]).isEqualTo((byte) 0x82);
    assertThat(((wrapped[2] & 0xff) << 8) | (wrapped[3] & 0xff)).isEqualTo(322);
    assertThat(wrapped).hasSize(4 + 322);
  }
}
