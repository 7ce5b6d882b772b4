package org.nicflow.controller.partition;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the host partition; cheap to bump from any thread. */
public final class PartitionCounters {

  /** A consistent-enough copy of every counter. */
  public record Snapshot(
      long packetIns,
      long offloads,
      long duplicateMisses,
      long malformedFrames,
      long unsupportedFrames,
      long ignoredMisses,
      long deniedMisses,
      long flowMods,
      long packetOuts,
      long switchErrors,
      long unresolvedPorts,
      long flowsRemoved,
      long reconcileFailures,
      long claimConflicts,
      long rolledBackFlows,
      long adoptedFlows,
      long auditRepairs,
      long controllerPathPackets) {}

  final LongAdder packetIns = new LongAdder();
  final LongAdder offloads = new LongAdder();
  final LongAdder duplicateMisses = new LongAdder();
  final LongAdder malformedFrames = new LongAdder();
  final LongAdder unsupportedFrames = new LongAdder();
  final LongAdder ignoredMisses = new LongAdder();
  final LongAdder deniedMisses = new LongAdder();
  final LongAdder flowMods = new LongAdder();
  final LongAdder packetOuts = new LongAdder();
  final LongAdder switchErrors = new LongAdder();
  final LongAdder unresolvedPorts = new LongAdder();
  final LongAdder flowsRemoved = new LongAdder();
  final LongAdder reconcileFailures = new LongAdder();
  /** Misses decided again because another switch's thread took their SNAT translation first. */
  final LongAdder claimConflicts = new LongAdder();
  /** Unified flows a switch refused, forgotten with the connections they carried. */
  final LongAdder rolledBackFlows = new LongAdder();
  /** Connection flows taken back from a switch on (re)connect. */
  final LongAdder adoptedFlows = new LongAdder();
  /** Flow-mods periodic audits sent to repair drift. */
  final LongAdder auditRepairs = new LongAdder();
  /**
   * ICMP echo packets the controller rewrote and sent on itself, because the switch cannot rewrite
   * or tell apart their query identifiers (docs/semantics.md, "ICMP echo sessions").
   */
  final LongAdder controllerPathPackets = new LongAdder();

  /** Misses dropped over their VM's miss budget before evaluation, by VM. */
  private final CountsByVm overBudget = new CountsByVm();
  /**
   * New connections dropped because their VM's share of a SNAT address's ports or query
   * identifiers towards their destination was used up, by VM (docs/config.md, {@code snat_ports}).
   */
  final CountsByVm snatExhausted = new CountsByVm();

  void overBudget(String vm) {
    overBudget.increment(vm);
  }

  /** Misses dropped over each VM's miss budget so far, by VM name (VMs with none are absent). */
  Map<String, Long> overBudgetByVm() {
    return overBudget.all();
  }

  /** Misses dropped over the miss budget of VM {@code vm} so far. */
  long overBudgetOf(String vm) {
    return overBudget.of(vm);
  }

  /** Connections that could not get flows, by VM and then by {@link FlowBudget.Reason#label}. */
  private final Map<String, Map<String, LongAdder>> flowsRefused = new ConcurrentHashMap<>();
  /** Connection flows evicted to keep a VM or a bridge within its flow budget, by the VM they were charged to. */
  private final Map<String, LongAdder> flowsEvicted = new ConcurrentHashMap<>();

  void flowsRefused(String vm, FlowBudget.Reason reason) {
    flowsRefused.computeIfAbsent(vm, v -> new ConcurrentHashMap<>())
        .computeIfAbsent(reason.label(), r -> new LongAdder()).increment();
  }

  void flowEvicted(String vm) {
    flowsEvicted.computeIfAbsent(vm, v -> new LongAdder()).increment();
  }

  /** Connections refused flows so far, by VM ({@code ""}: charged to none) and reason; those with none are absent. */
  Map<String, Map<String, Long>> flowsRefused() {
    Map<String, Map<String, Long>> out = new TreeMap<>();
    flowsRefused.forEach((vm, byReason) -> {
      Map<String, Long> reasons = new TreeMap<>();
      byReason.forEach((r, n) -> reasons.put(r, n.sum()));
      out.put(vm, java.util.Collections.unmodifiableMap(reasons));
    });
    return java.util.Collections.unmodifiableMap(out);
  }

  /** Connection flows evicted so far, by the VM they were charged to; VMs with none are absent. */
  Map<String, Long> flowsEvicted() {
    Map<String, Long> out = new TreeMap<>();
    flowsEvicted.forEach((vm, n) -> out.put(vm, n.sum()));
    return java.util.Collections.unmodifiableMap(out);
  }

  public Snapshot snapshot() {
    return new Snapshot(packetIns.sum(), offloads.sum(), duplicateMisses.sum(), malformedFrames.sum(),
        unsupportedFrames.sum(), ignoredMisses.sum(), deniedMisses.sum(), flowMods.sum(), packetOuts.sum(),
        switchErrors.sum(), unresolvedPorts.sum(), flowsRemoved.sum(), reconcileFailures.sum(),
        claimConflicts.sum(), rolledBackFlows.sum(), adoptedFlows.sum(),
        auditRepairs.sum(), controllerPathPackets.sum());
  }
}
