package org.nicflow.controller.openflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.nicflow.controller.openflow.SwitchHandshakeTest.HOST1;
import static org.nicflow.controller.openflow.SwitchHandshakeTest.ports;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFBundleAddMsg;
import org.projectfloodlight.openflow.protocol.OFBundleCtrlMsg;
import org.projectfloodlight.openflow.protocol.OFBundleCtrlType;
import org.projectfloodlight.openflow.protocol.OFBundleFailedCode;
import org.projectfloodlight.openflow.protocol.OFBundleFlags;
import org.projectfloodlight.openflow.protocol.OFFlowAdd;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFType;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.OFErrorCauseData;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

class SwitchSessionBundleTest {

  final RecordingListener listener = new RecordingListener();
  final OpenFlowServer server = new OpenFlowServer(Map.of(HOST1, "host1"), listener,
      new OpenFlowSettings("127.0.0.1", 0, Duration.ofSeconds(5), Duration.ofSeconds(15)));
  FakeSwitch sw;
  SwitchConnection session;

  void connect(OFVersion version) {
    sw = new FakeSwitch(server, version);
    sw.connect(HOST1, ports("host1-up", 1, "web1-eth0", 2));
    await().until(() -> listener.connected.size() == 1);
    session = sw.session();
    sw.remaining();
  }

  @AfterEach
  void stop() throws InterruptedException {
    server.close();
  }

  OFFlowAdd flowAdd(long cookie) {
    var f = sw.factory;
    return f.buildFlowAdd().setTableId(TableId.of(0)).setPriority(100).setCookie(U64.of(cookie))
        .setMatch(f.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(2)).build()).build();
  }

  @Test
  void onOpenFlow14AChangeIsOneAtomicOrderedBundleDoneWhenItsCommitIsAnswered() {
    connect(OFVersion.OF_14);
    CompletableFuture<Void> done = session.commit(List.of(flowAdd(7), flowAdd(8)));

    OFBundleCtrlMsg open = sw.next(OFType.BUNDLE_CONTROL);
    OFBundleAddMsg first = sw.next(OFType.BUNDLE_ADD_MESSAGE);
    OFBundleAddMsg second = sw.next(OFType.BUNDLE_ADD_MESSAGE);
    OFBundleCtrlMsg commit = sw.next(OFType.BUNDLE_CONTROL);

    assertThat(open.getBundleCtrlType()).isEqualTo(OFBundleCtrlType.OPEN_REQUEST);
    assertThat(open.getFlags()).isEqualTo(Set.of(OFBundleFlags.ATOMIC, OFBundleFlags.ORDERED));
    assertThat(List.of(first, second)).allSatisfy(add -> {
      assertThat(add.getBundleId()).isEqualTo(open.getBundleId());
      assertThat(add.getData().getXid()).as("the added message carries its bundle-add's xid").isEqualTo(add.getXid());
    });
    assertThat(((OFFlowAdd) first.getData()).getCookie()).isEqualTo(U64.of(7));
    assertThat(((OFFlowAdd) second.getData()).getCookie()).isEqualTo(U64.of(8));
    assertThat(commit.getBundleCtrlType()).isEqualTo(OFBundleCtrlType.COMMIT_REQUEST);
    assertThat(commit.getBundleId()).isEqualTo(open.getBundleId());

    sw.send(reply(open, OFBundleCtrlType.OPEN_REPLY));
    assertThat(done).isNotDone();
    sw.send(reply(commit, OFBundleCtrlType.COMMIT_REPLY));
    await().until(done::isDone);
    assertThat(done).isCompleted();
    assertThat(server.stats().global().illegalMessages()).as("bundle replies are expected").isZero();
  }

  @Test
  void anErrorAboutAnAddedMessageFailsTheChangeAndNamesThatMessage() {
    connect(OFVersion.OF_14);
    CompletableFuture<Void> done = session.commit(List.of(flowAdd(7), flowAdd(8)));
    sw.next(OFType.BUNDLE_CONTROL);
    sw.next(OFType.BUNDLE_ADD_MESSAGE);
    OFBundleAddMsg second = sw.next(OFType.BUNDLE_ADD_MESSAGE);
    sw.next(OFType.BUNDLE_CONTROL);

    sw.send(sw.factory.errorMsgs().buildBundleFailedErrorMsg().setXid(second.getXid())
        .setCode(OFBundleFailedCode.MSG_FAILED).setData(OFErrorCauseData.of(new byte[0], OFVersion.OF_14)).build());

    await().until(done::isDone);
    assertThat(done).isCompletedExceptionally();
    assertThat(done).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(OpenFlowErrorException.class);
    await().until(() -> listener.errors.size() == 1);
    assertThat(listener.errors.get(0).request()).contains(second.getData());
  }

  @Test
  void onOpenFlow13AChangeIsSentInOrderAndFencedByABarrier() {
    connect(OFVersion.OF_13);
    CompletableFuture<Void> done = session.commit(List.of(flowAdd(7), flowAdd(8)));

    OFFlowAdd first = sw.next(OFType.FLOW_MOD);
    OFFlowAdd second = sw.next(OFType.FLOW_MOD);
    OFMessage barrier = sw.next(OFType.BARRIER_REQUEST);
    assertThat(List.of(first.getCookie(), second.getCookie())).containsExactly(U64.of(7), U64.of(8));
    sw.send(sw.factory.buildBarrierReply().setXid(barrier.getXid()).build());
    await().until(done::isDone);
    assertThat(done).isCompleted();
  }

  private OFBundleCtrlMsg reply(OFBundleCtrlMsg request, OFBundleCtrlType type) {
    return sw.factory.buildBundleCtrlMsg().setXid(request.getXid()).setBundleId(request.getBundleId())
        .setBundleCtrlType(type).setFlags(request.getFlags()).build();
  }
}
