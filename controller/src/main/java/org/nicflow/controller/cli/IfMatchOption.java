package org.nicflow.controller.cli;

import java.util.OptionalLong;
import picocli.CommandLine.Option;

/** {@code --if-match REV} of the commands that change the running policy ({@code apply}, {@code delete}). */
public final class IfMatchOption {

  @Option(names = "--if-match", paramLabel = "REV",
      description = "Only if the policy is still at revision REV (else exit 2, nothing changed).")
  private Long revision;

  OptionalLong revision() {
    return revision == null ? OptionalLong.empty() : OptionalLong.of(revision);
  }
}
