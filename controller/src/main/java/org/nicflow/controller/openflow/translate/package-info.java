/**
 * Translation between nicflow's protocol-neutral flows ({@code org.nicflow.compiler.flow}) and
 * openflowj messages: flow-mods, meter-mods, and flow stats or flow-removed read back into flows
 * and counters. Tables are named by the pipeline declaration, ports by the switch's port map.
 */
package org.nicflow.controller.openflow.translate;
