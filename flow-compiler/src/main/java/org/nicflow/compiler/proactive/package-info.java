/**
 * One host's OpenFlow pipeline, compiled and checked without a switch.
 *
 * <ul>
 *   <li>{@link org.nicflow.compiler.proactive.HostPipelineCompiler}: a host's flows and meters
 *       from a config, in reactive mode ({@code classify} plus a {@code unified} miss to the
 *       controller) or proactive mode (every layer of every rule set as wildcard tables).
 *   <li>{@link org.nicflow.compiler.proactive.PortRangeCover}: port ranges as value/mask blocks.
 *   <li>{@link org.nicflow.compiler.proactive.TableSimulator}: runs IPv4 packets and ARP frames
 *       through flows with OpenFlow 1.3 semantics; {@link org.nicflow.compiler.proactive.SimIngress}
 *       maps an evaluator ingress to a port and {@link
 *       org.nicflow.compiler.proactive.SimResult#disagreementWith} compares with an evaluator
 *       decision.
 *   <li>{@link org.nicflow.compiler.proactive.OvsFlowRenderer}: flows and meters as
 *       {@code ovs-ofctl -O OpenFlow13 add-flows} / {@code add-meter} text.
 * </ul>
 */
package org.nicflow.compiler.proactive;
