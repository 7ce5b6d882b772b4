package org.nicflow.compiler.model;

import java.util.Objects;
import java.util.Optional;

/**
 * The {@code controller.tls} block: the controller's own key and certificate, the CA that signs
 * switch certificates, and where TLS is used (docs/config.md, "controller.tls").
 *
 * @param privateKey PEM file of the controller's private key (PKCS#8, or PKCS#1 for RSA)
 * @param certificate PEM file of the controller's certificate, optionally followed by its chain
 * @param caCertificate PEM file of the CA (or CAs) whose certificates switches must present; needed
 *     when the OpenFlow channel uses TLS
 * @param openflow whether switches connect over TLS ({@code controller.openflow: ssl:HOST:PORT})
 * @param api whether the REST API is served over HTTPS with the same key and certificate
 * @param switchIdentity what a switch's certificate must say about the host it claims to be
 */
public record ControllerTls(
    String privateKey, String certificate, Optional<String> caCertificate, boolean openflow, boolean api,
    SwitchIdentity switchIdentity) {

  /** What a switch's certificate must name, beyond being signed by the CA. */
  public enum SwitchIdentity {
    /** Any certificate signed by the CA may claim any configured dpid. */
    ANY,
    /** The certificate's subject CN must be the name of the host whose dpid the switch claims. */
    HOST_NAME;

    public String key() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public ControllerTls {
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(caCertificate, "caCertificate");
    Objects.requireNonNull(switchIdentity, "switchIdentity");
    if (privateKey.isBlank() || certificate.isBlank() || caCertificate.filter(String::isBlank).isPresent()) {
      throw new IllegalArgumentException("tls file names must not be empty");
    }
    if (openflow && caCertificate.isEmpty()) {
      throw new IllegalArgumentException(
          "openflow over ssl: needs tls.ca_certificate, the CA that signs the switches' certificates");
    }
  }

  /** The same files and rules, with the API over HTTPS or not. */
  public ControllerTls withApi(boolean https) {
    return new ControllerTls(privateKey, certificate, caCertificate, openflow, https, switchIdentity);
  }
}
