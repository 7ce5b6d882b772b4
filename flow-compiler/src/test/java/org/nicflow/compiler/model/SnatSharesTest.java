package org.nicflow.compiler.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.model.SnatShares.Share;

class SnatSharesTest {

  private static final Ipv4 A = Ipv4.parse("203.0.113.10");
  private static final Ipv4 B = Ipv4.parse("203.0.113.20");

  /** VMs named {@code names}, each with its own rule set that SNATs to {@code to}; a null snat_ports: none. */
  private static Config config(Ipv4 to, String[] names, Integer... snatPorts) {
    List<Vm> vms = new ArrayList<>();
    List<RuleSet> rulesets = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      OptionalInt own = i < snatPorts.length && snatPorts[i] != null ? OptionalInt.of(snatPorts[i]) : OptionalInt.empty();
      vms.add(new Vm(names[i], "h1", "p" + i, new MacAddress(0x020000000100L + i), Ipv4.parse("10.0.0." + (10 + i)),
          "blue", names[i], OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), own));
      rulesets.add(new RuleSet(names[i], List.of(new Layer("nat", DefaultAction.ALLOW, List.of(new Rule("snat", 10,
          Direction.OUT, Protocol.ANY, Ipv4Prefix.ANY, Ipv4Prefix.ANY, PortRange.ANY, PortRange.ANY,
          OptionalInt.empty(), RuleAction.SNAT, Optional.of(to), OptionalInt.empty(), false))))));
    }
    return new Config(ControllerSettings.DEFAULTS,
        List.of(new Host("h1", 1, "up", Ipv4.parse("192.168.0.1"), Optional.empty())),
        List.of(new Vnet("blue", 5001, Ipv4Prefix.parse("10.0.0.0/24"), Ipv4.parse("10.0.0.1"))), vms, rulesets,
        List.of());
  }

  @Test
  void vmsThatSnatToAnAddressShareItsPortsEquallyInTheOrderOfTheirNames() {
    SnatShares shares = SnatShares.of(config(A, new String[] {"web", "app", "db"}), SnatShares.PORT_SPACE);
    assertThat(shares.of("app", A)).isEqualTo(new Share(1024, 22527));
    assertThat(shares.of("db", A)).isEqualTo(new Share(22528, 44031));
    assertThat(shares.of("web", A)).isEqualTo(new Share(44032, 65535));
    assertThat(shares.of("web", B)).as("an address the VM does not SNAT to").isEqualTo(SnatShares.PORT_SPACE);
  }

  @Test
  void explicitSharesComeFirstAndTheRestIsSharedEqually() {
    Config config = config(A, new String[] {"a", "b", "c"}, 1000, null, null);
    SnatShares ports = SnatShares.of(config, SnatShares.PORT_SPACE);
    assertThat(ports.of("a", A)).isEqualTo(new Share(1024, 2023));
    assertThat(ports.of("b", A).size()).isEqualTo((64512 - 1000) / 2);
    assertThat(ports.of("c", A).hi()).isLessThanOrEqualTo(65535);
    SnatShares ids = SnatShares.of(config, SnatShares.QUERY_ID_SPACE);
    assertThat(ids.of("a", A)).isEqualTo(new Share(0, 999));
    assertThat(SnatShares.overbooked(config)).isEmpty();
  }

  @Test
  void explicitSharesThatAskForMoreThanThereIsAreOverbooked() {
    Config config = config(A, new String[] {"a", "b", "c"}, 40000, 24512, null);
    assertThat(SnatShares.overbooked(config)).singleElement().satisfies(o -> {
      assertThat(o.asked()).isEqualTo(64513);
      assertThat(o.vms()).containsExactly("a", "b", "c");
    });
    SnatShares ports = SnatShares.of(config, SnatShares.PORT_SPACE);
    assertThat(ports.of("c", A).size()).as("still a share, if overlapping").isPositive();
  }

  @Test
  void aSingleVmHasTheWholeSpace() {
    SnatShares shares = SnatShares.of(config(A, new String[] {"only"}), SnatShares.QUERY_ID_SPACE);
    assertThat(shares.of("only", A)).isEqualTo(SnatShares.QUERY_ID_SPACE);
  }
}
