package org.nicflow.controller.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What one run of the miss generator saw.
 *
 * @param seconds from the first packet-in to the last answer (or to the end of the run when none
 *     came)
 * @param latenciesNanos every answered packet-in's time from send to its packet-out, sorted
 */
public record MissReport(
    String controller,
    int switches,
    int inFlight,
    long sent,
    long answered,
    long unanswered,
    long late,
    long flowMods,
    long packetOuts,
    long strayPacketOuts,
    long errors,
    int disconnected,
    double seconds,
    long[] latenciesNanos) {

  /** One switch's counts, merged into the report. */
  record SwitchCounts(String name, long sent, long answered, long unanswered, long late, long flowMods,
      long packetOuts, long strayPacketOuts, long repeated, long errors, boolean disconnected, long lastAnswerAt,
      long[] latencies) {}

  public MissReport {
    latenciesNanos = latenciesNanos.clone();
    Arrays.sort(latenciesNanos);
  }

  static MissReport of(String controller, int inFlight, List<SwitchCounts> counts, long startedAt, long endedAt) {
    long lastAnswer = counts.stream().mapToLong(SwitchCounts::lastAnswerAt).max().orElse(0);
    long end = lastAnswer > startedAt ? lastAnswer : endedAt;
    return new MissReport(controller, counts.size(), inFlight,
        counts.stream().mapToLong(SwitchCounts::sent).sum(),
        counts.stream().mapToLong(SwitchCounts::answered).sum(),
        counts.stream().mapToLong(SwitchCounts::unanswered).sum(),
        counts.stream().mapToLong(SwitchCounts::late).sum(),
        counts.stream().mapToLong(SwitchCounts::flowMods).sum(),
        counts.stream().mapToLong(SwitchCounts::packetOuts).sum(),
        counts.stream().mapToLong(c -> c.strayPacketOuts() + c.repeated()).sum(),
        counts.stream().mapToLong(SwitchCounts::errors).sum(),
        (int) counts.stream().filter(SwitchCounts::disconnected).count(),
        Math.max(end - startedAt, 1) / 1e9,
        counts.stream().map(SwitchCounts::latencies).flatMapToLong(Arrays::stream).toArray());
  }

  /** Packet-ins answered with their packet-out per second. */
  public double rate() {
    return answered / seconds;
  }

  /** The latency below which {@code fraction} of the answered packet-ins were answered, in ns. */
  public long percentile(double fraction) {
    if (latenciesNanos.length == 0) {
      return 0;
    }
    int index = (int) Math.ceil(fraction * latenciesNanos.length) - 1;
    return latenciesNanos[Math.max(0, Math.min(index, latenciesNanos.length - 1))];
  }

  public double flowModsPerPacketIn() {
    return answered == 0 ? 0 : (double) flowMods / answered;
  }

  public double packetOutsPerPacketIn() {
    return answered == 0 ? 0 : (double) packetOuts / answered;
  }

  /** The report as the command prints it. */
  public String render() {
    return String.format(Locale.ROOT, """
        controller        %s
        switches          %d, %d packet-ins in flight each
        packet-ins        %d sent, %d answered with a packet-out, %d unanswered, %d answered late
        duration          %.3f s
        throughput        %.0f packet-ins/s answered
        latency           p50 %s  p99 %s  p99.9 %s  max %s
        flow-mods         %d (%.2f per answered packet-in)
        packet-outs       %d (%.2f per answered packet-in, %d not matching a packet-in)
        errors            %d OpenFlow errors, %d switches disconnected
        """, controller, switches, inFlight, sent, answered, unanswered, late, seconds, rate(),
        micros(percentile(0.50)), micros(percentile(0.99)), micros(percentile(0.999)),
        micros(latenciesNanos.length == 0 ? 0 : latenciesNanos[latenciesNanos.length - 1]),
        flowMods, flowModsPerPacketIn(), packetOuts, packetOutsPerPacketIn(), strayPacketOuts, errors, disconnected);
  }

  private static String micros(long nanos) {
    return String.format(Locale.ROOT, "%.0f us", nanos / 1e3);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MissReport r && controller.equals(r.controller) && switches == r.switches
        && inFlight == r.inFlight && sent == r.sent && answered == r.answered && unanswered == r.unanswered
        && late == r.late && flowMods == r.flowMods && packetOuts == r.packetOuts
        && strayPacketOuts == r.strayPacketOuts && errors == r.errors && disconnected == r.disconnected
        && Double.compare(seconds, r.seconds) == 0 && Arrays.equals(latenciesNanos, r.latenciesNanos);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(controller, sent, answered, flowMods, packetOuts, Arrays.hashCode(latenciesNanos));
  }

  @Override
  public String toString() {
    return render();
  }
}
