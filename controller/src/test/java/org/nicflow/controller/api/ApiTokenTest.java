package org.nicflow.controller.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Off loopback every request carries the bearer token; on loopback none is needed. */
class ApiTokenTest {

  private static final String TOKEN = "s3cret-token-0123456789";

  @Test
  void offLoopbackARequestWithoutTheTokenIs401WithAChallenge() throws Exception {
    try (DemoApi api = DemoApi.start("0.0.0.0", Optional.of(TOKEN))) {
      HttpResponse<String> r = api.get("/api/v1/vms");

      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"nicflow\"");
      assertThat(r.body()).contains("Authorization: Bearer <token>");
    }
  }

  @Test
  void offLoopbackAWrongTokenIs401AndChangesNothing() throws Exception {
    try (DemoApi api = DemoApi.start("0.0.0.0", Optional.of(TOKEN))) {
      HttpResponse<String> r = api.put("/api/v1/vms/red2", "{}", "Authorization", "Bearer " + TOKEN + "x");

      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(api.get("/metrics").statusCode()).isEqualTo(401);
      assertThat(api.delete("/api/v1/vms/red2", "Authorization", "Basic " + TOKEN).statusCode()).isEqualTo(401);
      assertThat(api.policy().latestRevision()).isEqualTo(1);
    }
  }

  @Test
  void offLoopbackTheRightTokenIsLetThrough() throws Exception {
    try (DemoApi api = DemoApi.start("0.0.0.0", Optional.of(TOKEN))) {
      assertThat(api.send(api.request("/api/v1/vms").header("Authorization", "Bearer " + TOKEN).build())
          .statusCode()).isEqualTo(200);
      assertThat(api.delete("/api/v1/vms/red2", "Authorization", "bearer " + TOKEN).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void offLoopbackTheApiDoesNotStartWithoutAToken() {
    assertThatThrownBy(() -> DemoApi.start("0.0.0.0", Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0.0.0.0, which is not loopback");
  }

  @Test
  void onLoopbackNoTokenIsNeeded() throws Exception {
    try (DemoApi api = DemoApi.start("127.0.0.1", Optional.of(TOKEN))) {
      assertThat(api.get("/api/v1/vms").statusCode()).isEqualTo(200);
    }
  }
}
