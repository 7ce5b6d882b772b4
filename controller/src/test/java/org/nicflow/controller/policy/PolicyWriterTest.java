package org.nicflow.controller.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.RuleSet;
import org.nicflow.controller.api.DemoApi;

class PolicyWriterTest {

  @Test
  void theNewestRevisionIsDecodedOnceWhileItStaysTheNewest() throws Exception {
    PolicyWriter writer = new PolicyWriter(new MemoryPolicyStore());
    writer.write(DemoApi.demo(), OptionalLong.of(0));

    Config first = writer.latest().orElseThrow().config();

    assertThat(writer.latest().orElseThrow().config()).isSameAs(first);
    assertThat(writer.numbered(first).ids()).isEqualTo(first.ids());
  }

  @Test
  void aNewRevisionIsDecodedAfresh() throws Exception {
    MemoryPolicyStore store = new MemoryPolicyStore();
    PolicyWriter writer = new PolicyWriter(store);
    Config demo = DemoApi.demo();
    writer.write(demo, OptionalLong.of(0));
    Config first = writer.latest().orElseThrow().config();

    Config fewer = withoutOneRule(demo);
    PolicyWriter.Accepted accepted = writer.write(fewer, OptionalLong.of(1));

    PolicyWriter.Revision latest = writer.latest().orElseThrow();
    assertThat(latest.revision()).isEqualTo(accepted.revision()).isEqualTo(2);
    assertThat(latest.config()).isNotSameAs(first);
    assertThat(latest.config().samePolicy(fewer)).isTrue();
  }

  @Test
  void aDocumentReplacedUnderTheSameRevisionNumberIsDecodedAfresh() throws Exception {
    Config demo = DemoApi.demo();
    ReplaceableStore store = new ReplaceableStore(new StoredRevision(1, PolicyDocuments.write(demo)));
    PolicyWriter writer = new PolicyWriter(store);
    Config first = writer.latest().orElseThrow().config();

    Config fewer = withoutOneRule(demo);
    store.newest = new StoredRevision(1, PolicyDocuments.write(fewer));

    Config replaced = writer.latest().orElseThrow().config();
    assertThat(replaced).isNotSameAs(first);
    assertThat(replaced.samePolicy(fewer)).isTrue();
  }

  private static Config withoutOneRule(Config config) {
    RuleSet set = config.rulesets().stream().filter(rs -> rs.layers().stream().anyMatch(l -> !l.rules().isEmpty()))
        .findFirst().orElseThrow();
    String rule = set.layers().stream().flatMap(l -> l.rules().stream()).findFirst().orElseThrow().id();
    return config.withoutRule(set.name(), rule);
  }

  /** A store whose newest revision the test sets. */
  private static final class ReplaceableStore implements PolicyStore {
    volatile StoredRevision newest;

    ReplaceableStore(StoredRevision newest) {
      this.newest = newest;
    }

    @Override
    public Optional<StoredRevision> latest() {
      return Optional.of(newest);
    }

    @Override
    public Optional<StoredRevision> get(long revision) {
      return Optional.of(newest).filter(r -> r.revision() == revision);
    }

    @Override
    public StoredRevision commit(long expected, byte[] document) {
      throw new UnsupportedOperationException("read only");
    }

    @Override
    public Watch watch(long fromRevision, Consumer<StoredRevision> listener) {
      return () -> { };
    }

    @Override
    public void close() {}
  }
}
