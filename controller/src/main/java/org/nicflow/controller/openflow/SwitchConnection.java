package org.nicflow.controller.openflow;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.types.DatapathId;

/**
 * One connected, handshaken switch as the host-partition logic sees it. Thread-safe: may be called
 * from any thread; writes are handed to the channel's event loop.
 */
public interface SwitchConnection {

  DatapathId dpid();

  /** The configured host this switch is. */
  String host();

  /** The factory of the negotiated OpenFlow version. */
  OFFactory factory();

  /** Current ports by name. */
  PortMap ports();

  /**
   * Sends a message; an xid is assigned if it has none. An ERROR answering it reaches {@link
   * SwitchListener#error} together with this message.
   */
  void send(OFMessage message);

  /**
   * Sends a barrier; completes when its reply arrives (all earlier messages are processed), on the
   * switch's listener executor after the callbacks of everything the switch sent before the reply
   * (so ERRORs answering earlier messages have been reported). Fails with {@link
   * OpenFlowErrorException} if the switch answers the barrier itself with an ERROR, {@link
   * SwitchDisconnectedException} if the connection closes first. A listener callback must compose
   * on it, never block on it (it would wait for its own thread).
   */
  CompletableFuture<Void> barrier();

  /**
   * Reads every flow of every table (multipart, all parts gathered); completes like {@link
   * #barrier()}.
   */
  CompletableFuture<List<OFFlowStatsEntry>> flowStats();

  /**
   * Runs tasks on this switch's listener executor, after the callbacks already queued there: for
   * timers and retries that must stay on the switch's thread (e.g. with {@link
   * CompletableFuture#delayedExecutor}). A task submitted after the controller stopped is dropped.
   */
  Executor executor();

  /**
   * Applies {@code messages} (flow-mods) as one change: where the switch speaks OpenFlow 1.4 or
   * later, as an atomic, ordered bundle (opened, every message added, committed — the switch
   * applies all of them or none); else sent in order and fenced by a barrier. Completes like
   * {@link #barrier()} once the commit (or the barrier) is answered; fails with {@link
   * OpenFlowErrorException} when the switch refuses the bundle, none of which then applies.
   */
  CompletableFuture<Void> commit(List<OFMessage> messages);

  /** Closes the connection, logging {@code reason}. */
  void close(String reason);
}
