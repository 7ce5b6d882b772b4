package org.nicflow.compiler.proactive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nicflow.compiler.eval.EvalFixtures.tcpFrom;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.eval.Connection;
import org.nicflow.compiler.eval.EvalFixtures;
import org.nicflow.compiler.eval.FlowTuple;
import org.nicflow.compiler.eval.Ingress;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.packet.PacketHeaders;

/** Reading the learned-state markers of a packet's metadata (docs/semantics.md, "Connection state in the NIC"). */
class LearnedReplyTest {

  private final Config config = EvalFixtures.world().build();
  private final Ingress.VmPort fromDb1 = new Ingress.VmPort("host1", "db1");
  private final PacketHeaders reply = tcpFrom(config, "db1", "10.1.0.11", 5432, 40000);
  private final FlowTuple original = FlowTuple.of(reply, EvalFixtures.BLUE).reversed();

  @Test
  void noMarkerReadsAsNone() {
    long metadata = Pipeline.srcVmMetadata(config.vmIndex("db1")) | Pipeline.LEARN_PENDING;

    assertThat(LearnedReply.read(config, fromDb1, reply, metadata)).isEqualTo(new LearnedReply.Reading.None());
  }

  @Test
  void senderMarkerAdoptsTheSendersStatefulConnectionOfTheReversedTuple() {
    long metadata = Pipeline.srcVmMetadata(config.vmIndex("db1")) | Pipeline.SKIP_OUT;

    assertThat(LearnedReply.read(config, fromDb1, reply, metadata)).isEqualTo(adoptsOwnedBy("db1"));
  }

  @Test
  void receiverMarkerAdoptsTheConnectionOfTheVmAtTheDestinationInTheSendersVnet() {
    long routed = Pipeline.srcVmMetadata(config.vmIndex("db1")) | Pipeline.dstVmMetadata(config.vmIndex("web1"))
        | Pipeline.SKIP_IN;

    assertThat(LearnedReply.read(config, fromDb1, reply, routed)).isEqualTo(adoptsOwnedBy("web1"));
  }

  @Test
  void receiverMarkerWhoseRoutedVmIsNotTheDestinationsIsRejected() {
    long routed = Pipeline.srcVmMetadata(config.vmIndex("db1")) | Pipeline.dstVmMetadata(config.vmIndex("red1"))
        | Pipeline.SKIP_IN;

    assertThat(LearnedReply.read(config, fromDb1, reply, routed)).isInstanceOf(LearnedReply.Reading.Rejected.class);
  }

  @Test
  void receiverMarkerOnAPacketToNoVmIsRejected() {
    PacketHeaders toNobody = tcpFrom(config, "db1", "10.1.0.99", 5432, 40000);

    assertThat(LearnedReply.read(config, fromDb1, toNobody, Pipeline.SKIP_IN))
        .isInstanceOf(LearnedReply.Reading.Rejected.class);
  }

  @Test
  void senderMarkerWithoutAVmNumberOrOutOfRangeIsRejected() {
    assertThat(LearnedReply.read(config, fromDb1, reply, Pipeline.SKIP_OUT))
        .isInstanceOf(LearnedReply.Reading.Rejected.class);
    assertThat(LearnedReply.read(config, fromDb1, reply, Pipeline.SRC_VM_MASK | Pipeline.SKIP_OUT))
        .isInstanceOf(LearnedReply.Reading.Rejected.class);
  }

  @Test
  void markerOnAPacketFromATunnelIsRejected() {
    long metadata = Pipeline.srcVmMetadata(config.vmIndex("db1")) | Pipeline.SKIP_OUT;

    assertThat(LearnedReply.read(config, new Ingress.Tunnel("host1", "host2", EvalFixtures.BLUE), reply, metadata))
        .isInstanceOf(LearnedReply.Reading.Rejected.class);
  }

  /** The reading of one stateful connection of the reply reversed, owned by {@code owner}. */
  private LearnedReply.Reading adoptsOwnedBy(String owner) {
    return new LearnedReply.Reading.Adopt(List.of(new Connection(original, original, owner, Connection.Kind.STATEFUL)));
  }
}
