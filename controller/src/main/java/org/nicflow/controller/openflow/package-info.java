/**
 * The OpenFlow channel: {@link org.nicflow.controller.openflow.OpenFlowServer} accepts switches
 * (Netty NIO), each channel running frame decoder → openflowj decoder → encoder → idle handler →
 * {@code SwitchHandshake}. The handshake (HELLO with a 1.3–1.5 version bitmap, FEATURES, port
 * description, SET_CONFIG with no buffering, barrier) ends READY, and the switch's {@code
 * SwitchSession} is announced to the {@link org.nicflow.controller.openflow.SwitchListener}.
 *
 * <p>Threads: all protocol state lives on the channel's event loop; every listener callback, and
 * the completion of barrier and flow-stats futures, runs on a per-switch single-thread executor in
 * the order the switch sent the messages. Writes may come from any thread.
 *
 * <p>Refusals: a dpid that is no configured host is closed with one WARN line. A second connection
 * of a held dpid completes its handshake and then contends for it: a holder still in its handshake,
 * or one silent for an echo interval, loses it (closed, counted); one that answers keeps it and the
 * newcomer is closed. A frame openflowj cannot read closes only that connection. Messages a state
 * does not accept are logged and counted as illegal. Lines that can repeat per connection go
 * through {@code ThrottledLog}: one per cause and minute, stack traces for bugs only.
 *
 * <p>Bounds: {@code InboundBacklog} pauses reading while too many received messages wait for the
 * executor; {@code OutboundLimit} pauses reading and sheds packet-outs while the switch does not
 * read what is sent to it, and closes it past the outbound limit; both pause through the channel's
 * {@code ReadGate}.
 *
 * <p>Xids: openflowj's factory builders stamp each message with an xid from the factory's
 * generator; the session draws its own xids (barriers, stats requests) from the same generator so
 * they never collide.
 */
package org.nicflow.controller.openflow;
