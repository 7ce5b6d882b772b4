package org.nicflow.controller.openflow;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.nicflow.controller.openflow.translate.NiciraAction;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFFlowStatsReply;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.action.OFAction;
import org.projectfloodlight.openflow.protocol.instruction.OFInstruction;
import org.projectfloodlight.openflow.protocol.instruction.OFInstructionApplyActions;
import org.projectfloodlight.openflow.protocol.instruction.OFInstructionWriteActions;

/**
 * openflowj 3.6 reads only one Nicira action (dec_ttl) and fails a whole message on any other, so
 * a flow-stats reply from a switch holding nicflow's resubmit and learn actions, or learned flows'
 * register loads, would be unreadable. This cuts every other Nicira action out of an OpenFlow
 * 1.3/1.4 flow-stats reply frame (fixing the instruction, entry and message lengths) before
 * openflowj reads it, and puts them back afterwards as {@link NiciraAction}s at their places.
 */
final class NiciraActionSplice {

  private static final int MULTIPART_REPLY = 19;
  private static final int MULTIPART_FLOW = 1;
  private static final int ENTRY_FIXED = 48;
  private static final int WRITE_ACTIONS = 3;
  private static final int APPLY_ACTIONS = 4;
  private static final int EXPERIMENTER = 0xffff;
  private static final int NICIRA_DEC_TTL = 18;

  /** One action cut out: entry, instruction and action positions in the original reply, its bytes. */
  record Cut(int entry, int instruction, int action, byte[] bytes) {}

  /** A frame with the actions cut out, and the cuts. */
  record Spliced(ByteBuf frame, List<Cut> cuts) {}

  private NiciraActionSplice() {}

  /** The frame without its Nicira actions, when it is a flow-stats reply that has some. */
  static Optional<Spliced> cut(ByteBuf frame) {
    int base = frame.readerIndex();
    int length = frame.readableBytes();
    if (length < 16) {
      return Optional.empty();
    }
    int version = frame.getUnsignedByte(base);
    if ((version != OFVersion.OF_13.getWireVersion() && version != OFVersion.OF_14.getWireVersion())
        || frame.getUnsignedByte(base + 1) != MULTIPART_REPLY || frame.getUnsignedShort(base + 8) != MULTIPART_FLOW) {
      return Optional.empty();
    }
    List<Cut> cuts = new ArrayList<>();
    ByteBuf out = Unpooled.buffer(length);
    out.writeBytes(frame, base, 16);
    int at = base + 16;
    int end = base + Math.min(length, frame.getUnsignedShort(base + 2));
    for (int entry = 0; at + ENTRY_FIXED <= end; entry++) {
      int entryLen = frame.getUnsignedShort(at);
      if (entryLen < ENTRY_FIXED + 8 || at + entryLen > end) {
        return Optional.empty();
      }
      int matchLen = (frame.getUnsignedShort(at + ENTRY_FIXED + 2) + 7) / 8 * 8;
      int entryOut = out.writerIndex();
      out.writeBytes(frame, at, ENTRY_FIXED + matchLen);
      int i = at + ENTRY_FIXED + matchLen;
      for (int instruction = 0; i + 4 <= at + entryLen; instruction++) {
        int type = frame.getUnsignedShort(i);
        int insLen = frame.getUnsignedShort(i + 2);
        if (insLen < 4 || i + insLen > at + entryLen) {
          return Optional.empty();
        }
        if (type != APPLY_ACTIONS && type != WRITE_ACTIONS) {
          out.writeBytes(frame, i, insLen);
        } else {
          int insOut = out.writerIndex();
          out.writeBytes(frame, i, 8);
          int a = i + 8;
          for (int action = 0; a + 4 <= i + insLen; action++) {
            int actLen = frame.getUnsignedShort(a + 2);
            if (actLen < 8 || a + actLen > i + insLen) {
              return Optional.empty();
            }
            if (isForeignNicira(frame, a, actLen)) {
              byte[] bytes = new byte[actLen];
              frame.getBytes(a, bytes);
              cuts.add(new Cut(entry, instruction, action, bytes));
            } else {
              out.writeBytes(frame, a, actLen);
            }
            a += actLen;
          }
          out.setShort(insOut + 2, out.writerIndex() - insOut);
        }
        i += insLen;
      }
      out.setShort(entryOut, out.writerIndex() - entryOut);
      at += entryLen;
    }
    if (cuts.isEmpty()) {
      return Optional.empty();
    }
    out.setShort(2, out.writerIndex());
    return Optional.of(new Spliced(out, List.copyOf(cuts)));
  }

  private static boolean isForeignNicira(ByteBuf frame, int at, int len) {
    return frame.getUnsignedShort(at) == EXPERIMENTER && len >= 16
        && frame.getInt(at + 4) == NiciraAction.NICIRA && frame.getUnsignedShort(at + 8) != NICIRA_DEC_TTL;
  }

  /** The reply openflowj read from the cut frame, with the cut actions back in their places. */
  static OFMessage restore(OFMessage message, List<Cut> cuts) {
    if (!(message instanceof OFFlowStatsReply reply)) {
      throw new IllegalArgumentException("cut a flow-stats reply, read a " + message.getType());
    }
    OFFactory factory = OFFactories.getFactory(reply.getVersion());
    List<OFFlowStatsEntry> entries = new ArrayList<>(reply.getEntries());
    for (int e = 0; e < entries.size(); e++) {
      int entryIndex = e;
      List<Cut> mine = cuts.stream().filter(c -> c.entry() == entryIndex).toList();
      if (mine.isEmpty()) {
        continue;
      }
      OFFlowStatsEntry entry = entries.get(e);
      List<OFInstruction> instructions = new ArrayList<>(entry.getInstructions());
      for (int n = 0; n < instructions.size(); n++) {
        int insIndex = n;
        List<Cut> here = mine.stream().filter(c -> c.instruction() == insIndex).toList();
        if (here.isEmpty()) {
          continue;
        }
        OFInstruction ins = instructions.get(n);
        List<OFAction> actions = new ArrayList<>(ins instanceof OFInstructionApplyActions apply ? apply.getActions()
            : ((OFInstructionWriteActions) ins).getActions());
        for (Cut c : here) {
          actions.add(Math.min(c.action(), actions.size()), NiciraAction.ofBytes(reply.getVersion(), c.bytes()));
        }
        instructions.set(n, ins instanceof OFInstructionApplyActions ? factory.instructions().applyActions(actions)
            : factory.instructions().writeActions(actions));
      }
      entries.set(e, entry.createBuilder().setInstructions(instructions).build());
    }
    return reply.createBuilder().setEntries(entries).build();
  }
}
