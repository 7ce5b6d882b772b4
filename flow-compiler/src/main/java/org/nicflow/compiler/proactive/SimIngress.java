package org.nicflow.compiler.proactive;

import java.util.Objects;
import java.util.OptionalLong;
import org.nicflow.compiler.eval.Ingress;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Host;

/** The bridge port (and tunnel key) a packet enters on, as the table simulator takes it. */
public record SimIngress(String port, OptionalLong tunId) {

  public SimIngress {
    Objects.requireNonNull(port, "port");
    Objects.requireNonNull(tunId, "tunId");
  }

  /** The port of an evaluator {@link Ingress}: the VM's port, {@code tun-<from>} with the VNI, or the uplink. */
  public static SimIngress of(Config config, Ingress ingress) {
    if (ingress instanceof Ingress.VmPort v) {
      return new SimIngress(config.vm(v.vm()).orElseThrow(() -> new IllegalArgumentException("no VM " + v.vm()))
          .port(), OptionalLong.empty());
    } else if (ingress instanceof Ingress.Tunnel t) {
      return new SimIngress(Host.tunnelPortName(t.fromHost()), OptionalLong.of(t.vni()));
    } else if (ingress instanceof Ingress.Uplink u) {
      return new SimIngress(config.host(u.host()).orElseThrow(() -> new IllegalArgumentException("no host "
          + u.host())).uplink(), OptionalLong.empty());
    }
    throw new IllegalArgumentException("unknown ingress " + ingress);
  }
}
