package org.nicflow.controller.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.nicflow.controller.tls.TlsFilesException;
import org.nicflow.controller.tls.TlsKeys;
import picocli.CommandLine.Option;

/**
 * Where the running controller's API is ({@code --api HOST:PORT}) and the bearer token to send
 * ({@code --token-file PATH}) and, when it is served over HTTPS, the CA to trust ({@code
 * --ca-certificate PATH}), shared by {@code get}, {@code apply} and {@code delete}.
 */
public final class ApiClientOptions {

  static final String DEFAULT_API = "127.0.0.1:8080";

  @Option(names = "--api", paramLabel = "HOST:PORT", defaultValue = DEFAULT_API,
      description = "The controller's REST API (default: ${DEFAULT-VALUE}).")
  private String api;

  @Option(names = "--token-file", paramLabel = "PATH",
      description = "Send the bearer token in PATH (the API needs it when it listens off loopback; "
          + "the controller writes it to its state_dir).")
  private Path tokenFile;

  @Option(names = "--ca-certificate", paramLabel = "PATH",
      description = "Talk HTTPS to the API (controller.tls.api: true), trusting the CA certificate in PATH "
          + "(the CA that signed controller.tls.certificate).")
  private Path caCertificate;

  /** A client for the API these options name. */
  ApiClient client() {
    InetSocketAddress address = RunCommand.hostPort("--api", api);
    if (address.getPort() == 0) {
      throw new BadInputException("--api needs the port the controller listens on, got '" + api + "'");
    }
    return new ApiClient(address.getHostString(), address.getPort(), token(), tls());
  }

  private Optional<SSLContext> tls() {
    if (caCertificate == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(TlsKeys.clientContext(caCertificate));
    } catch (TlsFilesException e) {
      throw new BadInputException("--ca-certificate: " + e.getMessage());
    }
  }

  private Optional<String> token() {
    if (tokenFile == null) {
      return Optional.empty();
    }
    String token;
    try {
      token = Files.readString(tokenFile).trim();
    } catch (NoSuchFileException e) {
      throw new BadInputException("no token file " + tokenFile);
    } catch (IOException e) {
      throw new BadInputException("cannot read the token file " + tokenFile + ": " + e.getMessage());
    }
    if (token.isEmpty()) {
      throw new BadInputException("the token file " + tokenFile + " is empty");
    }
    return Optional.of(token);
  }
}
