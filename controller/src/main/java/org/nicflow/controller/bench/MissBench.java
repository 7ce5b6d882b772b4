package org.nicflow.controller.bench;

import java.util.List;
import java.util.Optional;
import org.nicflow.compiler.model.Config;

/** The entry points {@code nicflow bench miss} uses: what the switches send, and the smoke run's size. */
public final class MissBench {

  public static final int SMOKE_COUNT = 2000;
  public static final int SMOKE_SECONDS = 5;

  private MissBench() {}

  /**
   * The plans of {@code switches} emulated switches sending {@code total} packet-ins between them:
   * the config's hosts when there is a config, plain switches otherwise.
   *
   * @throws IllegalArgumentException when the config cannot give them (see {@link MissTraffic})
   */
  public static List<MissTraffic.SwitchPlan> plans(Optional<Config> config, int switches, int total, long seed) {
    if (switches < 1) {
      throw new IllegalArgumentException("--switches must be at least 1, got " + switches);
    }
    int perSwitch = Math.max(1, (total + switches - 1) / switches);
    return config.map(c -> MissTraffic.fromConfig(c, switches, perSwitch, seed))
        .orElseGet(() -> MissTraffic.plain(switches, perSwitch, seed));
  }
}
