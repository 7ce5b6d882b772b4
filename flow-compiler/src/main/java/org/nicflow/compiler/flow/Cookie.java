package org.nicflow.compiler.flow;

import java.util.Objects;

/**
 * What a flow's 64-bit cookie says: owner tag (bits 63-56, always {@link #OWNER}), kind (55-52),
 * rule-set generation (51-40), VM index (39-24, {@link #NO_VM} for none), layer index (23-20,
 * {@link #NO_LAYER}) and rule index in that layer (19-0, {@link #NO_RULE} for a layer default or
 * none). Printed in hex by ovs-ofctl, e.g. {@code 0x4e50010001100002} = unified flow, generation 1,
 * VM 1, layer 1, rule 2.
 */
public record Cookie(FlowKind kind, int generation, int vmIndex, int layerIndex, int ruleIndex) {

  public static final long OWNER = 0x4eL;
  public static final long OWNER_MASK = 0xff00_0000_0000_0000L;
  public static final int NO_VM = 0xffff;
  public static final int NO_LAYER = 0xf;
  public static final int NO_RULE = 0xfffff;

  public Cookie {
    Objects.requireNonNull(kind, "kind");
    if (generation < 0 || generation > 0xfff) {
      throw new IllegalArgumentException("generation " + generation + " does not fit 12 bits");
    }
    if (vmIndex < 0 || vmIndex > NO_VM) {
      throw new IllegalArgumentException("vm index " + vmIndex + " does not fit 16 bits");
    }
    if (layerIndex < 0 || layerIndex > NO_LAYER) {
      throw new IllegalArgumentException("layer index " + layerIndex + " does not fit 4 bits");
    }
    if (ruleIndex < 0 || ruleIndex > NO_RULE) {
      throw new IllegalArgumentException("rule index " + ruleIndex + " does not fit 20 bits");
    }
  }

  public static Cookie base(FlowKind kind) {
    return new Cookie(kind, 0, NO_VM, NO_LAYER, NO_RULE);
  }

  public static Cookie forVm(FlowKind kind, int generation, int vmIndex) {
    return new Cookie(kind, generation, vmIndex, NO_LAYER, NO_RULE);
  }

  public long encode() {
    return (OWNER << 56) | ((long) kind.code() << 52) | ((long) generation << 40) | ((long) vmIndex << 24)
        | ((long) layerIndex << 20) | ruleIndex;
  }

  /** Whether a cookie was written by nicflow; flows of other owners are never touched. */
  /** Mask of the owner and VM bits: with {@link #ofVm}, selects every flow of one VM. */
  public static final long VM_OWNER_MASK = OWNER_MASK | (0xffffL << 24);

  /** The owner and VM bits of every cookie of VM {@code vmIndex}; match it under {@link #VM_OWNER_MASK}. */
  public static long ofVm(int vmIndex) {
    if (vmIndex < 0 || vmIndex > NO_VM) {
      throw new IllegalArgumentException("vm index " + vmIndex + " does not fit 16 bits");
    }
    return (OWNER << 56) | ((long) vmIndex << 24);
  }

  /** This cookie with another kind: e.g. a reverse flow naming the rule of its forward flow. */
  public Cookie withKind(FlowKind newKind) {
    return new Cookie(newKind, generation, vmIndex, layerIndex, ruleIndex);
  }

  public static boolean isOurs(long cookie) {
    return (cookie >>> 56) == OWNER;
  }

  public static Cookie decode(long cookie) {
    if (!isOurs(cookie)) {
      throw new IllegalArgumentException(String.format("cookie 0x%x is not nicflow's", cookie));
    }
    return new Cookie(FlowKind.ofCode((int) ((cookie >>> 52) & 0xf)), (int) ((cookie >>> 40) & 0xfff),
        (int) ((cookie >>> 24) & 0xffff), (int) ((cookie >>> 20) & 0xf), (int) (cookie & 0xfffff));
  }

  /** The kind a cookie names, when it is nicflow's and well formed. */
  public static java.util.Optional<FlowKind> kindOf(long cookie) {
    if (!isOurs(cookie)) {
      return java.util.Optional.empty();
    }
    try {
      return java.util.Optional.of(decode(cookie).kind());
    } catch (IllegalArgumentException e) {
      return java.util.Optional.empty();
    }
  }

  public boolean hasVm() {
    return vmIndex != NO_VM;
  }
}
