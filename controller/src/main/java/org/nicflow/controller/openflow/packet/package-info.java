/**
 * The packets of packet-ins and packet-outs: a frame parser that never throws (Ethernet, 802.1Q,
 * ARP, IPv4, TCP, UDP, ICMP) and the packet-outs that re-inject a packet or send a frame.
 */
package org.nicflow.controller.openflow.packet;
