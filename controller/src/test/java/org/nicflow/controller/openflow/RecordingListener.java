package org.nicflow.controller.openflow;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
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

  /** Every callback in call order, by name. */
  final List<String> calls = new CopyOnWriteArrayList<>();

  @Override
  public void switchConnected(SwitchConnection sw) {
    calls.add("connected");
    connected.add(new Connected(sw, sw.ports(), Thread.currentThread().getName()));
  }

  @Override
  public void switchDisconnected(SwitchConnection sw) {
    calls.add("disconnected");
    disconnected.add(sw);
  }

  @Override
  public void portChanged(SwitchConnection sw, String portName, boolean added) {
    calls.add("port");
    portChanges.add(new PortChange(sw, portName, added, sw.ports()));
  }

  @Override
  public void packetIn(SwitchConnection sw, OFPacketIn packetIn) {
    calls.add("packetIn");
    packetIns.add(packetIn);
    if (failPacketIns) {
      throw new IllegalStateException("listener bug");
    }
  }

  @Override
  public void flowRemoved(SwitchConnection sw, OFFlowRemoved removed) {
    calls.add("flowRemoved");
    flowRemoved.add(removed);
  }

  @Override
  public void error(SwitchConnection sw, OFErrorMsg error, Optional<OFMessage> request) {
    calls.add("error");
    errors.add(new Error(sw, error, request));
  }
}
