package org.nicflow.controller.policy;

import java.util.Arrays;

/** One committed revision of a {@link PolicyStore}: its number (1, 2, …) and its document. */
public record StoredRevision(long revision, byte[] document) {

  public StoredRevision {
    if (revision < 1) {
      throw new IllegalArgumentException("revision numbers start at 1, got " + revision);
    }
    document = document.clone();
  }

  @Override
  public byte[] document() {
    return document.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StoredRevision r && r.revision == revision && Arrays.equals(r.document, document);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(revision) * 31 + Arrays.hashCode(document);
  }

  @Override
  public String toString() {
    return "revision " + revision + " (" + document.length + " bytes)";
  }
}
