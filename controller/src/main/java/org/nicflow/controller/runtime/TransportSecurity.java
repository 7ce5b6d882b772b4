package org.nicflow.controller.runtime;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.nicflow.compiler.model.ControllerTls;
import org.nicflow.controller.openflow.SwitchTls;
import org.nicflow.controller.tls.TlsFilesException;
import org.nicflow.controller.tls.TlsKeys;

/**
 * Which listeners use TLS, with their contexts ready: the OpenFlow channel (switch certificates
 * required) and the REST API (HTTPS).
 */
public record TransportSecurity(Optional<SwitchTls> openflow, Optional<SSLContext> api) {

  public static final TransportSecurity NONE = new TransportSecurity(Optional.empty(), Optional.empty());

  public TransportSecurity {
    Objects.requireNonNull(openflow, "openflow");
    Objects.requireNonNull(api, "api");
  }

  /**
   * Reads the files of {@code controller.tls} (relative names are relative to the working
   * directory) once, for the listeners that use TLS: the OpenFlow channel when {@code
   * openflowTls} — the config's {@code ssl:} or the command line's — and the API when {@code
   * tls.api}.
   *
   * @throws IllegalArgumentException when {@code openflowTls} and there is no CA certificate
   */
  public static TransportSecurity load(ControllerTls tls, boolean openflowTls) throws TlsFilesException {
    if (!openflowTls && !tls.api()) {
      return NONE;
    }
    if (openflowTls && tls.caCertificate().isEmpty()) {
      throw new IllegalArgumentException("the OpenFlow channel over ssl: needs controller.tls.ca_certificate, "
          + "the CA that signs the switches' certificates");
    }
    TlsKeys keys = TlsKeys.load(Path.of(tls.privateKey()), Path.of(tls.certificate()),
        openflowTls ? tls.caCertificate().map(Path::of) : Optional.empty());
    return new TransportSecurity(
        openflowTls ? Optional.of(SwitchTls.of(keys, tls.switchIdentity())) : Optional.empty(),
        tls.api() ? Optional.of(keys.serverContext()) : Optional.empty());
  }
}
