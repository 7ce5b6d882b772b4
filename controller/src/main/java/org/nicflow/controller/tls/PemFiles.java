package org.nicflow.controller.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM files: certificates (one or more {@code CERTIFICATE} blocks) and an unencrypted private
 * key, either PKCS#8 ({@code PRIVATE KEY}, as OpenSSL 3 and {@code ovs-pki} write it) or PKCS#1
 * ({@code RSA PRIVATE KEY}, as older OpenSSL writes it).
 */
final class PemFiles {

  /** Largest key or certificate file read; PEM files are a few kilobytes. */
  static final int MAX_FILE_BYTES = 1 << 20;

  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
  private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448", "DSA");
  /** DER of the AlgorithmIdentifier {rsaEncryption, NULL}. */
  private static final byte[] RSA_ALGORITHM = {
    0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00
  };

  private PemFiles() {}

  /** Every certificate in {@code file}, in order; at least one. */
  static List<X509Certificate> certificates(Path file) throws TlsFilesException {
    byte[] bytes = read(file);
    try {
      var certificates = CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(bytes)).stream()
          .map(X509Certificate.class::cast)
          .toList();
      if (certificates.isEmpty()) {
        throw new TlsFilesException(file + ": no certificate in the file (expected PEM "
            + "'-----BEGIN CERTIFICATE-----')");
      }
      return certificates;
    } catch (CertificateException e) {
      throw new TlsFilesException(file + ": not a PEM certificate: " + e.getMessage(), e);
    }
  }

  /** The one private key in {@code file}. */
  static PrivateKey privateKey(Path file) throws TlsFilesException {
    String text = new String(read(file), StandardCharsets.US_ASCII);
    Matcher block = BLOCK.matcher(text);
    while (block.find()) {
      String type = block.group(1);
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(block.group(2));
      } catch (IllegalArgumentException e) {
        throw new TlsFilesException(file + ": the " + type + " block is not valid base64", e);
      }
      switch (type) {
        case "PRIVATE KEY" -> {
          return pkcs8(file, der);
        }
        case "RSA PRIVATE KEY" -> {
          return pkcs8(file, rsaPkcs8(der));
        }
        case "ENCRYPTED PRIVATE KEY" -> throw new TlsFilesException(file + ": the key is encrypted; nicflow "
            + "needs it unencrypted (openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pem), readable by it only");
        case "EC PRIVATE KEY" -> throw new TlsFilesException(file + ": an EC key in SEC1 form; convert it to "
            + "PKCS#8 with openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pem");
        default -> {
          // another block (parameters, a certificate): look further
        }
      }
    }
    throw new TlsFilesException(file + ": no private key in the file (expected PEM "
        + "'-----BEGIN PRIVATE KEY-----' or '-----BEGIN RSA PRIVATE KEY-----')");
  }

  private static PrivateKey pkcs8(Path file, byte[] der) throws TlsFilesException {
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String algorithm : KEY_ALGORITHMS) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
        // not this algorithm: try the next
      } catch (GeneralSecurityException e) {
        throw new TlsFilesException(file + ": unreadable private key: " + e.getMessage(), e);
      }
    }
    throw new TlsFilesException(file + ": unreadable private key (not RSA, EC, EdDSA or DSA in PKCS#8)");
  }

  /** A PKCS#1 RSA key wrapped as PKCS#8: SEQUENCE { 0, rsaEncryption, OCTET STRING pkcs1 }. */
  static byte[] rsaPkcs8(byte[] pkcs1) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {0x02, 0x01, 0x00});
    body.writeBytes(RSA_ALGORITHM);
    body.write(0x04);
    writeLength(body, pkcs1.length);
    body.writeBytes(pkcs1);
    ByteArrayOutputStream whole = new ByteArrayOutputStream();
    whole.write(0x30);
    writeLength(whole, body.size());
    whole.writeBytes(body.toByteArray());
    return whole.toByteArray();
  }

  /** DER definite length: short form below 128, else 0x80 | count followed by big-endian bytes. */
  private static void writeLength(ByteArrayOutputStream out, int length) {
    if (length < 0x80) {
      out.write(length);
      return;
    }
    int bytes = (Integer.SIZE - Integer.numberOfLeadingZeros(length) + 7) / 8;
    out.write(0x80 | bytes);
    for (int i = bytes - 1; i >= 0; i--) {
      out.write(length >>> (8 * i));
    }
  }

  private static byte[] read(Path file) throws TlsFilesException {
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new TlsFilesException(file + ": larger than " + MAX_FILE_BYTES + " bytes; not a PEM key or certificate");
      }
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new TlsFilesException(file + ": no such file", e);
    } catch (IOException e) {
      throw new TlsFilesException(file + ": cannot read: " + e, e);
    }
  }
}
