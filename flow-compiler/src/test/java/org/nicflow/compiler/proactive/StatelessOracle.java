package org.nicflow.compiler.proactive;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.nicflow.compiler.model.Backend;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.DefaultAction;
import org.nicflow.compiler.model.Direction;
import org.nicflow.compiler.model.Host;
import org.nicflow.compiler.model.Layer;
import org.nicflow.compiler.model.LoadBalancer;
import org.nicflow.compiler.model.MacAddress;
import org.nicflow.compiler.model.Rule;
import org.nicflow.compiler.model.RuleAction;
import org.nicflow.compiler.model.Vm;
import org.nicflow.compiler.model.Vnet;
import org.nicflow.compiler.packet.PacketHeaders;

/**
 * What docs/semantics.md says happens to a packet when no connection is live, written
 * independently of the compiler: a drop, the controller (a rule or VIP that needs state), a reply
 * guard (the compiler's extra controller cases), or one output with exact headers.
 */
final class StatelessOracle {

  static final String DROP = "drop";
  static final String CONTROLLER = "controller";
  static final String GUARD = "reply guard";
  static final String LOCAL = "local";
  static final String TUNNEL = "tunnel";
  static final String UPLINK = "uplink";

  /** An expected outcome; {@code packet} and {@code port} only for outputs. */
  record Expected(String kind, String port, PacketHeaders packet, OptionalLong tunId) {
    static Expected of(String kind) {
      return new Expected(kind, "", null, OptionalLong.empty());
    }
  }

  private final Config config;
  private final MacAddress gw;

  StatelessOracle(Config config) {
    this.config = config;
    this.gw = config.controller().gatewayMac();
  }

  Expected fromVm(Host host, Vm sender, PacketHeaders p) {
    if (!p.ethSrc().equals(sender.mac()) || !p.nwSrc().equals(sender.ip())) {
      return Expected.of(DROP);
    }
    for (LoadBalancer lb : config.loadBalancers()) {
      for (Backend b : lb.backends()) {
        if (b.vm().equals(sender.name()) && lb.proto().matches(p.ipProto()) && p.tpSrc() == b.port()) {
          return Expected.of(GUARD);
        }
      }
    }
    Outcome out = layers(sender, Direction.OUT, p);
    if (out.kind != null) {
      return Expected.of(out.kind);
    }
    PacketHeaders q = out.packet;
    Vnet vnet = config.vnetOf(sender);
    Optional<Vm> receiver = config.vms().stream()
        .filter(v -> v.vnet().equals(vnet.name()) && v.ip().equals(q.nwDst())).findFirst();
    if (receiver.isPresent()) {
      return toVm(host, receiver.get(), q);
    }
    if (vnet.prefix().contains(q.nwDst()) || host.nextHopMac().isEmpty()) {
      return Expected.of(DROP);
    }
    return new Expected(UPLINK, host.uplink(), q.withEth(gw, host.nextHopMac().get()), OptionalLong.empty());
  }

  Expected fromTunnel(Host host, Vnet vnet, PacketHeaders p) {
    Optional<Vm> receiver = config.vms().stream()
        .filter(v -> v.vnet().equals(vnet.name()) && v.ip().equals(p.nwDst()) && v.host().equals(host.name()))
        .findFirst();
    if (receiver.isPresent()) {
      for (Layer l : config.rulesetOf(receiver.get()).layers()) {
        for (Rule r : l.rules()) {
          if (r.action() == RuleAction.SNAT && r.direction().appliesTo(Direction.IN)
              && r.snatTo().orElseThrow().equals(p.nwSrc())) {
            return Expected.of(GUARD);
          }
        }
      }
    }
    return receiver.map(v -> toVm(host, v, p)).orElse(Expected.of(DROP));
  }

  Expected fromUplink(Host host, PacketHeaders p) {
    for (LoadBalancer lb : config.loadBalancers()) {
      if (p.nwDst().equals(lb.vip()) && lb.proto().matches(p.ipProto()) && p.tpDst() == lb.port()) {
        return Expected.of(CONTROLLER);
      }
    }
    for (Vm vm : config.vmsOnHost(host.name())) {
      for (Layer l : config.rulesetOf(vm).layers()) {
        for (Rule r : l.rules()) {
          if (r.action() == RuleAction.SNAT && r.direction().appliesTo(Direction.OUT)
              && r.snatTo().orElseThrow().equals(p.nwDst())) {
            return Expected.of(GUARD);
          }
        }
      }
    }
    return Expected.of(DROP);
  }

  private Expected toVm(Host host, Vm receiver, PacketHeaders p) {
    Outcome in = layers(receiver, Direction.IN, p);
    if (in.kind != null) {
      return Expected.of(in.kind);
    }
    PacketHeaders q = in.packet.withEth(gw, receiver.mac());
    if (receiver.host().equals(host.name())) {
      return new Expected(LOCAL, receiver.port(), q, OptionalLong.empty());
    }
    return new Expected(TUNNEL, Host.tunnelPortName(receiver.host()), q,
        OptionalLong.of(config.vnetOf(receiver).vni()));
  }

  /** Either a final kind (drop, controller) or the packet after the layers. */
  private record Outcome(String kind, PacketHeaders packet) {}

  private Outcome layers(Vm vm, Direction dir, PacketHeaders p) {
    List<Layer> layers = new ArrayList<>(config.rulesetOf(vm).layers());
    if (dir == Direction.IN) {
      Collections.reverse(layers);
    }
    PacketHeaders q = p;
    for (Layer layer : layers) {
      Rule best = null;
      for (Rule r : layer.rules()) {
        if (r.direction().appliesTo(dir) && matches(r, q) && (best == null || r.priority() > best.priority())) {
          best = r;
        }
      }
      if (best == null) {
        if (layer.defaultAction() == DefaultAction.DENY) {
          return new Outcome(DROP, null);
        }
        continue;
      }
      if (best.action() == RuleAction.DENY) {
        return new Outcome(DROP, null);
      }
      if (best.action() == RuleAction.SNAT || best.stateful()) {
        return new Outcome(CONTROLLER, null);
      }
      if (best.action() == RuleAction.SET_DSCP) {
        q = q.withDscp(best.dscp().getAsInt());
      }
    }
    return new Outcome(null, q);
  }

  private static boolean matches(Rule r, PacketHeaders p) {
    if (!r.proto().matches(p.ipProto()) || !r.src().contains(p.nwSrc()) || !r.dst().contains(p.nwDst())) {
      return false;
    }
    if (r.proto().hasPorts() && (!r.srcPort().contains(p.tpSrc()) || !r.dstPort().contains(p.tpDst()))) {
      return false;
    }
    return r.icmpType().isEmpty() || r.icmpType().getAsInt() == p.tpSrc();
  }

  /** Asserts a simulated result is what was expected. */
  static void check(SimResult r, Expected expected, String inPort, String where) {
    switch (expected.kind()) {
      case DROP -> assertThat(r.dropped()).as(where).isTrue();
      case CONTROLLER, GUARD -> {
        assertThat(r.outputs()).as(where).singleElement()
            .satisfies(o -> assertThat(o.kind()).isEqualTo(SimOutput.Kind.CONTROLLER));
        assertThat(HostPipelineCompiler.endsAtReplyGuard(r)).as(where).isEqualTo(expected.kind().equals(GUARD));
      }
      default -> {
        assertThat(r.outputs()).as(where).hasSize(1);
        SimOutput out = r.outputs().get(0);
        assertThat(out.kind()).as(where)
            .isEqualTo(expected.port().equals(inPort) ? SimOutput.Kind.IN_PORT : SimOutput.Kind.PORT);
        assertThat(out.port()).as(where).isEqualTo(expected.port());
        assertThat(out.packet()).as(where).isEqualTo(expected.packet());
        if (expected.kind().equals(TUNNEL)) {
          assertThat(out.tunId()).as(where).isEqualTo(expected.tunId());
        }
      }
    }
  }
}
