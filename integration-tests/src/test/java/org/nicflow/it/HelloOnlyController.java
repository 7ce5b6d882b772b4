package org.nicflow.it;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Just enough of an OpenFlow controller for a switch to count as connected: it answers each
 * connection with an OpenFlow 1.3 HELLO and reads (and ignores) whatever the switch sends.
 */
final class HelloOnlyController implements AutoCloseable {

  private static final byte[] HELLO_OF13 = {0x04, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01};

  private final ServerSocket server;
  private final List<Socket> switches = new CopyOnWriteArrayList<>();

  HelloOnlyController() throws IOException {
    server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "hello-only-controller");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        switches.add(socket);
        socket.getOutputStream().write(HELLO_OF13);
        Thread reader = new Thread(() -> drain(socket), "hello-only-switch");
        reader.setDaemon(true);
        reader.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private static void drain(Socket socket) {
    byte[] buffer = new byte[4096];
    try (InputStream in = socket.getInputStream()) {
      while (in.read(buffer) >= 0) {
        // ignored: features requests, echo requests ...
      }
    } catch (IOException e) {
      // closed
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket socket : switches) {
      socket.close();
    }
  }
}
