package org.nicflow.compiler.flow;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Seeded generator of valid, protocol-consistent {@link FlowEntry}s for property tests: matches
 * carry their OpenFlow prerequisites (eth_type before IP fields, ip_proto before ports), masks only
 * on fields OpenFlow lets be masked, ports named from a given list. Over a few hundred flows it
 * covers every {@link MatchField} and every {@link FlowAction} kind.
 */
public final class RandomFlows {

  /** Fields OpenFlow (and OVS) accept with an arbitrary mask. */
  public static final Set<MatchField> MASKABLE = EnumSet.of(MatchField.TUN_ID, MatchField.METADATA,
      MatchField.ETH_SRC, MatchField.ETH_DST, MatchField.ARP_SPA, MatchField.ARP_TPA, MatchField.ARP_SHA,
      MatchField.ARP_THA, MatchField.IPV4_SRC, MatchField.IPV4_DST, MatchField.TCP_SRC, MatchField.TCP_DST,
      MatchField.TCP_FLAGS, MatchField.UDP_SRC, MatchField.UDP_DST);

  /** Fields a set-field action may write (tcp_flags is read-only). */
  public static final Set<MatchField> SETTABLE = EnumSet.complementOf(
      EnumSet.of(MatchField.IN_PORT, MatchField.METADATA, MatchField.TCP_FLAGS));

  private static final List<MatchField> SETTABLE_LIST = SETTABLE.stream().toList();

  private final Random random;
  private final List<String> portNames;

  public RandomFlows(Random random, List<String> portNames) {
    if (portNames.isEmpty()) {
      throw new IllegalArgumentException("need at least one port name");
    }
    this.random = random;
    this.portNames = List.copyOf(portNames);
  }

  public FlowEntry flow() {
    List<TableSpec> tables = Pipeline.tables();
    FlowEntry.Builder b = FlowEntry.builder(tables.get(random.nextInt(tables.size())).name(),
        random.nextInt(65536)).match(match());
    if (random.nextInt(4) == 0) {
      b.meter(1 + random.nextInt(1000));
    }
    b.actions(actions());
    if (random.nextInt(3) == 0) {
      long mask = nonZero(MatchField.METADATA);
      b.writeMetadata(random.nextLong() & mask, mask);
    }
    if (random.nextBoolean()) {
      b.gotoTable(tables.get(random.nextInt(tables.size())).name());
    }
    return b.cookie(cookie())
        .idleTimeout(random.nextInt(3) == 0 ? 0 : random.nextInt(65536))
        .hardTimeout(random.nextInt(3) == 0 ? 0 : random.nextInt(65536))
        .sendFlowRemoved(random.nextBoolean())
        .build();
  }

  /** A nicflow cookie most of the time, sometimes a foreign one (other owner byte). */
  public long cookie() {
    if (random.nextInt(5) == 0) {
      long foreign = random.nextLong();
      return Cookie.isOurs(foreign) ? foreign ^ (1L << 63) : foreign;
    }
    FlowKind kind = FlowKind.values()[random.nextInt(FlowKind.values().length)];
    return new Cookie(kind, random.nextInt(0x1000), random.nextInt(0x10000), random.nextInt(16),
        random.nextInt(0x100000)).encode();
  }

  public FlowMatch match() {
    FlowMatch.Builder m = FlowMatch.builder();
    if (random.nextBoolean()) {
      m.inPort(port());
    }
    maybe(m, MatchField.TUN_ID);
    maybe(m, MatchField.METADATA);
    maybe(m, MatchField.ETH_SRC);
    maybe(m, MatchField.ETH_DST);
    switch (random.nextInt(7)) {
      case 0 -> { } // layer 2 only, or nothing at all
      case 1 -> {
        m.exact(MatchField.ETH_TYPE, random.nextBoolean() ? 0x88cc : 0x86dd);
      }
      case 2 -> {
        m.exact(MatchField.ETH_TYPE, 0x0806);
        if (random.nextBoolean()) {
          m.exact(MatchField.ARP_OP, 1 + random.nextInt(2));
        }
        maybe(m, MatchField.ARP_SPA);
        maybe(m, MatchField.ARP_TPA);
        maybe(m, MatchField.ARP_SHA);
        maybe(m, MatchField.ARP_THA);
      }
      default -> ip(m);
    }
    return m.build();
  }

  private void ip(FlowMatch.Builder m) {
    m.exact(MatchField.ETH_TYPE, 0x0800);
    maybe(m, MatchField.IPV4_SRC);
    maybe(m, MatchField.IPV4_DST);
    maybe(m, MatchField.IP_DSCP);
    switch (random.nextInt(5)) {
      case 0 -> { }
      case 1 -> {
        m.exact(MatchField.IP_PROTO, 6);
        maybe(m, MatchField.TCP_SRC);
        maybe(m, MatchField.TCP_DST);
        maybe(m, MatchField.TCP_FLAGS);
      }
      case 2 -> {
        m.exact(MatchField.IP_PROTO, 17);
        maybe(m, MatchField.UDP_SRC);
        maybe(m, MatchField.UDP_DST);
      }
      case 3 -> {
        m.exact(MatchField.IP_PROTO, 1);
        maybe(m, MatchField.ICMPV4_TYPE);
        maybe(m, MatchField.ICMPV4_CODE);
      }
      default -> m.exact(MatchField.IP_PROTO, 47 + random.nextInt(50));
    }
  }

  private void maybe(FlowMatch.Builder m, MatchField field) {
    if (random.nextInt(3) == 0) {
      return;
    }
    if (MASKABLE.contains(field) && random.nextBoolean()) {
      long mask = nonZero(field);
      m.masked(field, random.nextLong() & mask, mask);
    } else {
      m.exact(field, value(field));
    }
  }

  /** A random value of the field; IP protocol 255 is reserved and not representable in OpenFlow. */
  private long value(MatchField field) {
    if (field == MatchField.IP_PROTO) {
      return random.nextInt(255);
    }
    return random.nextLong() & field.fullMask();
  }

  public List<FlowAction> actions() {
    int n = random.nextInt(5);
    List<FlowAction> actions = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      actions.add(action());
    }
    return actions;
  }

  public FlowAction action() {
    return switch (random.nextInt(6)) {
      case 0 -> new FlowAction.Output(port());
      case 1 -> new FlowAction.OutputInPort();
      case 2 -> new FlowAction.OutputController();
      default -> {
        MatchField f = SETTABLE_LIST.get(random.nextInt(SETTABLE_LIST.size()));
        yield new FlowAction.SetField(f, value(f));
      }
    };
  }

  public String port() {
    return portNames.get(random.nextInt(portNames.size()));
  }

  /** A random mask of the field's width, never empty: a prefix mask or random bits. */
  private long nonZero(MatchField field) {
    long full = field.fullMask();
    long mask;
    if (random.nextBoolean()) {
      int len = 1 + random.nextInt(field.bits());
      mask = (full << (field.bits() - len)) & full;
    } else {
      do {
        mask = random.nextLong() & full;
      } while (mask == 0);
    }
    return mask;
  }
}
