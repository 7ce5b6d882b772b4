package org.nicflow.controller.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Runs emulated switches against a controller on one thread (a selector over their connections):
 * connects each, completes the handshake the controller drives, waits until every switch is
 * settled, then keeps {@code inFlight} packet-ins unanswered per switch until each switch sent its
 * plan or the duration is up, and waits for the last answers.
 */
public final class MissLoad {

  /**
   * How to run.
   *
   * @param duration stop sending after this long (zero: when every packet went out)
   * @param settle a switch is ready once the controller has been quiet this long after the handshake
   * @param timeout a packet-in unanswered this long is given up on (and frees its place in the window)
   * @param handshakeTimeout every switch must be settled within this
   */
  public record Settings(InetSocketAddress controller, int inFlight, Duration duration, Duration settle,
      Duration timeout, Duration handshakeTimeout) {
    public Settings {
      Objects.requireNonNull(controller, "controller");
      if (inFlight < 1) {
        throw new IllegalArgumentException("in-flight must be at least 1, got " + inFlight);
      }
      if (duration.isNegative() || settle.isNegative() || timeout.isZero() || timeout.isNegative() || handshakeTimeout.isZero() || handshakeTimeout.isNegative()) {
        throw new IllegalArgumentException("durations must not be negative and timeouts positive");
      }
    }
  }

  private static final long POLL_MILLIS = 5;

  private final Settings settings;

  public MissLoad(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /**
   * Runs {@code plans} to the end and reports.
   *
   * @throws IOException when a switch cannot connect or the controller sends what cannot be read
   * @throws IllegalStateException when a switch is not settled within the handshake timeout
   */
  public MissReport run(List<MissTraffic.SwitchPlan> plans) throws IOException {
    List<EmulatedSwitch> switches = new ArrayList<>();
    try (Selector selector = Selector.open()) {
      try {
        for (MissTraffic.SwitchPlan plan : plans) {
          SocketChannel channel = SocketChannel.open(settings.controller());
          channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
          channel.configureBlocking(false);
          EmulatedSwitch sw = new EmulatedSwitch(plan, channel, settings.inFlight());
          channel.register(selector, SelectionKey.OP_READ, sw);
          switches.add(sw);
        }
        handshake(selector, switches);
        switches.forEach(EmulatedSwitch::startMeasuring);
        long started = System.nanoTime();
        long stopSending = settings.duration().isZero() ? Long.MAX_VALUE : started + settings.duration().toNanos();
        long timeout = settings.timeout().toNanos();
        while (true) {
          long now = System.nanoTime();
          boolean sending = now < stopSending;
          boolean busy = false;
          for (EmulatedSwitch sw : switches) {
            sw.expire(now, timeout);
            if (sending && sw.hasUnsent()) {
              sw.fill(now);
              busy = true;
            } else if (!sw.isClosed() && sw.inFlight() > 0) {
              busy = true;
            }
            if (!sw.flush()) {
              sw.channel().keyFor(selector).interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            }
          }
          if (!busy) {
            return MissReport.of(settings.controller().getHostString() + ":" + settings.controller().getPort(),
                settings.inFlight(), switches.stream().map(EmulatedSwitch::counts).toList(), started,
                System.nanoTime());
          }
          poll(selector, POLL_MILLIS);
        }
      } finally {
        for (EmulatedSwitch sw : switches) {
          sw.channel().close();
        }
      }
    }
  }

  private void handshake(Selector selector, List<EmulatedSwitch> switches) throws IOException {
    long deadline = System.nanoTime() + settings.handshakeTimeout().toNanos();
    long settle = settings.settle().toNanos();
    while (true) {
      long now = System.nanoTime();
      for (EmulatedSwitch sw : switches) {
        sw.flush();
      }
      if (switches.stream().allMatch(sw -> sw.settled(now, settle))) {
        return;
      }
      List<String> closed = switches.stream().filter(EmulatedSwitch::isClosed).map(sw -> sw.plan().name()).toList();
      if (!closed.isEmpty()) {
        throw new IllegalStateException("the controller closed the connection of " + String.join(", ", closed)
            + " during the handshake (does it know these dpids? with --config, the switches are its hosts)");
      }
      if (now > deadline) {
        throw new IllegalStateException("no handshake within " + settings.handshakeTimeout() + " for "
            + switches.stream().filter(sw -> !sw.settled(now, settle)).map(sw -> sw.plan().name())
                .collect(Collectors.joining(", ")));
      }
      poll(selector, POLL_MILLIS);
    }
  }

  private static void poll(Selector selector, long millis) throws IOException {
    selector.select(millis);
    long now = System.nanoTime();
    for (SelectionKey key : selector.selectedKeys()) {
      EmulatedSwitch sw = (EmulatedSwitch) key.attachment();
      if (!key.isValid()) {
        continue;
      }
      if (key.isReadable() && !sw.read(now)) {
        key.cancel();
        continue;
      }
      if (key.isWritable() && sw.flush()) {
        key.interestOps(SelectionKey.OP_READ);
      }
    }
    selector.selectedKeys().clear();
  }
}
