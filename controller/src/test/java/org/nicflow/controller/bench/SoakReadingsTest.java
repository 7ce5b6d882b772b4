package org.nicflow.controller.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SoakReadingsTest {

  @Test
  void rssIsTheVmRssLineOfProcStatus() {
    String status = "Name:\tjava\nVmPeak:\t 5000000 kB\nVmHWM:\t  420000 kB\nVmRSS:\t  410312 kB\nRssAnon:\t 390000 kB\n";

    assertThat(SoakReadings.rssKb(status)).hasValue(410312);
    assertThat(SoakReadings.rssKb("Name:\tzombie\nState:\tZ (zombie)\n")).isEmpty();
  }

  @Test
  void aMetricIsItsUnlabelledSampleNotOneWithTheSamePrefix() {
    String text = """
        # HELP nicflow_connections Live stateful, SNAT and load-balanced connections.
        # TYPE nicflow_connections gauge
        nicflow_connections_other 99
        nicflow_connections 2732
        nicflow_packet_ins_total{vm="a"} 5
        nicflow_packet_ins_total 8500
        """;

    assertThat(SoakReadings.metric(text, "nicflow_connections")).hasValue(2732);
    assertThat(SoakReadings.metric(text, "nicflow_packet_ins_total")).hasValue(8500);
    assertThat(SoakReadings.metric(text, "nicflow_flow_mods_total")).isEmpty();
    assertThat(SoakReadings.metric("", "nicflow_connections")).isEmpty();
  }

  @Test
  void theBridgesFlowsAreDumpAggregatesFlowCount() {
    assertThat(SoakReadings.flowCount("OFPST_AGGREGATE reply (OF1.3) (xid=0x2): packet_count=1093 byte_count=98000 "
        + "flow_count=5489")).hasValue(5489);
    assertThat(SoakReadings.flowCount("ovs-ofctl: cps1 is not a bridge or a socket")).isEmpty();
  }

  @Test
  void theLiveHeapIsTheHistogramsTotalBytesInKib() {
    String histogram = """
        12345:
         num     #instances         #bytes  class name (module)
        -------------------------------------------------------
           1:         41230        4194304  [B (java.base@17.0.15)
           2:          4096         293040  org.projectfloodlight.openflow.protocol.ver14.OFFlowAddVer14
        Total        180000       18677760
        """;

    assertThat(SoakReadings.histogramTotalKb(histogram)).hasValue(18240);
    assertThat(SoakReadings.histogramTotalKb("12345:\ncom.sun.tools.attach.AttachNotSupportedException")).isEmpty();
  }
}
