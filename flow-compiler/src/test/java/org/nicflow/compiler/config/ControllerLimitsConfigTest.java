package org.nicflow.compiler.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nicflow.compiler.model.ApiLimits;
import org.nicflow.compiler.model.Config;
import org.nicflow.compiler.model.OpenflowOutbound;

/** {@code controller.api_limits} and {@code controller.openflow_outbound_*_bytes}. */
class ControllerLimitsConfigTest {

  private static final String REST = "hosts: []\nvnets: []\nvms: []\nrulesets: []\n";

  private final ConfigLoader loader = new ConfigLoader();

  private Config parse(String controller) throws ConfigException {
    return loader.parse("controller: " + controller + "\n" + REST, "test.yaml");
  }

  private List<String> errorsOf(String controller) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse(controller));
    assertThat(e).as("rejected: " + controller).isNotNull();
    return e.errors().stream().map(err -> err.path() + ": " + err.message()).toList();
  }

  @Test
  void leftOutTheLimitsAreTheDocumentedDefaults() throws ConfigException {
    Config c = parse("{}");

    assertThat(c.controller().apiLimits()).isEqualTo(new ApiLimits(4, 64, Duration.ofSeconds(10),
        Duration.ofSeconds(60), 256, 8, 64, 1000, 10_000));
    assertThat(c.controller().openflowOutbound()).isEqualTo(new OpenflowOutbound(1 << 20, 32 << 20));
  }

  @Test
  void everyApiLimitIsAKeyAndAKeyLeftOutKeepsItsDefault() throws ConfigException {
    Config c = parse("{api_limits: {workers: 8, queue: 0, request_timeout_s: 3, idle_timeout_s: 5, "
        + "max_connections: 20, flow_stats_in_flight: 2, enforce_waits: 3, page_size: 50, max_page_size: 60}}");
    Config some = parse("{api_limits: {workers: 2}}");

    assertThat(c.controller().apiLimits()).isEqualTo(new ApiLimits(8, 0, Duration.ofSeconds(3),
        Duration.ofSeconds(5), 20, 2, 3, 50, 60));
    assertThat(some.controller().apiLimits()).isEqualTo(ApiLimits.DEFAULTS.withWorkers(2, 64));
  }

  @Test
  void aMaximumPageBelowTheDefaultPageLowersTheDefault() throws ConfigException {
    assertThat(parse("{api_limits: {max_page_size: 100}}").controller().apiLimits())
        .isEqualTo(ApiLimits.DEFAULTS.withPageSizes(100, 100));
  }

  @Test
  void badApiLimitsAreRefusedWithTheirPath() {
    assertThat(errorsOf("{api_limits: {workers: 0, queue: -1, request_timeout_s: many, idle_timeout_s: 86401, "
        + "max_conections: 3}}")).containsExactlyInAnyOrder(
        "controller.api_limits.max_conections: unknown key 'max_conections' (did you mean 'max_connections'?)",
        "controller.api_limits.workers: 0 is outside 1-1024",
        "controller.api_limits.queue: -1 is outside 0-1000000",
        "controller.api_limits.request_timeout_s: wrong type: expected a whole number, got string 'many'",
        "controller.api_limits.idle_timeout_s: 86401 is outside 1-86400");
    assertThat(errorsOf("{api_limits: {page_size: 500, max_page_size: 100}}")).containsExactly(
        "controller.api_limits.page_size: page_size 500 is larger than max_page_size 100");
    assertThat(errorsOf("{api_limits: 4}")).singleElement().asString()
        .startsWith("controller.api_limits: wrong type: expected a mapping");
  }

  @Test
  void theOutboundLimitsAreKeysAndThePauseDefaultsToA32ndOfTheClose() throws ConfigException {
    assertThat(parse("{openflow_outbound_pause_bytes: 4096, openflow_outbound_close_bytes: 1048576}")
        .controller().openflowOutbound()).isEqualTo(new OpenflowOutbound(4096, 1 << 20));
    assertThat(parse("{openflow_outbound_close_bytes: 1048576}").controller().openflowOutbound())
        .isEqualTo(new OpenflowOutbound(32 << 10, 1 << 20));
    assertThat(parse("{openflow_outbound_pause_bytes: 65536}").controller().openflowOutbound())
        .isEqualTo(new OpenflowOutbound(64 << 10, 32 << 20));
  }

  @Test
  void badOutboundLimitsAreRefusedWithTheirPath() {
    assertThat(errorsOf("{openflow_outbound_close_bytes: 1000}")).containsExactly(
        "controller.openflow_outbound_close_bytes: 1000 is outside 65536-2147483647");
    assertThat(errorsOf("{openflow_outbound_pause_bytes: 100}")).containsExactly(
        "controller.openflow_outbound_pause_bytes: 100 is outside 1024-2147483647");
    assertThat(errorsOf("{openflow_outbound_pause_bytes: 65536, openflow_outbound_close_bytes: 65536}"))
        .containsExactly("controller.openflow_outbound_pause_bytes: 65536 is not below "
            + "openflow_outbound_close_bytes (65536)");
    assertThat(errorsOf("{openflow_outbound_pause_bytes: 40000000}")).containsExactly(
        "controller.openflow_outbound_pause_bytes: 40000000 is not below openflow_outbound_close_bytes "
            + "(33554432, its default)");
  }

  @Test
  void limitsOtherThanTheDefaultsRoundTripThroughYamlAndDefaultsAreNotWritten() throws ConfigException {
    Config c = parse("{api_limits: {workers: 8, enforce_waits: 2, page_size: 10, max_page_size: 20}, "
        + "openflow_outbound_pause_bytes: 4096, openflow_outbound_close_bytes: 1048576}");

    assertThat(loader.parse(ConfigWriter.toYaml(c), "written.yaml")).isEqualTo(c);
    assertThat(ConfigWriter.toYaml(parse("{}"))).doesNotContain("api_limits", "outbound");
  }
}
