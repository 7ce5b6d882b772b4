package org.nicflow.it;

/**
 * A scenario on fixture {@code one-host.yaml}: bridge nfh1 with va (client, stateful out), vb
 * (server: TCP 8000-8099, UDP 5000-5010, ICMP in) and vc (open) in one VNET.
 */
abstract class OneHostScenario extends NetworkScenario {

  static final String BRIDGE = "nfh1";
  static final String VA = "10.7.0.10";
  static final String VB = "10.7.0.11";
  static final String VC = "10.7.0.12";

  @Override
  String fixtureName() {
    return "one-host.yaml";
  }
}
