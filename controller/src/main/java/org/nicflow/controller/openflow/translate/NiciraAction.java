package org.nicflow.controller.openflow.translate;

import com.google.common.hash.PrimitiveSink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.nicflow.compiler.flow.FlowAction;
import org.nicflow.compiler.flow.LearnSpec;
import org.nicflow.compiler.flow.MatchField;
import org.nicflow.compiler.flow.Pipeline;
import org.projectfloodlight.openflow.protocol.OFActionType;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.action.OFAction;

/**
 * A Nicira experimenter action (experimenter {@value #NICIRA}) that openflowj has no class for,
 * held as its wire bytes: nicflow writes {@code NXAST_RESUBMIT_TABLE} (subtype {@value
 * #RESUBMIT_TABLE}) and {@code NXAST_LEARN} (subtype {@value #LEARN}) with it, and reads back those
 * and the register loads of learned flows ({@code NXAST_REG_LOAD}, {@code NXAST_REG_LOAD2}). The
 * byte layouts are Open vSwitch's (include/openflow/nicira-ext.h, lib/learn.c); OVS reads them
 * back identically (see NiciraActionTest and the real-OVS check in docs/controller.md).
 */
public final class NiciraAction implements OFAction {

  public static final int NICIRA = 0x00002320;
  public static final int REG_LOAD = 7;
  public static final int RESUBMIT_TABLE = 14;
  public static final int LEARN = 16;
  public static final int REG_LOAD2 = 33;
  /** OpenFlow 1.0's OFPP_IN_PORT: resubmit with the packet's own in_port. */
  private static final int OFPP10_IN_PORT = 0xfff8;
  private static final int LEARN_SRC_IMMEDIATE = 1 << 13;
  private static final int LEARN_DST_LOAD = 1 << 11;
  private static final int HEADER_BYTES = 10;
  private static final int LEARN_FIXED_BYTES = 32;

  private final OFVersion version;
  private final byte[] bytes;

  private NiciraAction(OFVersion version, byte[] bytes) {
    this.version = Objects.requireNonNull(version, "version");
    this.bytes = bytes.clone();
  }

  /** The action whose wire form is {@code bytes} (type, length, experimenter, subtype, body). */
  public static NiciraAction ofBytes(OFVersion version, byte[] bytes) {
    if (bytes.length < 16 || bytes.length % 8 != 0) {
      throw new IllegalArgumentException("a Nicira action is a multiple of 8 bytes, at least 16: " + bytes.length);
    }
    ByteBuf b = Unpooled.wrappedBuffer(bytes);
    if (b.getUnsignedShort(0) != 0xffff || b.getUnsignedShort(2) != bytes.length || b.getInt(4) != NICIRA) {
      throw new IllegalArgumentException("not a Nicira action of its own length");
    }
    return new NiciraAction(version, bytes);
  }

  /** {@code resubmit(,table)}. */
  public static NiciraAction resubmit(OFVersion version, String table) {
    ByteBuf b = Unpooled.buffer(16);
    header(b, RESUBMIT_TABLE);
    b.writeShort(OFPP10_IN_PORT);
    b.writeByte(Pipeline.number(table));
    b.writeZero(3);
    return finish(version, b);
  }

  /** {@code learn(...)}: flags 0, no hard timeout, no FIN timeouts. */
  public static NiciraAction learn(OFVersion version, FlowAction.Learn learn) {
    ByteBuf b = Unpooled.buffer(64);
    header(b, LEARN);
    b.writeShort(learn.idleTimeout());
    b.writeShort(0);
    b.writeShort(learn.priority());
    b.writeLong(learn.cookie());
    b.writeShort(0);
    b.writeByte(Pipeline.number(learn.table()));
    b.writeZero(1);
    b.writeShort(0);
    b.writeShort(0);
    for (LearnSpec spec : learn.specs()) {
      if (spec instanceof LearnSpec.MatchValue v) {
        int bits = v.field().bits();
        b.writeShort(LEARN_SRC_IMMEDIATE | bits);
        immediate(b, v.value(), bits);
        b.writeInt(nxmHeader(v.field()));
        b.writeShort(0);
      } else if (spec instanceof LearnSpec.MatchCopy c) {
        b.writeShort(c.bits());
        b.writeInt(nxmHeader(c.src()));
        b.writeShort(c.srcOffset());
        b.writeInt(nxmHeader(c.dst()));
        b.writeShort(c.dstOffset());
      } else if (spec instanceof LearnSpec.LoadMetadata m) {
        b.writeShort(LEARN_SRC_IMMEDIATE | LEARN_DST_LOAD | m.bits());
        immediate(b, m.value(), m.bits());
        b.writeInt(nxmHeader(MatchField.METADATA));
        b.writeShort(m.offset());
      }
    }
    b.writeZero((8 - b.writerIndex() % 8) % 8);
    b.setShort(2, b.writerIndex());
    return finish(version, b);
  }

  /** The immediate value in 2 * ceil(bits / 16) bytes, right-aligned. */
  private static void immediate(ByteBuf b, long value, int bits) {
    int n = 2 * ((bits + 15) / 16);
    for (int i = n - 1; i >= 0; i--) {
      b.writeByte(i >= 8 ? 0 : (int) (value >>> (8 * i)));
    }
  }

  private static void header(ByteBuf b, int subtype) {
    b.writeShort(0xffff);
    b.writeShort(0);
    b.writeInt(NICIRA);
    b.writeShort(subtype);
  }

  private static NiciraAction finish(OFVersion version, ByteBuf b) {
    b.setShort(2, b.writerIndex());
    byte[] out = new byte[b.writerIndex()];
    b.getBytes(0, out);
    return new NiciraAction(version, out);
  }

  public int subtype() {
    return ((bytes[8] & 0xff) << 8) | (bytes[9] & 0xff);
  }

  public byte[] bytes() {
    return bytes.clone();
  }

  /**
   * The nicflow action this is, when it is one nicflow writes or a learned flow carries: resubmit
   * to a pipeline table with the packet's in_port, a learn of nicflow's shape, a load into
   * metadata bits.
   */
  public Optional<FlowAction> toFlowAction() {
    ByteBuf b = Unpooled.wrappedBuffer(bytes);
    try {
      return switch (subtype()) {
        case RESUBMIT_TABLE -> b.getUnsignedShort(10) == OFPP10_IN_PORT && Pipeline.hasNumber(b.getUnsignedByte(12))
            ? Optional.of(new FlowAction.Resubmit(Pipeline.nameOf(b.getUnsignedByte(12)))) : Optional.empty();
        case LEARN -> readLearn(b);
        case REG_LOAD -> readRegLoad(b);
        case REG_LOAD2 -> readRegLoad2(b);
        default -> Optional.empty();
      };
    } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static Optional<FlowAction> readLearn(ByteBuf b) {
    int idle = b.getUnsignedShort(10);
    int hard = b.getUnsignedShort(12);
    int priority = b.getUnsignedShort(14);
    long cookie = b.getLong(16);
    int flags = b.getUnsignedShort(24);
    int table = b.getUnsignedByte(26);
    if (hard != 0 || flags != 0 || b.getUnsignedShort(28) != 0 || b.getUnsignedShort(30) != 0
        || !Pipeline.hasNumber(table)) {
      return Optional.empty();
    }
    List<LearnSpec> specs = new ArrayList<>();
    int at = LEARN_FIXED_BYTES;
    int end = b.getUnsignedShort(2);
    while (at + 2 <= end) {
      int header = b.getUnsignedShort(at);
      at += 2;
      if (header == 0) {
        break;
      }
      int bits = header & 0x3ff;
      boolean immediate = (header & LEARN_SRC_IMMEDIATE) != 0;
      int dstType = header & (3 << 11);
      long value = 0;
      MatchField src = null;
      int srcOffset = 0;
      if (immediate) {
        int n = 2 * ((bits + 15) / 16);
        for (int i = 0; i < n; i++) {
          value = (value << 8) | b.getUnsignedByte(at + i);
        }
        at += n;
      } else {
        src = fieldOf(b.getInt(at));
        srcOffset = b.getUnsignedShort(at + 4);
        at += 6;
      }
      if (dstType != 0 && dstType != LEARN_DST_LOAD) {
        return Optional.empty();
      }
      MatchField dst = fieldOf(b.getInt(at));
      int dstOffset = b.getUnsignedShort(at + 4);
      at += 6;
      if (dstType == LEARN_DST_LOAD) {
        if (!immediate || dst != MatchField.METADATA) {
          return Optional.empty();
        }
        specs.add(new LearnSpec.LoadMetadata(value, dstOffset, bits));
      } else if (immediate) {
        if (dstOffset != 0 || bits != dst.bits()) {
          return Optional.empty();
        }
        specs.add(new LearnSpec.MatchValue(dst, value));
      } else {
        specs.add(new LearnSpec.MatchCopy(dst, dstOffset, src, srcOffset, bits));
      }
    }
    return Optional.of(new FlowAction.Learn(Pipeline.nameOf(table), priority, idle, cookie, specs));
  }

  /** NXAST_REG_LOAD: ofs_nbits, destination header, 64-bit value. */
  private static Optional<FlowAction> readRegLoad(ByteBuf b) {
    int ofsNbits = b.getUnsignedShort(10);
    if (fieldOf(b.getInt(12)) != MatchField.METADATA) {
      return Optional.empty();
    }
    int ofs = ofsNbits >>> 6;
    int bits = (ofsNbits & 0x3f) + 1;
    long mask = (bits == 64 ? -1L : (1L << bits) - 1) << ofs;
    return Optional.of(new FlowAction.LoadMetadata((b.getLong(16) << ofs) & mask, mask));
  }

  /** NXAST_REG_LOAD2: one OXM (metadata, possibly masked) after the subtype, then padding. */
  private static Optional<FlowAction> readRegLoad2(ByteBuf b) {
    int header = b.getInt(10);
    if ((header >>> 9) != (nxmHeader(MatchField.METADATA) >>> 9)) {
      return Optional.empty();
    }
    long value = b.getLong(14);
    long mask = (header & 0x100) != 0 ? b.getLong(22) : -1L;
    return Optional.of(new FlowAction.LoadMetadata(value & mask, mask));
  }

  /** The 32-bit NXM/OXM header nicflow uses for a field (unmasked). */
  static int nxmHeader(MatchField f) {
    return switch (f) {
      case METADATA -> 0x80000408;
      case ETH_TYPE -> 0x00000602;
      case IP_PROTO -> 0x00000c01;
      case IPV4_SRC -> 0x00000e04;
      case IPV4_DST -> 0x00001004;
      case TCP_SRC -> 0x00001202;
      case TCP_DST -> 0x00001402;
      case UDP_SRC -> 0x00001602;
      case UDP_DST -> 0x00001802;
      case ICMPV4_TYPE -> 0x00001a01;
      case ICMPV4_CODE -> 0x00001c01;
      case ETH_DST -> 0x00000206;
      case ETH_SRC -> 0x00000406;
      case TUN_ID -> 0x00012008;
      case IP_DSCP -> 0x80001001;
      default -> throw new IllegalArgumentException("no NXM header for " + f);
    };
  }

  private static MatchField fieldOf(int header) {
    for (MatchField f : MatchField.values()) {
      try {
        if (nxmHeader(f) == header) {
          return f;
        }
      } catch (IllegalArgumentException e) {
        // a field without a header
      }
    }
    throw new IllegalArgumentException(String.format("unknown NXM header 0x%08x", header));
  }

  @Override
  public OFActionType getType() {
    return OFActionType.EXPERIMENTER;
  }

  @Override
  public OFVersion getVersion() {
    return version;
  }

  @Override
  public void writeTo(ByteBuf bb) {
    bb.writeBytes(bytes);
  }

  @Override
  public void putTo(PrimitiveSink sink) {
    sink.putBytes(bytes);
  }

  @Override
  public Builder createBuilder() {
    throw new UnsupportedOperationException("Nicira actions are built from nicflow actions");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NiciraAction n && n.version == version && Arrays.equals(n.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "NiciraAction(subtype " + subtype() + ", " + HexFormat.of().formatHex(bytes) + ")";
  }
}
