package org.nicflow.controller.openflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.local.LocalChannel;
import org.junit.jupiter.api.Test;

class ReadGateTest {

  /**
   * A switch's queued callbacks still run after the controller stopped its event loops, and the
   * last of them lifts the backlog's pause: that must not throw out of the switch's thread (it
   * printed a stack trace per lane at every stop under load).
   */
  @Test
  void resumingAfterTheEventLoopStoppedIsQuiet() throws Exception {
    var group = new DefaultEventLoopGroup(1);
    var channel = new LocalChannel();
    group.register(channel).sync();
    ReadGate gate = ReadGate.of(channel);
    gate.pause(ReadGate.Reason.BACKLOG);
    group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).sync();

    assertThatCode(() -> gate.resume(ReadGate.Reason.BACKLOG)).doesNotThrowAnyException();
    assertThat(gate.isPaused(ReadGate.Reason.BACKLOG)).isFalse();
  }
}
