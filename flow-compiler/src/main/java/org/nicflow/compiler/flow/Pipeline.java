package org.nicflow.compiler.flow;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nicflow.compiler.model.RuleSet;

/**
 * The one declaration of nicflow's OpenFlow pipeline. Code names tables; numbers come only from
 * here. Both offload modes share {@code classify} (anti-spoofing, ARP) and {@code unified} (the
 * exact-match connection cache); in reactive mode a {@code unified} miss goes to the controller, in
 * proactive mode to the wildcard tables compiled from the rule sets.
 *
 * <pre>
 * classify -> unified -> out_1..out_N -> route -> in_1..in_N -> deliver
 *                     -> route                                   (a rule set without layers)
 *                     -> tunnel_in -> in_1..                    (VXLAN from another host)
 *                     -> uplink_in                               (load-balancer VIPs)
 * </pre>
 *
 * Metadata carries the source VM (bits 0-15) and the destination VM (bits 16-31), each as
 * VM index + 1, so layer tables can hold the flows of every VM on the host. With
 * {@code controller.learn_state}, bits 32-58 carry connection state learned in the switch
 * ({@link #SKIP_OUT}, {@link #SKIP_IN}, {@link #LEARN_PENDING} and the deciding stateful rules).
 */
public final class Pipeline {

  public static final String CLASSIFY = "classify";
  public static final String UNIFIED = "unified";
  public static final String TUNNEL_IN = "tunnel_in";
  public static final String UPLINK_IN = "uplink_in";
  public static final String ROUTE = "route";
  public static final String DELIVER = "deliver";
  /** Learned connections owned by the packet's sender: their entries set {@link #SKIP_OUT}. */
  public static final String STATE_SENDER = "state_sender";
  /** Learned connections owned by the packet's receiver: their entries set {@link #SKIP_IN}. */
  public static final String STATE_RECEIVER = "state_receiver";
  /** Learn specs of the sender's stateful rules (one flow per rule), run at delivery. */
  public static final String LEARN_SENDER = "learn_sender";
  /** Learn specs of the receiver's stateful rules (one flow per rule), run at delivery. */
  public static final String LEARN_RECEIVER = "learn_receiver";

  public static final long SRC_VM_MASK = 0xffffL;
  public static final long DST_VM_MASK = 0xffff_0000L;

  /** Set by a learned entry: the packet is the reply of a connection its sender owns. */
  public static final long SKIP_OUT = 1L << 32;
  /** Set by a learned entry: the packet is the reply of a connection its receiver owns. */
  public static final long SKIP_IN = 1L << 33;
  /** Set by a deciding stateful allow: delivery must learn the connection (or ask the controller). */
  public static final long LEARN_PENDING = 1L << 34;
  /** The sender's deciding stateful rule, as its 1-based number among its rule set's stateful rules. */
  public static final int SENDER_RULE_SHIFT = 35;
  /** The receiver's deciding stateful rule, numbered the same way. */
  public static final int RECEIVER_RULE_SHIFT = 47;
  /** How many stateful rules a rule set may number (12 bits each side, 0 = none). */
  public static final int MAX_STATEFUL_RULES = 0xfff;
  public static final long SENDER_RULE_MASK = (long) MAX_STATEFUL_RULES << SENDER_RULE_SHIFT;
  public static final long RECEIVER_RULE_MASK = (long) MAX_STATEFUL_RULES << RECEIVER_RULE_SHIFT;

  private static final int OUT_BASE = 10;
  private static final int IN_BASE = 30;

  private static final Set<MatchField> L3L4 = EnumSet.of(MatchField.METADATA, MatchField.ETH_TYPE,
      MatchField.IP_PROTO, MatchField.IPV4_SRC, MatchField.IPV4_DST, MatchField.TCP_SRC, MatchField.TCP_DST,
      MatchField.UDP_SRC, MatchField.UDP_DST, MatchField.ICMPV4_TYPE, MatchField.ICMPV4_CODE);

  private static final Map<String, TableSpec> TABLES = declare();

  private Pipeline() {}

  /** Name of the table holding outbound layer {@code stage} (1-based, in outbound order). */
  public static String outTable(int stage) {
    checkStage(stage);
    return "out_" + stage;
  }

  /**
   * Name of the table holding the {@code stage}-th inbound step (1-based). Inbound runs layers in
   * reverse, so for a rule set of N layers stage 1 holds layer N-1 (0-based) and stage N layer 0.
   */
  public static String inTable(int stage) {
    checkStage(stage);
    return "in_" + stage;
  }

  public static long srcVmMetadata(int vmIndex) {
    return (vmIndex + 1L) & SRC_VM_MASK;
  }

  public static long dstVmMetadata(int vmIndex) {
    return ((vmIndex + 1L) << 16) & DST_VM_MASK;
  }

  public static TableSpec table(String name) {
    TableSpec spec = TABLES.get(name);
    if (spec == null) {
      throw new IllegalArgumentException("no pipeline table named " + name);
    }
    return spec;
  }

  public static int number(String name) {
    return table(name).number();
  }

  /** Table name for an OpenFlow table number, for reading switch flow dumps. */
  public static String nameOf(int number) {
    return TABLES.values().stream().filter(t -> t.number() == number).map(TableSpec::name).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no pipeline table numbered " + number));
  }

  public static boolean hasNumber(int number) {
    return TABLES.values().stream().anyMatch(t -> t.number() == number);
  }

  /** All tables in number order. */
  public static List<TableSpec> tables() {
    return List.copyOf(TABLES.values());
  }

  /**
   * Checks a flow against its table's declaration: allowed match fields and next tables. Returns
   * the problems, empty when the flow conforms.
   */
  public static List<String> violations(FlowEntry flow) {
    List<String> problems = new ArrayList<>();
    TableSpec spec = TABLES.get(flow.table());
    if (spec == null) {
      problems.add("unknown table " + flow.table());
      return problems;
    }
    for (MatchField f : flow.match().fields().keySet()) {
      if (!spec.matchFields().contains(f)) {
        problems.add("table " + spec.name() + " does not match on " + f.ovsName());
      }
    }
    flow.gotoTable().ifPresent(next -> {
      if (!spec.nextTables().contains(next)) {
        problems.add("table " + spec.name() + " may not go to " + next);
      }
    });
    return problems;
  }

  private static void checkStage(int stage) {
    if (stage < 1 || stage > RuleSet.MAX_LAYERS) {
      throw new IllegalArgumentException("layer stage " + stage + " is outside 1-" + RuleSet.MAX_LAYERS);
    }
  }

  private static Map<String, TableSpec> declare() {
    Map<String, TableSpec> t = new LinkedHashMap<>();
    Set<String> allIn = new java.util.HashSet<>();
    Set<String> allOut = new java.util.HashSet<>();
    for (int s = 1; s <= RuleSet.MAX_LAYERS; s++) {
      allIn.add("in_" + s);
      allOut.add("out_" + s);
    }
    put(t, new TableSpec(CLASSIFY, 0,
        EnumSet.of(MatchField.IN_PORT, MatchField.TUN_ID, MatchField.ETH_SRC, MatchField.ETH_DST,
            MatchField.ETH_TYPE, MatchField.ARP_OP, MatchField.ARP_SPA, MatchField.ARP_TPA, MatchField.IPV4_SRC),
        Set.of(UNIFIED), TableSpec.Miss.DROP, "anti-spoofing, ARP responder, source VM into metadata"));
    Set<MatchField> exact = EnumSet.copyOf(L3L4);
    exact.addAll(EnumSet.of(MatchField.IN_PORT, MatchField.TUN_ID, MatchField.ETH_SRC, MatchField.ETH_DST));
    exact.add(MatchField.TCP_FLAGS); // the miss path's SYN twins (HostPipelineCompiler.synTwin)
    Set<String> afterUnified = new java.util.HashSet<>(Set.of(TUNNEL_IN, UPLINK_IN, ROUTE));
    afterUnified.addAll(allOut);
    put(t, new TableSpec(UNIFIED, 1, exact, afterUnified, TableSpec.Miss.CONTROLLER_OR_CONTINUE,
        "exact-match unified flows, one per connection and direction"));
    Set<String> tunnelNext = new java.util.HashSet<>(allIn);
    tunnelNext.add(DELIVER);
    put(t, new TableSpec(TUNNEL_IN, 2,
        EnumSet.of(MatchField.IN_PORT, MatchField.TUN_ID, MatchField.ETH_TYPE, MatchField.IPV4_DST),
        tunnelNext, TableSpec.Miss.DROP, "decapsulated traffic: VNI and inner destination to the destination VM"));
    put(t, new TableSpec(UPLINK_IN, 3, L3L4, Set.of(), TableSpec.Miss.DROP,
        "unencapsulated traffic from the physical network: load-balancer VIPs and SNAT replies to the controller"));
    for (int s = 1; s <= RuleSet.MAX_LAYERS; s++) {
      Set<String> next = new java.util.HashSet<>(Set.of(ROUTE));
      for (int n = s + 1; n <= RuleSet.MAX_LAYERS; n++) {
        next.add("out_" + n);
      }
      put(t, new TableSpec("out_" + s, OUT_BASE + s - 1, L3L4, next, TableSpec.Miss.DROP,
          "outbound layer stage " + s));
    }
    Set<String> routeNext = new java.util.HashSet<>(allIn);
    routeNext.add(DELIVER);
    put(t, new TableSpec(ROUTE, 20, L3L4, routeNext, TableSpec.Miss.DROP,
        "forwarding by destination inside the VNET: destination VM into metadata, or the uplink"));
    for (int s = 1; s <= RuleSet.MAX_LAYERS; s++) {
      Set<String> next = new java.util.HashSet<>(Set.of(DELIVER));
      for (int n = s + 1; n <= RuleSet.MAX_LAYERS; n++) {
        next.add("in_" + n);
      }
      put(t, new TableSpec("in_" + s, IN_BASE + s - 1, L3L4, next, TableSpec.Miss.DROP,
          "inbound layer stage " + s));
    }
    Set<MatchField> deliverFields = EnumSet.copyOf(L3L4);
    deliverFields.add(MatchField.IN_PORT);
    put(t, new TableSpec(DELIVER, 40, deliverFields, Set.of(), TableSpec.Miss.DROP,
        "delivery: local VM port, tunnel with VNI, or uplink to the next hop"));
    put(t, new TableSpec(STATE_SENDER, 50, L3L4, Set.of(), TableSpec.Miss.DROP,
        "learned connections owned by the sender (resubmitted from unified): mark the reply to skip its out layers"));
    put(t, new TableSpec(STATE_RECEIVER, 51, L3L4, Set.of(), TableSpec.Miss.DROP,
        "learned connections owned by the receiver (resubmitted from unified): mark the reply to skip its in layers"));
    put(t, new TableSpec(LEARN_SENDER, 52, L3L4, Set.of(), TableSpec.Miss.DROP,
        "learn specs of the sender's stateful rules (resubmitted from deliver)"));
    put(t, new TableSpec(LEARN_RECEIVER, 53, L3L4, Set.of(), TableSpec.Miss.DROP,
        "learn specs of the receiver's stateful rules (resubmitted from deliver)"));
    return java.util.Collections.unmodifiableMap(t);
  }

  private static void put(Map<String, TableSpec> tables, TableSpec spec) {
    tables.put(spec.name(), spec);
  }
}
