package org.nicflow.controller.cli;

/**
 * An OpenFlow address as the command line takes it, OVS-style: {@code [tcp:|ssl:]HOST:PORT}.
 *
 * @param ssl whether the {@code ssl:} scheme was given
 * @param address {@code HOST:PORT}, without the scheme
 */
record OpenflowTarget(boolean ssl, String address) {

  static OpenflowTarget parse(String text) {
    String t = text.trim();
    boolean ssl = t.startsWith("ssl:");
    return new OpenflowTarget(ssl, ssl || t.startsWith("tcp:") ? t.substring(4) : t);
  }
}
