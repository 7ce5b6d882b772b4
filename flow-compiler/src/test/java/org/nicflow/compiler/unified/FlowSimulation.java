package org.nicflow.compiler.unified;

import org.nicflow.compiler.eval.Ingress;
import org.nicflow.compiler.flow.FieldMatch;
import org.nicflow.compiler.flow.FlowAction;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.Host;
import org.nicflow.compiler.model.Ipv4;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.packet.PacketHeaders;

/** Runs one exact-match flow on a packet, as the switch would: match check and apply-actions. */
final class FlowSimulation {

  record Result(PacketHeaders packet, String outputPort, long tunId) {}

  private FlowSimulation() {}

  static boolean matches(FlowEntry flow, Config config, Ingress ingress, PacketHeaders p) {
    String inPort;
    long tunId = 0;
    if (ingress instanceof Ingress.VmPort vp) {
      inPort = config.vm(vp.vm()).orElseThrow().port();
    } else if (ingress instanceof Ingress.Tunnel t) {
      inPort = Host.tunnelPortName(t.fromHost());
      tunId = t.vni();
    } else {
      inPort = config.host(ingress.host()).orElseThrow().uplink();
    }
    for (FieldMatch m : flow.match().fields().values()) {
      boolean ok = switch (m.field()) {
        case IN_PORT -> m.portName().equals(inPort);
        case TUN_ID -> value(m, tunId);
        case ETH_TYPE -> value(m, 0x0800);
        case IP_PROTO -> value(m, p.ipProto());
        case IPV4_SRC -> value(m, p.nwSrc().unsigned());
        case IPV4_DST -> value(m, p.nwDst().unsigned());
        case TCP_SRC, UDP_SRC, ICMPV4_TYPE -> value(m, p.tpSrc());
        case TCP_DST, UDP_DST, ICMPV4_CODE -> value(m, p.tpDst());
        case ETH_SRC -> value(m, p.ethSrc().bits());
        case ETH_DST -> value(m, p.ethDst().bits());
        case IP_DSCP -> value(m, p.dscp());
        default -> false;
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  static Result apply(FlowEntry flow, PacketHeaders p) {
    return apply(flow, p, null);
  }

  /** Applies {@code flow}; output to in_port reports {@code inPort}. */
  static Result apply(FlowEntry flow, PacketHeaders p, String inPort) {
    String out = null;
    long tunId = 0;
    for (FlowAction a : flow.actions()) {
      if (a instanceof FlowAction.SetField s) {
        long v = s.value();
        switch (s.field()) {
          case ETH_SRC -> p = p.withEth(new MacAddress(v), p.ethDst());
          case ETH_DST -> p = p.withEth(p.ethSrc(), new MacAddress(v));
          case IPV4_SRC -> p = p.withSource(new Ipv4((int) v), p.tpSrc());
          case IPV4_DST -> p = p.withDestination(new Ipv4((int) v), p.tpDst());
          case TCP_SRC, UDP_SRC -> p = p.withSource(p.nwSrc(), (int) v);
          case TCP_DST, UDP_DST -> p = p.withDestination(p.nwDst(), (int) v);
          case IP_DSCP -> p = p.withDscp((int) v);
          case TUN_ID -> tunId = v;
          default -> throw new AssertionError("unexpected set-field " + s.field());
        }
      } else if (a instanceof FlowAction.Output o) {
        out = o.port();
      } else if (a instanceof FlowAction.OutputInPort) {
        out = inPort;
      } else {
        throw new AssertionError("unexpected action " + a);
      }
    }
    return new Result(p, out, tunId);
  }

  private static boolean value(FieldMatch m, long v) {
    return (v & m.mask()) == m.value();
  }
}
