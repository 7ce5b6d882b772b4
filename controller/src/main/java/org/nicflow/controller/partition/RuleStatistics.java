package org.nicflow.controller.partition;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import org.nicflow.compiler.flow.Cookie;
import org.nicflow.compiler.model.Config;
import org.nicflow.controller.openflow.translate.FlowCounters;
import org.nicflow.controller.openflow.translate.UnsignedCount;

/**
 * Per-rule packet and byte counts, folded in from the counters of removed flows: a flow's cookie
 * names the VM and the deciding layer and rule (docs/semantics.md, "Offload modes"). Packets and
 * bytes are unsigned 64-bit, as the switch reports them; a total stops at 2<sup>64</sup>−1 instead of
 * wrapping.
 */
public final class RuleStatistics {

  /** Which rule of which VM a count belongs to; {@code rule} is {@code default} for a layer default. */
  public record RuleKey(String vm, String layer, String rule) {}

  /** Packets and bytes of one rule, and how many of its flows were folded in. */
  public record Counts(UnsignedCount packets, UnsignedCount bytes, long flows) {}

  private record Adders(LongAccumulator packets, LongAccumulator bytes, LongAdder flows) {
    Adders() {
      this(new LongAccumulator(UnsignedCount::saturatingAdd, 0), new LongAccumulator(UnsignedCount::saturatingAdd, 0),
          new LongAdder());
    }
  }

  private final Map<RuleKey, Adders> counts = new ConcurrentHashMap<>();

  /** Adds a removed flow's counters; returns the rule it counted for, if the cookie names one. */
  public Optional<RuleKey> fold(Config config, FlowCounters removed) {
    Optional<RuleKey> key = ruleOf(config, removed.cookie());
    key.ifPresent(k -> {
      Adders a = counts.computeIfAbsent(k, x -> new Adders());
      a.packets.accumulate(removed.packets().bits());
      a.bytes.accumulate(removed.bytes().bits());
      a.flows.increment();
    });
    return key;
  }

  /** The counts of every rule of one VM that has seen traffic, sorted by layer then rule. */
  public Map<RuleKey, Counts> forVm(String vm) {
    Map<RuleKey, Counts> out = new TreeMap<>(
        java.util.Comparator.comparing(RuleKey::layer).thenComparing(RuleKey::rule));
    counts.forEach((k, a) -> {
      if (k.vm().equals(vm)) {
        out.put(k, new Counts(new UnsignedCount(a.packets.get()), new UnsignedCount(a.bytes.get()), a.flows.sum()));
      }
    });
    return out;
  }

  /** The (VM, layer, rule) a nicflow cookie names, resolved against the config it was made from. */
  static Optional<RuleKey> ruleOf(Config config, long cookie) {
    if (!Cookie.isOurs(cookie)) {
      return Optional.empty();
    }
    Cookie c;
    try {
      c = Cookie.decode(cookie);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    Config.CookieNames names = config.names(c);
    if (names.vm().isEmpty() || names.layer().isEmpty() || names.rule().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new RuleKey(names.vm().get(), names.layer().get(), names.rule().get()));
  }
}
