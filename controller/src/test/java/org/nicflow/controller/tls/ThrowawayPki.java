package org.nicflow.controller.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made at test time, with certificates it signs: keys and certificates
 * live in memory and, when a test needs files, in its temporary directory. Nothing is committed.
 */
public final class ThrowawayPki {

  /** A key and the certificate this CA signed for it. */
  public record Issued(String commonName, PrivateKey key, X509Certificate certificate, ThrowawayPki ca) {

    /** A client context presenting this certificate and trusting {@code serverCa}. */
    public SSLContext clientContext(ThrowawayPki serverCa) {
      return ThrowawayPki.context(this, serverCa);
    }

    /** Writes {@code <name>-privkey.pem} (PKCS#8) and {@code <name>-cert.pem} into {@code dir}. */
    public KeyFiles written(Path dir, String name) throws IOException {
      Path keyFile = dir.resolve(name + "-privkey.pem");
      Path certFile = dir.resolve(name + "-cert.pem");
      Files.writeString(keyFile, pem(key));
      Files.writeString(certFile, pem(certificate));
      return new KeyFiles(keyFile, certFile);
    }
  }

  /** Where an issued key and certificate were written. */
  public record KeyFiles(Path privateKey, Path certificate) {}

  private final String name;
  private final KeyPair keys;
  private final X509Certificate certificate;

  private ThrowawayPki(String name, KeyPair keys, X509Certificate certificate) {
    this.name = name;
    this.keys = keys;
    this.certificate = certificate;
  }

  /** A new self-signed CA whose subject CN is {@code name}. */
  public static ThrowawayPki create(String name) {
    KeyPair keys = ecKeys();
    X500Name subject = new X500Name("CN=" + name + ",O=nicflow tests");
    try {
      var builder = new JcaX509v3CertificateBuilder(subject, serial(), notBefore(), notAfter(), subject,
          keys.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      return new ThrowawayPki(name, keys, sign(builder, keys.getPrivate()));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /**
   * A key and a certificate for client and server use with subject {@code CN=commonName}, valid
   * for 127.0.0.1 and localhost.
   */
  public Issued issue(String commonName) {
    KeyPair pair = ecKeys();
    try {
      var builder = new JcaX509v3CertificateBuilder(new X500Name("CN=" + name + ",O=nicflow tests"), serial(),
          notBefore(), notAfter(), new X500Name("CN=" + commonName + ",O=nicflow tests"), pair.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
              new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}))
          .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
              new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      return new Issued(commonName, pair.getPrivate(), sign(builder, keys.getPrivate()), this);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes the CA certificate to {@code dir/<file>}. */
  public Path writeCertificate(Path dir, String file) throws IOException {
    Path path = dir.resolve(file);
    Files.writeString(path, pem(certificate));
    return path;
  }

  /** A client context with no certificate of its own, trusting {@code serverCa}. */
  public static SSLContext anonymousClientContext(ThrowawayPki serverCa) {
    return context(null, serverCa);
  }

  /** A client TLS socket to {@code 127.0.0.1:port}, handshake not yet started. */
  public static SSLSocket connect(SSLContext context, int port) throws IOException {
    SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    return socket;
  }

  /** PEM text of a key (PKCS#8) or certificate. */
  public static String pem(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object instanceof PrivateKey key
          ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null).generate() : object);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toString();
  }

  private static SSLContext context(Issued own, ThrowawayPki trusted) {
    try {
      java.security.KeyStore keyStore = java.security.KeyStore.getInstance("PKCS12");
      keyStore.load(null, null);
      if (own != null) {
        keyStore.setKeyEntry("own", own.key(), new char[0], new X509Certificate[] {own.certificate()});
      }
      KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(keyStore, new char[0]);
      javax.net.ssl.KeyManager[] presenting = own == null ? keyManagers.getKeyManagers()
          : new javax.net.ssl.KeyManager[] {
              new AlwaysPresenting((javax.net.ssl.X509ExtendedKeyManager) keyManagers.getKeyManagers()[0])};
      java.security.KeyStore trustStore = java.security.KeyStore.getInstance("PKCS12");
      trustStore.load(null, null);
      trustStore.setCertificateEntry("ca", trusted.certificate());
      TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trustManagers.init(trustStore);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(presenting, trustManagers.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Presents its certificate whatever CAs the server asks for, as OpenSSL (and so OVS) does; the
   * JDK's own client would send none when the server names another CA.
   */
  private static final class AlwaysPresenting extends javax.net.ssl.X509ExtendedKeyManager {
    private final javax.net.ssl.X509ExtendedKeyManager keys;

    AlwaysPresenting(javax.net.ssl.X509ExtendedKeyManager keys) {
      this.keys = keys;
    }

    @Override
    public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, java.net.Socket socket) {
      return "own";
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, java.security.Principal[] issuers,
        javax.net.ssl.SSLEngine engine) {
      return "own";
    }

    @Override
    public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
      return new String[] {"own"};
    }

    @Override
    public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
      return keys.getServerAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, java.security.Principal[] issuers, java.net.Socket socket) {
      return keys.chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return keys.getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return keys.getPrivateKey(alias);
    }
  }

  private static X509Certificate sign(org.bouncycastle.cert.X509v3CertificateBuilder builder, PrivateKey signer) {
    try {
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair ecKeys() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static BigInteger serial() {
    return new BigInteger(63, new java.security.SecureRandom()).add(BigInteger.ONE);
  }

  private static Date notBefore() {
    return Date.from(Instant.now().minus(Duration.ofHours(1)));
  }

  private static Date notAfter() {
    return Date.from(Instant.now().plus(Duration.ofDays(1)));
  }
}
