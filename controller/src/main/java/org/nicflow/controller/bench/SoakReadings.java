package org.nicflow.controller.bench;

import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the figures a soak samples out of the text the system and the controller give. */
public final class SoakReadings {

  private static final Pattern VM_RSS = Pattern.compile("^VmRSS:\\s+(\\d+)\\s+kB", Pattern.MULTILINE);
  private static final Pattern FLOW_COUNT = Pattern.compile("flow_count=(\\d+)");
  private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("^Total\\s+\\d+\\s+(\\d+)\\s*$", Pattern.MULTILINE);

  private SoakReadings() {}

  /** The resident set in KiB from the text of {@code /proc/PID/status}. */
  public static OptionalLong rssKb(String procStatus) {
    Matcher m = VM_RSS.matcher(procStatus);
    return m.find() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
  }

  /** The value of an unlabelled sample {@code name} in Prometheus text, as a whole number. */
  public static OptionalLong metric(String exposition, String name) {
    Matcher m = Pattern.compile("^" + Pattern.quote(name) + " ([0-9.eE+-]+)$", Pattern.MULTILINE).matcher(exposition);
    return m.find() ? OptionalLong.of((long) Double.parseDouble(m.group(1))) : OptionalLong.empty();
  }

  /** The live bytes, in KiB, of a class histogram ({@code jcmd PID GC.class_histogram}): its Total line. */
  public static OptionalLong histogramTotalKb(String histogram) {
    Matcher m = HISTOGRAM_TOTAL.matcher(histogram);
    return m.find() ? OptionalLong.of(Long.parseLong(m.group(1)) / 1024) : OptionalLong.empty();
  }

  /** The flow count of {@code ovs-ofctl dump-aggregate}'s answer. */
  public static OptionalLong flowCount(String dumpAggregate) {
    Matcher m = FLOW_COUNT.matcher(dumpAggregate);
    return m.find() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
  }
}
