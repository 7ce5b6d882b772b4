package org.nicflow.compiler.flow;

/** A write-metadata instruction: metadata = (metadata & ~mask) | (value & mask). */
public record MetadataWrite(long value, long mask) {
  public MetadataWrite {
    if ((value & ~mask) != 0) {
      throw new IllegalArgumentException("metadata value has bits outside its mask");
    }
  }
}
