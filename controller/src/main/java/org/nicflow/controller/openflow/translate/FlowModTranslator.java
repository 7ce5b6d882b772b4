package org.nicflow.controller.openflow.translate;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.nicflow.compiler.flow.FieldMatch;
import org.nicflow.compiler.flow.FlowAction;
import org.nicflow.compiler.flow.FlowEntry;
import org.nicflow.compiler.flow.FlowEntry.FlowKey;
import org.nicflow.compiler.flow.FlowMatch;
import org.nicflow.compiler.flow.MatchField;
import org.nicflow.compiler.flow.MeterSpec;
import org.nicflow.compiler.flow.MetadataWrite;
import org.nicflow.compiler.flow.Pipeline;
import org.nicflow.controller.openflow.PortMap;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFOxmList;
import org.projectfloodlight.openflow.protocol.oxm.OFOxm;
import org.projectfloodlight.openflow.protocol.OFFlowDelete;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFFlowModFlags;
import org.projectfloodlight.openflow.protocol.OFFlowRemoved;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFMeterFlags;
import org.projectfloodlight.openflow.protocol.OFMeterMod;
import org.projectfloodlight.openflow.protocol.OFMeterModCommand;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.action.OFAction;
import org.projectfloodlight.openflow.protocol.action.OFActionMeter;
import org.projectfloodlight.openflow.protocol.action.OFActionOutput;
import org.projectfloodlight.openflow.protocol.action.OFActionSetField;
import org.projectfloodlight.openflow.protocol.instruction.OFInstruction;
import org.projectfloodlight.openflow.protocol.instruction.OFInstructionApplyActions;
import org.projectfloodlight.openflow.protocol.instruction.OFInstructionGotoTable;
import org.projectfloodlight.openflow.protocol.instruction.OFInstructionMeter;
import org.projectfloodlight.openflow.protocol.instruction.OFInstructionWriteMetadata;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.protocol.meterband.OFMeterBand;
import org.projectfloodlight.openflow.protocol.oxm.OFOxm;
import org.projectfloodlight.openflow.types.Masked;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.OFValueType;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/**
 * Translates nicflow's protocol-neutral flows and meters into openflowj messages of one OpenFlow
 * version (1.3 or later) for one switch, and switch flow dumps back into {@link FlowEntry}s.
 *
 * <ul>
 *   <li>Tables are named in flows and numbered by {@link Pipeline}; ports are named in flows and
 *       numbered by the switch's {@link PortMap}. A name the switch lacks throws {@link
 *       UnresolvedPortException}.
 *   <li>Instructions in OpenFlow order: meter, apply-actions, write-metadata, goto-table. OpenFlow
 *       1.5 dropped the meter instruction, so there the meter is the first apply-action.
 *   <li>Output to the controller carries the whole packet (max_len OFPCML_NO_BUFFER); other
 *       outputs carry max_len 0, which switches ignore.
 *   <li>Reading back ({@link #fromStats}) is the exact inverse for every flow this class writes.
 *       A flow it cannot represent — a table nicflow does not declare, a port without a name, a
 *       field, action or instruction nicflow never uses — reads as empty: it is not nicflow's.
 * </ul>
 *
 * <p>Immutable and thread-safe; {@link #withPorts} gives the translator for a changed port map.
 */
public final class FlowModTranslator {

  /** OpenFlow's "whole packet, no buffering" max_len for output to the controller. */
  public static final int NO_BUFFER = 0xffff;

  /** Shortest burst a meter gets, in kilobits: about ten full-size frames. */
  public static final long MIN_BURST_KBITS = MeterSpec.MIN_BURST_KBITS;

  private final OFFactory factory;
  private final PortMap ports;

  public FlowModTranslator(OFFactory factory, PortMap ports) {
    this.factory = Objects.requireNonNull(factory, "factory");
    this.ports = Objects.requireNonNull(ports, "ports");
    if (factory.getVersion().compareTo(OFVersion.OF_13) < 0) {
      throw new IllegalArgumentException("nicflow needs OpenFlow 1.3 or later, not " + factory.getVersion());
    }
  }

  public OFVersion version() {
    return factory.getVersion();
  }

  /** The same translator for the switch's ports after a port change (translators are immutable). */
  public FlowModTranslator withPorts(PortMap newPorts) {
    return new FlowModTranslator(factory, newPorts);
  }

  /**
   * OFPFC_ADD of the flow: installs it, replacing any flow with the same key in place. The flags
   * never carry OFPFF_RESET_COUNTS, so a replaced flow keeps its packet and byte counters (see
   * {@link #update}).
   */
  public OFFlowMod add(FlowEntry flow) {
    return fill(factory.buildFlowAdd(), flow).build();
  }

  /** OFPFC_MODIFY_STRICT: replaces the instructions of the flow with this key, keeping counters. */
  public OFFlowMod modifyStrict(FlowEntry flow) {
    return fill(factory.buildFlowModifyStrict(), flow).build();
  }

  /**
   * The message that turns {@code installed} into {@code desired} (same key): a strict modify when
   * only instructions differ, keeping the flow's counters; a full ADD when the cookie, a timeout or
   * the flow-removed flag differ, because a modify leaves those unchanged (OpenFlow 1.3 §6.4, and
   * OVS does the same), so an audit would otherwise find the same difference for ever.
   *
   * <p>How OVS (ofproto/ofproto.c) treats both, as read in its source: {@code add_flow_start()}
   * finds the rule with the identical key and lets the ADD change the cookie; {@code
   * replace_rule_start()} then carries the old rule's timeouts, flags and creation time over to
   * the new one for every command except ADD, and the old cookie for every flow-mod not allowed to
   * change it (in OpenFlow 1.2 and later only an ADD is); {@code replace_rule_finish()} asks the
   * datapath provider ({@code rule_insert}) to move the old rule's statistics to the new rule
   * unless the flow-mod set OFPFF_RESET_COUNTS. So an ADD over an existing flow replaces cookie,
   * timeouts, flags and instructions and keeps the counters.
   */
  public OFFlowMod update(FlowEntry desired, FlowEntry installed) {
    if (!desired.key().equals(installed.key())) {
      throw new IllegalArgumentException("update between different flows: " + desired.key() + " vs "
          + installed.key());
    }
    boolean sameHeader = desired.cookie() == installed.cookie()
        && desired.idleTimeout() == installed.idleTimeout()
        && desired.hardTimeout() == installed.hardTimeout()
        && desired.sendFlowRemoved() == installed.sendFlowRemoved();
    return sameHeader ? modifyStrict(desired) : add(desired);
  }

  /** OFPFC_DELETE_STRICT by table, priority and match, whatever the flow's outputs. */
  public OFFlowMod deleteStrict(FlowEntry flow) {
    return factory.buildFlowDeleteStrict()
        .setTableId(tableId(flow.table()))
        .setPriority(flow.priority())
        .setMatch(match(flow.match()))
        .setOutPort(OFPort.ANY)
        .setOutGroup(OFGroup.ANY)
        .build();
  }

  /**
   * OFPFC_DELETE_STRICT of a switch flow exactly as the switch reported it: for flows {@link
   * #fromStats} cannot read (a port that has since disappeared, an action nicflow never writes)
   * but whose cookie says they are nicflow's, so they can still be cleaned up.
   */
  public OFFlowMod deleteStrict(OFFlowStatsEntry entry) {
    return factory.buildFlowDeleteStrict()
        .setTableId(entry.getTableId())
        .setPriority(entry.getPriority())
        .setMatch(entry.getMatch())
        .setOutPort(OFPort.ANY)
        .setOutGroup(OFGroup.ANY)
        .build();
  }

  /** OFPFC_DELETE of every flow in every table whose cookie equals {@code cookie} under {@code mask}. */
  public OFFlowDelete deleteByCookie(long cookie, long mask) {
    return factory.buildFlowDelete()
        .setTableId(TableId.ALL)
        .setCookie(U64.of(cookie))
        .setCookieMask(U64.of(mask))
        .setOutPort(OFPort.ANY)
        .setOutGroup(OFGroup.ANY)
        .build();
  }

  private OFFlowMod.Builder fill(OFFlowMod.Builder b, FlowEntry flow) {
    Set<OFFlowModFlags> flags = flow.sendFlowRemoved() ? EnumSet.of(OFFlowModFlags.SEND_FLOW_REM)
        : EnumSet.noneOf(OFFlowModFlags.class);
    return b.setTableId(tableId(flow.table()))
        .setPriority(flow.priority())
        .setMatch(match(flow.match()))
        .setCookie(U64.of(flow.cookie()))
        .setIdleTimeout(flow.idleTimeout())
        .setHardTimeout(flow.hardTimeout())
        .setBufferId(OFBufferId.NO_BUFFER)
        .setOutPort(OFPort.ANY)
        .setOutGroup(OFGroup.ANY)
        .setFlags(flags)
        .setInstructions(instructions(flow));
  }

  private static TableId tableId(String table) {
    return TableId.of(Pipeline.number(table));
  }

  private boolean meterIsAction() {
    return factory.getVersion().compareTo(OFVersion.OF_15) >= 0;
  }

  /** The flow's instructions: meter, apply-actions, write-metadata, goto-table, each if present. */
  public List<OFInstruction> instructions(FlowEntry flow) {
    List<OFInstruction> out = new ArrayList<>(4);
    List<OFAction> apply = new ArrayList<>(flow.actions().size() + 1);
    if (flow.meterId().isPresent()) {
      if (meterIsAction()) {
        apply.add(factory.actions().meter(flow.meterId().getAsLong()));
      } else {
        out.add(factory.instructions().meter(flow.meterId().getAsLong()));
      }
    }
    apply.addAll(actions(flow.actions()));
    if (!apply.isEmpty()) {
      out.add(factory.instructions().applyActions(apply));
    }
    flow.writeMetadata().ifPresent(w ->
        out.add(factory.instructions().writeMetadata(U64.of(w.value()), U64.of(w.mask()))));
    flow.gotoTable().ifPresent(t -> out.add(factory.instructions().gotoTable(tableId(t))));
    return out;
  }

  public List<OFAction> actions(List<FlowAction> actions) {
    List<OFAction> out = new ArrayList<>(actions.size());
    for (FlowAction a : actions) {
      out.add(action(a));
    }
    return out;
  }

  public OFAction action(FlowAction action) {
    if (action instanceof FlowAction.Output o) {
      return factory.actions().output(port(o.port()), 0);
    } else if (action instanceof FlowAction.OutputInPort) {
      return factory.actions().output(OFPort.IN_PORT, 0);
    } else if (action instanceof FlowAction.OutputController) {
      return factory.actions().output(OFPort.CONTROLLER, NO_BUFFER);
    } else if (action instanceof FlowAction.SetField s) {
      return factory.actions().setField(oxm(FieldCodec.of(s.field()), s.value()));
    } else if (action instanceof FlowAction.Resubmit r) {
      return NiciraAction.resubmit(factory.getVersion(), r.table());
    } else if (action instanceof FlowAction.Learn l) {
      return NiciraAction.learn(factory.getVersion(), l);
    }
    throw new IllegalArgumentException("nicflow never sends action " + action);
  }

  private <F extends OFValueType<F>> OFOxm<F> oxm(FieldCodec<F> codec, long value) {
    return factory.oxms().fromValue(codec.value(value), codec.ofField());
  }

  /**
   * The OpenFlow match; masks only on fields OpenFlow lets be masked, and every field's
   * prerequisites present (else {@link IllegalArgumentException}, rather than an error from the
   * switch later).
   */
  public Match match(FlowMatch match) {
    List<String> missing = missingPrerequisites(match);
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("match " + match + " lacks prerequisites: " + String.join("; ", missing));
    }
    // One OXM list built once: the match builder's setters copy the whole list on every field.
    List<OFOxm<?>> oxms = new ArrayList<>(match.fields().size());
    for (FieldMatch fm : match.fields().values()) {
      if (fm.field() == MatchField.IN_PORT) {
        oxms.add(factory.oxms().fromValue(port(fm.portName()),
            org.projectfloodlight.openflow.protocol.match.MatchField.IN_PORT));
      } else {
        oxms.add(oxm(FieldCodec.of(fm.field()), fm));
      }
    }
    return factory.buildMatchV3().setOxmList(OFOxmList.ofList(oxms)).build();
  }

  /**
   * The OpenFlow prerequisites a match lacks: ARP fields need {@code dl_type=0x0806}; IP fields
   * {@code dl_type=0x0800}; TCP, UDP and ICMP fields the matching {@code nw_proto}. Empty when the
   * match is consistent.
   */
  public static List<String> missingPrerequisites(FlowMatch match) {
    List<String> missing = new ArrayList<>();
    for (MatchField f : match.fields().keySet()) {
      switch (f) {
        case ARP_OP, ARP_SPA, ARP_TPA, ARP_SHA, ARP_THA -> require(match, f, MatchField.ETH_TYPE, 0x0806, missing);
        case IP_PROTO, IPV4_SRC, IPV4_DST, IP_DSCP -> require(match, f, MatchField.ETH_TYPE, 0x0800, missing);
        case TCP_SRC, TCP_DST, TCP_FLAGS -> require(match, f, MatchField.IP_PROTO, 6, missing);
        case UDP_SRC, UDP_DST -> require(match, f, MatchField.IP_PROTO, 17, missing);
        case ICMPV4_TYPE, ICMPV4_CODE -> require(match, f, MatchField.IP_PROTO, 1, missing);
        default -> { }
      }
    }
    return missing;
  }

  private static void require(FlowMatch match, MatchField field, MatchField needed, long value, List<String> missing) {
    boolean ok = match.get(needed).filter(m -> m.isExact() && m.value() == value).isPresent();
    if (!ok) {
      missing.add(String.format("%s needs %s=0x%x", field.ovsName(), needed.ovsName(), value));
    }
  }

  private <F extends OFValueType<F>> OFOxm<F> oxm(FieldCodec<F> codec, FieldMatch fm) {
    if (fm.isExact()) {
      return factory.oxms().fromValue(codec.value(fm.value()), codec.ofField());
    } else if (codec.maskable()) {
      return factory.oxms().fromValueAndMask(codec.value(fm.value()), codec.value(fm.mask()), codec.ofField());
    } else {
      throw new IllegalArgumentException("OpenFlow cannot mask " + fm.field().ovsName());
    }
  }

  private OFPort port(String name) {
    return ports.number(name).orElseThrow(() -> new UnresolvedPortException(name));
  }

  // ---- meters ----

  /**
   * OFPMC_ADD: one drop band at the meter's rate and burst, in kbit/s (a VM's rate meter) or
   * packets per second (its miss budget).
   */
  public OFMeterMod addMeter(MeterSpec meter) {
    return meterMod(OFMeterModCommand.ADD, meter);
  }

  /** OFPMC_MODIFY: replaces the meter's band (a rate change). */
  public OFMeterMod modifyMeter(MeterSpec meter) {
    return meterMod(OFMeterModCommand.MODIFY, meter);
  }

  /** OFPMC_DELETE of one meter (flows using it are removed by the switch). */
  public OFMeterMod deleteMeter(long meterId) {
    return meterMod(OFMeterModCommand.DELETE, meterId, EnumSet.of(OFMeterFlags.KBPS, OFMeterFlags.BURST,
        OFMeterFlags.STATS), List.of());
  }

  /** The burst of a kbit/s drop band: 100 ms at the rate, at least {@link #MIN_BURST_KBITS}. */
  public static long burstKbits(long kbps) {
    return MeterSpec.burstKbits(kbps);
  }

  private OFMeterMod meterMod(OFMeterModCommand command, MeterSpec meter) {
    OFMeterFlags unit = meter.unit() == MeterSpec.Unit.PKTPS ? OFMeterFlags.PKTPS : OFMeterFlags.KBPS;
    OFMeterBand drop = factory.meterBands().buildDrop().setRate(meter.rate()).setBurstSize(meter.burst()).build();
    return meterMod(command, meter.meterId(), EnumSet.of(unit, OFMeterFlags.BURST, OFMeterFlags.STATS),
        List.of(drop));
  }

  private OFMeterMod meterMod(OFMeterModCommand command, long meterId, Set<OFMeterFlags> flags,
      List<OFMeterBand> bands) {
    OFMeterMod.Builder b = factory.buildMeterMod()
        .setCommand(command)
        .setMeterId(meterId)
        .setFlags(flags);
    if (factory.getVersion() == OFVersion.OF_13) {
      b.setMeters(bands);
    } else {
      b.setBands(bands);
    }
    return b.build();
  }

  // ---- reading flows back ----

  /**
   * The nicflow flow a flow-stats entry describes, or empty when the flow is not one nicflow could
   * have written (see the class comment). Ports and tables come back as names.
   */
  public Optional<FlowEntry> fromStats(OFFlowStatsEntry entry) {
    try {
      int table = entry.getTableId().getValue();
      if (!Pipeline.hasNumber(table)) {
        return Optional.empty();
      }
      Set<OFFlowModFlags> flags = entry.getFlags();
      FlowEntry.Builder b = FlowEntry.builder(Pipeline.nameOf(table), entry.getPriority())
          .match(fromMatch(entry.getMatch()))
          .cookie(entry.getCookie().getValue())
          .idleTimeout(entry.getIdleTimeout())
          .hardTimeout(entry.getHardTimeout())
          .sendFlowRemoved(flags != null && flags.contains(OFFlowModFlags.SEND_FLOW_REM));
      readInstructions(entry.getInstructions(), b);
      return Optional.of(b.build());
    } catch (Unrepresentable | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The identity of a removed flow, or empty for a flow nicflow could not have written. */
  public Optional<FlowKey> keyOf(OFFlowRemoved removed) {
    return keyOf(removed.getTableId(), removed.getPriority(), removed.getMatch());
  }

  /** The identity of the flow a flow-mod adds, changes or deletes, if nicflow can name it. */
  public Optional<FlowKey> keyOf(OFFlowMod mod) {
    return keyOf(mod.getTableId(), mod.getPriority(), mod.getMatch());
  }

  private Optional<FlowKey> keyOf(TableId tableId, int priority, Match match) {
    try {
      int table = tableId.getValue();
      if (!Pipeline.hasNumber(table)) {
        return Optional.empty();
      }
      return Optional.of(new FlowKey(Pipeline.nameOf(table), priority, fromMatch(match)));
    } catch (Unrepresentable | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The nicflow match an OpenFlow match describes; throws {@link Unrepresentable}. */
  private FlowMatch fromMatch(Match match) {
    FlowMatch.Builder b = FlowMatch.builder();
    for (org.projectfloodlight.openflow.protocol.match.MatchField<?> f : match.getMatchFields()) {
      if (f.id == org.projectfloodlight.openflow.protocol.match.MatchFields.IN_PORT) {
        OFPort p = match.get(org.projectfloodlight.openflow.protocol.match.MatchField.IN_PORT);
        b.inPort(ports.name(p).orElseThrow(() -> new Unrepresentable("unnamed port " + p)));
      } else {
        FieldCodec<?> codec = FieldCodec.ofOpenFlow(f.id).orElseThrow(() -> new Unrepresentable("field " + f));
        b.add(read(match, codec));
      }
    }
    return b.build();
  }

  private static <F extends OFValueType<F>> FieldMatch read(Match match, FieldCodec<F> codec) {
    if (match.isPartiallyMasked(codec.ofField())) {
      Masked<F> m = match.getMasked(codec.ofField());
      long mask = codec.bits(m.getMask());
      return FieldMatch.masked(codec.field(), codec.bits(m.getValue()) & mask, mask);
    }
    F value = match.get(codec.ofField());
    if (value == null) {
      throw new Unrepresentable("field " + codec.field() + " without its prerequisites");
    }
    return FieldMatch.exact(codec.field(), codec.bits(value));
  }

  private void readInstructions(List<OFInstruction> instructions, FlowEntry.Builder b) {
    for (OFInstruction i : instructions) {
      if (i instanceof OFInstructionMeter m) {
        b.meter(m.getMeterId());
      } else if (i instanceof OFInstructionApplyActions a) {
        readActions(a.getActions(), b);
      } else if (i instanceof OFInstructionWriteMetadata w) {
        long mask = w.getMetadataMask().getValue();
        b.writeMetadata(w.getMetadata().getValue() & mask, mask);
      } else if (i instanceof OFInstructionGotoTable g) {
        int t = g.getTableId().getValue();
        if (!Pipeline.hasNumber(t)) {
          throw new Unrepresentable("goto table " + t);
        }
        b.gotoTable(Pipeline.nameOf(t));
      } else {
        throw new Unrepresentable("instruction " + i.getType());
      }
    }
  }

  private void readActions(List<OFAction> actions, FlowEntry.Builder b) {
    for (int n = 0; n < actions.size(); n++) {
      OFAction a = actions.get(n);
      if (a instanceof OFActionMeter m && n == 0) {
        b.meter(m.getMeterId());
      } else if (a instanceof OFActionOutput o) {
        b.action(fromOutput(o));
      } else if (a instanceof OFActionSetField s) {
        b.action(fromSetField(s.getField()));
      } else if (a instanceof NiciraAction nx) {
        b.action(nx.toFlowAction().orElseThrow(() -> new Unrepresentable("Nicira action " + nx)));
      } else {
        throw new Unrepresentable("action " + a.getType());
      }
    }
  }

  private FlowAction fromOutput(OFActionOutput o) {
    OFPort p = o.getPort();
    if (p.equals(OFPort.IN_PORT)) {
      return new FlowAction.OutputInPort();
    }
    if (p.equals(OFPort.CONTROLLER)) {
      return new FlowAction.OutputController();
    }
    return new FlowAction.Output(ports.name(p).orElseThrow(() -> new Unrepresentable("unnamed port " + p)));
  }

  private static FlowAction fromSetField(OFOxm<?> oxm) {
    if (oxm.isMasked()) {
      throw new Unrepresentable("masked set-field " + oxm.getMatchField());
    }
    FieldCodec<?> codec = FieldCodec.ofOpenFlow(oxm.getMatchField().id)
        .orElseThrow(() -> new Unrepresentable("set-field " + oxm.getMatchField()));
    return new FlowAction.SetField(codec.field(), bitsOf(codec, oxm.getValue()));
  }

  @SuppressWarnings("unchecked")
  private static <F extends OFValueType<F>> long bitsOf(FieldCodec<F> codec, Object value) {
    return codec.bits((F) value);
  }

  /** A switch flow that is not expressible as a nicflow flow. */
  private static final class Unrepresentable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unrepresentable(String what) {
      super(what, null, false, false);
    }
  }
}
