package org.nicflow.controller.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.nicflow.compiler.config.ConfigException;
import org.nicflow.compiler.diff.FlowDiffer;
import org.nicflow.compiler.eval.ConnectionTable;
import org.nicflow.compiler.model.Config;
import org.nicflow.controller.LoggedBugs;
import org.nicflow.controller.openflow.OpenFlowStats;
import org.nicflow.controller.openflow.packet.FrameParser;
import org.nicflow.controller.partition.FlowReconciler;
import org.nicflow.controller.partition.HostPartition;
import org.nicflow.controller.partition.RuleStatistics;
import org.nicflow.controller.policy.LivePolicy;
import org.nicflow.controller.policy.MemoryPolicyStore;
import org.nicflow.controller.policy.PolicySnapshot;
import org.nicflow.controller.policy.PolicyWriter;
import org.nicflow.controller.policy.UpdatePlan;

/**
 * Fuzz target: the request bodies the API parses (a trace request, a whole config, one VM, rule
 * set or load balancer), over the demo config. The first byte of an input picks the request, the
 * rest is its body. Writes are dry runs, so every input meets the same policy. Contract: the
 * router answers every body, with 2xx or a 4xx error carrying a JSON message; never 500, nothing
 * logged as a bug, nothing thrown.
 *
 * <p>Regression inputs: {@code RequestBodyFuzzTestInputs/everyBodyGetsAnAnswer}. How to fuzz:
 * docs/benchmarks.md, "Fuzzing".
 */
class RequestBodyFuzzTest {

  /** Method, path and query of each request; an input's first byte picks one. */
  static final List<String[]> REQUESTS = List.of(
      new String[] {"POST", "/api/v1/trace", ""},
      new String[] {"PUT", "/api/v1/config", "dry_run=true"},
      new String[] {"PUT", "/api/v1/vms/web3", "dry_run=true"},
      new String[] {"PUT", "/api/v1/vms/db1", "dry_run=true"},
      new String[] {"PUT", "/api/v1/rulesets/cache", "dry_run=true"},
      new String[] {"PUT", "/api/v1/rulesets/web", "dry_run=true"},
      new String[] {"PUT", "/api/v1/load_balancers/web-vip", "dry_run=true"},
      new String[] {"PUT", "/api/v1/load_balancers/api-vip", "dry_run=true"});

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ApiRouter router;
  private LoggedBugs bugs;

  RequestBodyFuzzTest() throws ConfigException {
    Config demo = DemoApi.demo();
    PolicySnapshot snapshot = PolicySnapshot.of(1, demo);
    PolicyWriter writer = new PolicyWriter(new MemoryPolicyStore());
    writer.write(demo, OptionalLong.of(0));
    HostPartition partition = new HostPartition(snapshot, new FlowReconciler(new FlowDiffer(), Duration.ofSeconds(5)),
        new FrameParser(), new ConnectionTable(), new RuleStatistics());
    router = new ApiRouter(new ApiSources(new StillPolicy(snapshot), writer, partition, new OpenFlowStats()::snapshot));
  }

  @BeforeEach
  void takeOverTheLog() {
    bugs = LoggedBugs.attach();
  }

  @AfterEach
  void giveBackTheLog() {
    bugs.detach();
  }

  @FuzzTest(maxDuration = "5s")
  void everyBodyGetsAnAnswer(byte[] input) throws Exception {
    if (input.length == 0) {
      return;
    }
    String[] request = REQUESTS.get((input[0] & 0xff) % REQUESTS.size());
    byte[] body = Arrays.copyOfRange(input, 1, input.length);

    ApiRouter.Answer answer = router.handle(new ApiRequest(request[0], request[1], Map.of(), request[2], body))
        .join();

    int status = answer.response().status();
    assertThat(status).as("status of %s %s", request[0], request[1]).isBetween(200, 499);
    if (status >= 400) {
      assertThat(JSON.readTree(answer.response().body()).path("error").asText()).isNotBlank();
    }
    assertThat(bugs.first()).isEmpty();
  }

  /** The demo policy, in force and never changing; a plan changes nothing (no switch is connected). */
  private record StillPolicy(PolicySnapshot snapshot) implements LivePolicy {

    @Override
    public PolicySnapshot current() {
      return snapshot;
    }

    @Override
    public CompletableFuture<Void> enforced(long revision) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public UpdatePlan plan(Config next) {
      return new UpdatePlan(snapshot.revision(), Map.of());
    }
  }
}
