package org.nicflow.controller.tls;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The controller's TLS identity — its private key and certificate chain — and the CA certificates
 * a peer's certificate must chain to, read once from PEM files ({@code controller.tls}).
 *
 * @param key the controller's private key
 * @param chain the controller's certificate first, then any intermediates
 * @param trusted the CAs whose certificates switches must present; empty when only serving
 */
public record TlsKeys(PrivateKey key, List<X509Certificate> chain, List<X509Certificate> trusted) {

  private static final char[] NO_PASSWORD = new char[0];
  private static final String ALIAS = "nicflow";

  public TlsKeys {
    Objects.requireNonNull(key, "key");
    chain = List.copyOf(chain);
    trusted = List.copyOf(trusted);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("no certificate");
    }
  }

  /**
   * Reads and checks the files: the key must belong to the first certificate of {@code
   * certificate}.
   */
  public static TlsKeys load(Path privateKey, Path certificate, Optional<Path> caCertificate)
      throws TlsFilesException {
    PrivateKey key = PemFiles.privateKey(privateKey);
    List<X509Certificate> chain = PemFiles.certificates(certificate);
    if (!belongTogether(key, chain.get(0))) {
      throw new TlsFilesException(privateKey + " is not the key of the certificate in " + certificate);
    }
    List<X509Certificate> trusted = caCertificate.isPresent()
        ? PemFiles.certificates(caCertificate.get()) : List.of();
    return new TlsKeys(key, chain, trusted);
  }

  /** Presents the controller's key and certificate chain. */
  public KeyManagerFactory keyManagers() {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry(ALIAS, key, NO_PASSWORD, chain.toArray(new X509Certificate[0]));
      KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, NO_PASSWORD);
      return factory;
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("the JDK refused the controller's key: " + e, e);
    }
  }

  /**
   * Accepts peers whose certificates chain to one of {@link #trusted()}.
   *
   * @throws IllegalStateException when no CA certificate was loaded
   */
  public TrustManagerFactory trustManagers() {
    if (trusted.isEmpty()) {
      throw new IllegalStateException("no CA certificate to check peers against");
    }
    return trusting(trusted);
  }

  /** A client context that trusts servers whose certificates chain to a CA of {@code caCertificate}. */
  public static SSLContext clientContext(Path caCertificate) throws TlsFilesException {
    TrustManagerFactory trust = trusting(PemFiles.certificates(caCertificate));
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no TLS: " + e, e);
    }
  }

  private static TrustManagerFactory trusting(List<X509Certificate> trusted) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      for (int i = 0; i < trusted.size(); i++) {
        store.setCertificateEntry("ca-" + i, trusted.get(i));
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return factory;
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("the JDK refused the CA certificates: " + e, e);
    }
  }

  /** A server context that presents the controller's certificate and asks nothing of clients. */
  public SSLContext serverContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers().getKeyManagers(), null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no TLS: " + e, e);
    }
  }

  /** Whether {@code key} signs what the certificate's public key verifies. */
  private static boolean belongTogether(PrivateKey key, X509Certificate certificate) throws TlsFilesException {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "DSA" -> "SHA256withDSA";
      default -> key.getAlgorithm(); // Ed25519, Ed448 name their own signature
    };
    byte[] probe = "nicflow key check".getBytes(StandardCharsets.US_ASCII);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (java.security.InvalidKeyException | java.security.SignatureException e) {
      return false; // e.g. an RSA key against an EC certificate
    } catch (GeneralSecurityException e) {
      throw new TlsFilesException("cannot check the key against the certificate: " + e.getMessage(), e);
    }
  }
}
