package org.nicflow.controller.api;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.nicflow.compiler.model.Vm;
import org.nicflow.controller.openflow.OpenFlowStats;
import org.nicflow.controller.partition.PartitionCounters;
import org.nicflow.controller.partition.RuleStatistics;
import org.projectfloodlight.openflow.protocol.OFType;

/**
 * {@code GET /metrics}: the controller's counters in the Prometheus text exposition format
 * (version 0.0.4), written by hand from the partition's and the OpenFlow server's snapshots — a
 * scrape reads counters that already exist, so no metrics registry is kept beside them. Per-rule
 * series exist for rules that have seen a folded flow.
 */
final class MetricsExposition {

  private final ApiSources sources;
  private final ApiCounters api;

  MetricsExposition(ApiSources sources, ApiCounters api) {
    this.sources = sources;
    this.api = api;
  }

  String render() {
    StringBuilder out = new StringBuilder(4096);
    PartitionCounters.Snapshot c = sources.partition().counters();
    counter(out, "nicflow_packet_ins_total", "Packet-ins the host partition received.", c.packetIns());
    counter(out, "nicflow_offloads_total", "Misses that installed unified flows.", c.offloads());
    counter(out, "nicflow_duplicate_misses_total",
        "Misses whose flows were already installed (packets in flight before the flow).", c.duplicateMisses());
    counter(out, "nicflow_denied_misses_total", "Misses the rule sets denied.", c.deniedMisses());
    counter(out, "nicflow_malformed_frames_total", "Packet-ins whose frame could not be parsed.",
        c.malformedFrames());
    counter(out, "nicflow_unsupported_frames_total", "Packet-ins of frames nicflow does not offload.",
        c.unsupportedFrames());
    counter(out, "nicflow_ignored_misses_total", "Misses from unknown ports or switches not yet programmed.",
        c.ignoredMisses());
    counter(out, "nicflow_flow_mods_total",
        "Flow-mods sent: misses, policy updates, reconciliations, audits, clean-up.", c.flowMods());
    counter(out, "nicflow_packet_outs_total", "Packets re-injected after a miss.", c.packetOuts());
    counter(out, "nicflow_switch_errors_total", "OpenFlow ERROR messages switches sent.", c.switchErrors());
    counter(out, "nicflow_unresolved_ports_total", "Unified flows not installed for want of a port.",
        c.unresolvedPorts());
    counter(out, "nicflow_flows_removed_total", "FLOW_REMOVED messages folded into rule statistics.",
        c.flowsRemoved());
    counter(out, "nicflow_reconcile_failures_total", "Bridge programming rounds that failed.",
        c.reconcileFailures());
    counter(out, "nicflow_claim_conflicts_total",
        "Misses decided again because another switch took their SNAT translation first.", c.claimConflicts());
    counter(out, "nicflow_rolled_back_flows_total",
        "Unified flows a switch refused, forgotten with the connections they carried.", c.rolledBackFlows());
    counter(out, "nicflow_adopted_flows_total", "Connection flows taken back from a switch on (re)connect.",
        c.adoptedFlows());
    counter(out, "nicflow_audit_repairs_total", "Flow-mods periodic audits sent to repair drift.", c.auditRepairs());
    counter(out, "nicflow_controller_path_packets_total",
        "ICMP echo packets the controller rewrote and sent on, the switch being unable to tell their identifiers apart.",
        c.controllerPathPackets());
    missesOverBudget(out);
    flowBudget(out);
    byVm(out, "nicflow_vm_snat_exhausted_total",
        "New connections dropped because their VM's SNAT share (snat_ports) towards their destination was used up, by VM.",
        sources.partition().snatExhausted());

    gauge(out, "nicflow_policy_revision", "The policy revision in force.", sources.policy().current().revision());
    gauge(out, "nicflow_configured_hosts", "Hosts in the config.", sources.config().hosts().size());
    gauge(out, "nicflow_connected_switches", "Host bridges connected and programmed.",
        sources.partition().connectedHosts().size());
    gauge(out, "nicflow_connections", "Live stateful, SNAT and load-balanced connections.",
        sources.partition().connections().size());

    OpenFlowStats.Counts g = sources.openflow().get().global();
    messages(out, "nicflow_openflow_messages_received_total", "OpenFlow messages received, by type.",
        g.messagesIn());
    messages(out, "nicflow_openflow_messages_sent_total", "OpenFlow messages sent, by type.", g.messagesOut());
    counter(out, "nicflow_openflow_illegal_messages_total", "Messages a switch sent in the wrong state.",
        g.illegalMessages());
    counter(out, "nicflow_openflow_malformed_closes_total", "Connections closed for undecodable bytes.",
        g.malformedCloses());
    counter(out, "nicflow_openflow_tls_failures_total",
        "Switch connections refused by TLS: no or untrusted certificate, plain TCP, a broken TLS record.",
        g.tlsFailures());
    counter(out, "nicflow_openflow_identity_refusals_total",
        "Switches refused because their certificate does not name the host whose dpid they claimed.",
        g.identityRefusals());
    counter(out, "nicflow_openflow_read_pauses_total",
        "Times reading from a switch paused because its messages waited for the controller.", g.readPauses());
    counter(out, "nicflow_openflow_packet_ins_shed_total",
        "Packet-ins dropped on arrival because their port had its share of the switch's queue waiting.",
        g.packetInsShed());
    counter(out, "nicflow_openflow_write_pauses_total",
        "Times reading from a switch paused because it did not read what was sent to it.", g.writePauses());
    counter(out, "nicflow_openflow_packet_outs_shed_total",
        "Packet-outs dropped because their switch was not reading.", g.packetOutsShed());
    counter(out, "nicflow_openflow_outbound_overflow_closes_total",
        "Connections closed because more than the outbound limit waited for the switch.",
        g.outboundOverflowCloses());
    counter(out, "nicflow_openflow_dpid_takeovers_total",
        "Connections that lost their dpid to a newer connection of the switch.", g.dpidTakeovers());
    counter(out, "nicflow_openflow_dropped_after_close_total",
        "Packet-ins and messages dropped because their connection had closed.", g.droppedAfterClose());

    counter(out, "nicflow_api_requests_shed_total",
        "API requests answered 503 at once: every worker busy and the queue full.", api.shed.sum());
    counter(out, "nicflow_api_request_timeouts_total",
        "API connections answered 408 and closed: a request not received within the request timeout.",
        api.requestTimeouts.sum());
    counter(out, "nicflow_api_tls_failures_total",
        "HTTPS connections closed because their TLS handshake failed or did not end within the request timeout.",
        api.tlsFailures.sum());
    counter(out, "nicflow_api_connections_refused_total", "API connections closed on accept: too many open.",
        api.refusedConnections.sum());
    counter(out, "nicflow_api_flow_stats_refused_total",
        "Flow listings answered 503 at once: too many flow statistics requests waiting for switches.",
        api.flowStatsRefused.sum());
    counter(out, "nicflow_api_flow_stats_timeouts_total",
        "Flow statistics requests a switch did not answer within the switch timeout.", api.flowStatsTimeouts.sum());
    counter(out, "nicflow_api_enforce_waits_refused_total",
        "Writes with wait=enforced answered 503 at once, unwritten: too many already waiting for switches.",
        api.enforceWaitsRefused.sum());

    rules(out);
    return out.toString();
  }

  private void rules(StringBuilder out) {
    RuleStatistics statistics = sources.partition().statistics();
    StringBuilder packets = new StringBuilder();
    StringBuilder bytes = new StringBuilder();
    StringBuilder flows = new StringBuilder();
    for (Vm vm : sources.config().vms()) {
      statistics.forVm(vm.name()).forEach((key, counts) -> {
        String labels = "{vm=\"" + label(key.vm()) + "\",layer=\"" + label(key.layer()) + "\",rule=\""
            + label(key.rule()) + "\"}";
        packets.append("nicflow_rule_packets_total").append(labels).append(' ').append(counts.packets()).append('\n');
        bytes.append("nicflow_rule_bytes_total").append(labels).append(' ').append(counts.bytes()).append('\n');
        flows.append("nicflow_rule_flows_total").append(labels).append(' ').append(counts.flows()).append('\n');
      });
    }
    header(out, "nicflow_rule_packets_total", "Packets of expired flows, by the rule that decided them.",
        "counter");
    out.append(packets);
    header(out, "nicflow_rule_bytes_total", "Bytes of expired flows, by the rule that decided them.", "counter");
    out.append(bytes);
    header(out, "nicflow_rule_flows_total", "Expired flows, by the rule that decided them.", "counter");
    out.append(flows);
  }

  /** Every configured VM's misses dropped over its miss budget (0 for those that never went over). */
  private void missesOverBudget(StringBuilder out) {
    byVm(out, "nicflow_vm_misses_over_budget_total",
        "Packet-ins dropped over their VM's miss budget (miss_rate_pps), before evaluation, by VM.",
        sources.partition().missesOverBudget());
  }

  /** A counter with one series per configured VM (0 for VMs {@code counts} does not hold). */
  private void byVm(StringBuilder out, String name, String help, Map<String, Long> counts) {
    header(out, name, help, "counter");
    sources.config().vms().forEach(vm -> out.append(name).append("{vm=\"").append(label(vm.name())).append("\"} ")
        .append(counts.getOrDefault(vm.name(), 0L)).append('\n'));
  }

  /**
   * Connections refused a flow, by VM and reason, and connection flows evicted, by VM (docs/controller.md,
   * "Flow budget"): a series appears with its first count ({@code vm=""}: flows charged to no VM).
   */
  private void flowBudget(StringBuilder out) {
    String refused = "nicflow_vm_flows_refused_total";
    header(out, refused, "Connections that got no flow and were served by packet-outs, by the VM charged and reason "
        + "(vm_limit, host_limit, table_full).", "counter");
    sources.partition().flowsRefused().forEach((vm, byReason) -> byReason.forEach((reason, n) ->
        out.append(refused).append("{vm=\"").append(label(vm)).append("\",reason=\"").append(label(reason))
            .append("\"} ").append(n).append('\n')));
    String evicted = "nicflow_vm_flows_evicted_total";
    header(out, evicted, "Connection flows evicted, least recently seen first, to keep within max_flows or "
        + "host_max_flows, by the VM charged.", "counter");
    sources.partition().flowsEvicted().forEach((vm, n) ->
        out.append(evicted).append("{vm=\"").append(label(vm)).append("\"} ").append(n).append('\n'));
  }

  private static void messages(StringBuilder out, String name, String help, Map<OFType, Long> byType) {
    header(out, name, help, "counter");
    new TreeMap<>(byType).forEach((type, n) -> out.append(name).append("{type=\"")
        .append(type.name().toLowerCase(Locale.ROOT)).append("\"} ").append(n).append('\n'));
  }

  private static void counter(StringBuilder out, String name, String help, long value) {
    header(out, name, help, "counter");
    out.append(name).append(' ').append(value).append('\n');
  }

  private static void gauge(StringBuilder out, String name, String help, long value) {
    header(out, name, help, "gauge");
    out.append(name).append(' ').append(value).append('\n');
  }

  private static void header(StringBuilder out, String name, String help, String type) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  /** A label value escaped as the text format requires: backslash, double quote, newline. */
  static String label(String value) {
    StringBuilder sb = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char ch = value.charAt(i);
      switch (ch) {
        case '\\' -> sb.append("\\\\");
        case '"' -> sb.append("\\\"");
        case '\n' -> sb.append("\\n");
        default -> sb.append(ch);
      }
    }
    return sb.toString();
  }
}
