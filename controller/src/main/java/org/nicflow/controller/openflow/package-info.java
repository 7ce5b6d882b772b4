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
 * <p>Refusals: a dpid that is no configured host, and a second connection of a connected dpid (the
 * first keeps its session), are closed with one WARN line. A frame openflowj cannot read closes
 * only that connection. Messages a state does not accept are logged and counted as illegal.
 *
 * <p>Xids: openflowj's factory builders stamp each message with an xid from the factory's
 * generator; the session draws its own xids (barriers, stats requests) from the same generator so
 * they never collide.
 */
package org.nicflow.controller.openflow;
