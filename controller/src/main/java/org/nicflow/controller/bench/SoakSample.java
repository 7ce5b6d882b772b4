package org.nicflow.controller.bench;

/**
 * One look, during a soak, at the processes and tables it watches.
 *
 * @param seconds since the load started
 * @param loaded whether the load generator was still running (false: the drain after it)
 * @param controllerPid the controller's pid, or -1 when it was not running
 * @param controllerRssKb the controller's resident set (VmRSS), or -1 when it was not running
 * @param vswitchdPid ovs-vswitchd's pid from its pid file, or -1 when there was none
 * @param vswitchdRssKb ovs-vswitchd's resident set, or -1 when it was not running
 * @param packetIns packet-ins the controller counted so far, -1 when it did not answer
 * @param connections live connection entries the controller holds, -1 when it did not answer
 * @param bridgeFlows flows in the bridge's tables, -1 when OVS did not answer
 */
public record SoakSample(double seconds, boolean loaded, long controllerPid, long controllerRssKb, long vswitchdPid,
    long vswitchdRssKb, long packetIns, long connections, long bridgeFlows) {}
