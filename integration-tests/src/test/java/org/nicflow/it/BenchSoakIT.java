package org.nicflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nicflow.controller.cli.NicflowCli;

/**
 * The short form of {@code nicflow bench soak} on real OVS + Mininet: 40 s of nginx + wrk with
 * {@code Connection: close} (every request a new TCP connection and a miss) through reactive offload,
 * the controller in its own process. Nothing crashes, no request fails, memory does not grow with
 * the connections served, and once the idle timeouts have passed the controller holds no connection
 * entry and the bridge no flow more than before the load. Speed is not asserted.
 *
 * <p>The memory bounds are resource bounds, not timings. The controller's 256 MiB heap is committed
 * and touched at its start, so what its RSS gains after the 15 s warm-up lies outside the heap:
 * compiled code, the compilers' arenas, thread stacks, Netty's direct buffers. That measured +19 MiB
 * at most here (about 9,000 connections; the machine's load average about 20); {@value #RSS_MIB}
 * MiB leaves three times that; one leaked 8 KiB buffer per connection would exceed it (about 70 MiB). The heap
 * is judged by what a full collection leaves: after the drain it holds no connection, at the end of
 * the warm-up it held some 2,000 and the switch session's last 4,096 messages (already full then), so
 * it should be smaller after the drain (measured: 21.2 then 17.8 MiB). One flow-add message kept
 * per connection (about 1.2 KiB each, from the class histogram) would add some 10 MiB over the run's
 * connections; {@value #HEAP_MIB} MiB is well below that.
 */
@ExtendWith(RootOnly.class)
class BenchSoakIT {

  static final int RSS_MIB = 64;
  static final int HEAP_MIB = 4;

  @Test
  void connectionChurnFailsNothingCrashesNothingAndLeavesNothingBehind() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cli = NicflowCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));

    int code = cli.execute("bench", "soak", "--seconds", "40", "--warm-up", "15", "--heap", "256m",
        "--max-rss-growth", Integer.toString(RSS_MIB), "--max-heap-growth", Integer.toString(HEAP_MIB));

    String report = out.toString();
    System.out.println(report);
    assertThat(code).as("exit code; stderr: %s", err).isZero();
    Matcher wrk = find(report, "wrk: ([\\d,]+) requests in");
    assertThat(number(wrk.group(1))).as("requests served").isPositive();
    assertThat(number(find(report, "failed: (\\d+) \\(").group(1))).as("failed requests").isZero();
    Matcher vswitchd = find(report, "ovs-vswitchd: pid (\\d+) at the start, (\\d+) at the end");
    assertThat(vswitchd.group(2)).as("ovs-vswitchd's pid at the end (a new one: it crashed)")
        .isEqualTo(vswitchd.group(1));
    assertThat(report).doesNotContain("the controller had exited");
    Matcher rss = find(report, "most after the warm-up \\(growth ([-+][\\d.]+) MiB");
    assertThat(Double.parseDouble(rss.group(1))).as("controller RSS growth after the warm-up, MiB")
        .isLessThanOrEqualTo(RSS_MIB);
    Matcher heap = find(report, "live heap \\(after a full GC\\): ([\\d.]+) MiB at the end of the warm-up, ([\\d.]+) "
        + "MiB after the drain");
    assertThat(Double.parseDouble(heap.group(2)) - Double.parseDouble(heap.group(1)))
        .as("live heap growth from the warm-up to after the drain, MiB").isLessThanOrEqualTo(HEAP_MIB);
    Matcher drained = find(report, "connection entries: ([\\d,]+) at most, ([\\d,]+) after the drain; bridge flows: "
        + "([\\d,]+) before the load, ([\\d,]+) at most, ([\\d,]+) after the drain");
    assertThat(number(drained.group(1))).as("connection entries under load").isPositive();
    assertThat(number(drained.group(2))).as("connection entries after the idle timeouts").isZero();
    assertThat(number(drained.group(5))).as("bridge flows after the idle timeouts")
        .isEqualTo(number(drained.group(3)));
    assertThat(report).contains("soak passed");
  }

  private static Matcher find(String report, String regex) {
    Matcher m = Pattern.compile(regex).matcher(report);
    assertThat(m.find()).as("the report has /%s/:%n%s", regex, report).isTrue();
    return m;
  }

  private static long number(String digits) {
    return Long.parseLong(digits.replace(",", ""));
  }
}
