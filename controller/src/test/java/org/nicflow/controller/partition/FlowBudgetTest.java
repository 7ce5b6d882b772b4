package org.nicflow.controller.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.flow.FlowEntry.FlowKey;
import org.nicflow.compiler.flow.FlowMatch;

/** The flow budget's decision alone, on holdings given as values: which connections go, or why none can come. */
class FlowBudgetTest {

  /** Connections in the order they were last seen, each a list of its flows' keys, by VM charged. */
  private final Map<String, List<List<FlowKey>>> connections = new LinkedHashMap<>();
  private int nextPriority;

  @Test
  void withinBothLimitsNothingIsEvicted() {
    hold("a", 2);

    assertThat(new FlowBudget(4, 10).admit("a", 2, List.of(), holdings()))
        .isEqualTo(new FlowBudget.Verdict.Admit(List.of()));
  }

  @Test
  void overItsLimitAVmGivesUpItsLeastRecentlySeenConnectionsAsManyAsNeeded() {
    List<FlowKey> oldest = hold("a", 2);
    List<FlowKey> next = hold("a", 2);
    hold("a", 2);
    hold("b", 2);

    assertThat(new FlowBudget(6, 100).admit("a", 4, List.of(), holdings()))
        .isEqualTo(new FlowBudget.Verdict.Admit(List.of(oldest, next)));
  }

  @Test
  void overTheHostLimitTheBiggestHolderGivesUpItsOwn() {
    hold("a", 2);
    List<FlowKey> bOldest = hold("b", 2);
    hold("b", 2);

    assertThat(new FlowBudget(100, 6).admit("a", 2, List.of(), holdings()))
        .isEqualTo(new FlowBudget.Verdict.Admit(List.of(bOldest)));
  }

  @Test
  void onATieTheVmAskingGivesUpItsOwn() {
    List<FlowKey> aOldest = hold("a", 2);
    hold("b", 2);

    assertThat(new FlowBudget(100, 4).admit("a", 2, List.of(), holdings()))
        .isEqualTo(new FlowBudget.Verdict.Admit(List.of(aOldest)));
  }

  @Test
  void aConnectionHoldingAFlowTheNewOneNeedsIsNeverEvictedForIt() {
    List<FlowKey> shared = hold("a", 2);
    List<FlowKey> other = hold("a", 2);

    assertThat(new FlowBudget(4, 100).admit("a", 1, List.of(shared.get(1)), holdings()))
        .isEqualTo(new FlowBudget.Verdict.Admit(List.of(other)));
    assertThat(new FlowBudget(2, 100).admit("a", 1, List.of(shared.get(0)), holdings()))
        .as("and when only such connections are left, none can come")
        .isEqualTo(new FlowBudget.Verdict.Refuse(FlowBudget.Reason.VM_LIMIT));
  }

  @Test
  void flowsOverALimitOnTheirOwnAreRefusedAndNothingIsEvicted() {
    hold("a", 2);

    assertThat(new FlowBudget(1, 100).admit("a", 2, List.of(), holdings()))
        .isEqualTo(new FlowBudget.Verdict.Refuse(FlowBudget.Reason.VM_LIMIT));
    assertThat(new FlowBudget(100, 1).admit("a", 2, List.of(), holdings()))
        .isEqualTo(new FlowBudget.Verdict.Refuse(FlowBudget.Reason.HOST_LIMIT));
  }

  // ---------------------------------------------------------------- holdings as values

  private List<FlowKey> hold(String vm, int flows) {
    List<FlowKey> keys = new ArrayList<>();
    for (int i = 0; i < flows; i++) {
      keys.add(new FlowKey("unified", nextPriority++, FlowMatch.ANY));
    }
    connections.computeIfAbsent(vm, v -> new ArrayList<>()).add(List.copyOf(keys));
    return List.copyOf(keys);
  }

  private FlowBudget.Holdings holdings() {
    Map<FlowKey, String> charge = new LinkedHashMap<>();
    Map<FlowKey, List<FlowKey>> connectionOf = new LinkedHashMap<>();
    connections.forEach((vm, list) -> list.forEach(c -> c.forEach(k -> {
      charge.put(k, vm);
      connectionOf.put(k, c);
    })));
    return new FlowBudget.Holdings() {
      @Override
      public Map<String, Integer> counts() {
        Map<String, Integer> out = new TreeMap<>();
        charge.values().forEach(vm -> out.merge(vm, 1, Integer::sum));
        return out;
      }

      @Override
      public int count(String vm) {
        return counts().getOrDefault(vm, 0);
      }

      @Override
      public int total() {
        return charge.size();
      }

      @Override
      public Iterator<FlowKey> leastRecentlySeen(String vm) {
        return charge.entrySet().stream().filter(e -> e.getValue().equals(vm))
            .map(Map.Entry::getKey).iterator();
      }

      @Override
      public List<FlowKey> connectionOf(FlowKey key) {
        return connectionOf.get(key);
      }

      @Override
      public String chargeOf(FlowKey key) {
        return charge.get(key);
      }
    };
  }
}
