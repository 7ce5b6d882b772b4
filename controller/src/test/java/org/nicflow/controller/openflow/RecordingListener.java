package org.nicflow.controller.openflow;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFlowRemoved;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPacketIn;

/** Records every callback, with the thread it ran on. */
final class RecordingListener implements SwitchListener {

  record Connected(SwitchConnection sw, PortMap ports, String thread) {}

  record PortChange(SwitchConnection sw, String name, boolean added, PortMap ports) {}

  record Error(SwitchConnection sw, OFErrorMsg error, Optional<OFMessage> request) {}

  final List<Connected> connected = new CopyOnWriteArrayList<>();
  final List<SwitchConnection> disconnected = new CopyOnWriteArrayList<>();
  final List<PortChange> portChanges = new CopyOnWriteArrayList<>();
  final List<OFPacketIn> packetIns = new CopyOnWriteArrayList<>();
  final List<OFFlowRemoved> flowRemoved = new CopyOnWriteArrayList<>();
  final List<Error> errors = new CopyOnWriteArrayList<>();

  /** When set, packetIn records the call and then throws. */
  volatile boolean failPacketIns;

  /** When set, packetIn records the call and then waits for this latch (at most 30 s). */
  volatile CountDownLatch packetInGate;

  /** When set, packetIn sends the switch what this returns (after the gate). */
  volatile Function<OFPacketIn, List<OFMessage>> answer;

  /** Every callback in call order, by name. */
  final List<String> calls = new CopyOnWriteArrayList<>();

  /** The switch connection of each entry of {@link #calls}. */
  final List<SwitchConnection> callers = new CopyOnWriteArrayList<>();

  private void noteCall(String call, SwitchConnection sw) {
    calls.add(call);
    callers.add(sw);
  }

  @Override
  public void switchConnected(SwitchConnection sw) {
    noteCall("connected", sw);
    connected.add(new Connected(sw, sw.ports(), Thread.currentThread().getName()));
  }

  @Override
  public void switchDisconnected(SwitchConnection sw) {
    noteCall("disconnected", sw);
    disconnected.add(sw);
  }

  @Override
  public void portChanged(SwitchConnection sw, String portName, boolean added) {
    noteCall("port", sw);
    portChanges.add(new PortChange(sw, portName, added, sw.ports()));
  }

  @Override
  public void packetIn(SwitchConnection sw, OFPacketIn packetIn) {
    noteCall("packetIn", sw);
    packetIns.add(packetIn);
    CountDownLatch gate = packetInGate;
    if (gate != null) {
      try {
        if (!gate.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("packet-in gate never opened");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    var replies = answer;
    if (replies != null) {
      replies.apply(packetIn).forEach(sw::send);
    }
    if (failPacketIns) {
      throw new IllegalStateException("listener bug");
    }
  }

  @Override
  public void flowRemoved(SwitchConnection sw, OFFlowRemoved removed) {
    noteCall("flowRemoved", sw);
    flowRemoved.add(removed);
  }

  @Override
  public void error(SwitchConnection sw, OFErrorMsg error, Optional<OFMessage> request) {
    noteCall("error", sw);
    errors.add(new Error(sw, error, request));
  }
}
