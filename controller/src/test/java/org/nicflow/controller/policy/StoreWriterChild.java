package org.nicflow.controller.policy;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.OffloadMode;

/**
 * The process {@link FilePolicyStoreKillTest} kills: opens a {@link FilePolicyStore} on directory
 * {@code args[0]} and commits, in a tight loop and forever, the policy document in file
 * {@code args[1]} as every odd revision and the one in {@code args[2]} as every even revision,
 * printing {@code committed <revision>;} once each commit has returned. The test writes those
 * files with {@link #document}; the child only reads them, so that it starts fast (no YAML or
 * JSON libraries to load).
 */
public final class StoreWriterChild {

  private StoreWriterChild() {}

  /** What revision {@code revision} holds: the config in reactive mode for odd revisions, proactive for even ones. */
  static byte[] document(Config config, long revision) {
    return PolicyDocuments.write(config.withMode(revision % 2 == 1 ? OffloadMode.REACTIVE : OffloadMode.PROACTIVE));
  }

  public static void main(String[] args) throws Exception {
    byte[][] documents = {Files.readAllBytes(Path.of(args[2])), Files.readAllBytes(Path.of(args[1]))};
    PrintStream out = System.out;
    try (FilePolicyStore store = FilePolicyStore.open(Path.of(args[0]))) {
      long revision = store.latest().map(StoredRevision::revision).orElse(0L);
      while (true) {
        revision = store.commit(revision, documents[(int) ((revision + 1) % 2)]).revision();
        out.println("committed " + revision + ";");
        out.flush();
      }
    }
  }
}
