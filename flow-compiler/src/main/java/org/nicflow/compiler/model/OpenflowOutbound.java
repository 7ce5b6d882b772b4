package org.nicflow.compiler.model;

/**
 * How much sent to one switch may wait for it to read ({@code controller.openflow_outbound_pause_bytes}
 * and {@code openflow_outbound_close_bytes}, docs/config.md): past {@code pauseBytes} the controller
 * stops reading from the switch and drops packet-outs for it (both resume once less than half of
 * that waits); past {@code closeBytes} it closes the connection, and the switch re-syncs when it
 * connects again.
 *
 * @param pauseBytes {@link #MIN_PAUSE_BYTES} or more, less than {@code closeBytes}
 * @param closeBytes {@link #MIN_CLOSE_BYTES} to {@link Integer#MAX_VALUE}
 */
public record OpenflowOutbound(int pauseBytes, int closeBytes) {

  public static final int MIN_PAUSE_BYTES = 1 << 10;
  public static final int MIN_CLOSE_BYTES = 64 << 10;
  /** The pause mark when only the close limit is set: a 32nd of it. */
  public static final int PAUSE_FRACTION = 32;

  /** 1 MiB and 32 MiB. */
  public static final OpenflowOutbound DEFAULT = closingAt(32 << 20);

  public OpenflowOutbound {
    if (closeBytes < MIN_CLOSE_BYTES) {
      throw new IllegalArgumentException("openflow_outbound_close_bytes " + closeBytes + " is below "
          + MIN_CLOSE_BYTES);
    }
    if (pauseBytes < MIN_PAUSE_BYTES || pauseBytes >= closeBytes) {
      throw new IllegalArgumentException("openflow_outbound_pause_bytes " + pauseBytes + " must be at least "
          + MIN_PAUSE_BYTES + " and below openflow_outbound_close_bytes " + closeBytes);
    }
  }

  /** Closing at {@code closeBytes}, pausing at a {@link #PAUSE_FRACTION}th of that. */
  public static OpenflowOutbound closingAt(int closeBytes) {
    return new OpenflowOutbound(Math.max(MIN_PAUSE_BYTES, closeBytes / PAUSE_FRACTION), closeBytes);
  }
}
