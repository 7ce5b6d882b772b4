package org.nicflow.controller.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Locale;
import org.nicflow.compiler.flow.Cookie;
import org.nicflow.compiler.model.Config;

/**
 * A flow cookie read against the config (docs/semantics.md, "Offload modes"): who owns the flow and, for nicflow's
 * flows, what made it — kind, rule-set generation, VM, layer and rule ({@code default} for a
 * layer default). Fields that do not apply are left out of the JSON.
 *
 * @param value the cookie in hex, as {@code ovs-ofctl dump-flows} prints it
 * @param owner {@code nicflow}, or {@code other} for a flow some other program installed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DecodedCookie(
    String value, String owner, String kind, Integer generation, String vm, String layer, String rule) {

  public static DecodedCookie of(Config config, long cookie) {
    String hex = "0x" + Long.toHexString(cookie);
    if (!Cookie.isOurs(cookie)) {
      return new DecodedCookie(hex, "other", null, null, null, null, null);
    }
    Cookie c;
    try {
      c = Cookie.decode(cookie);
    } catch (IllegalArgumentException e) {
      return new DecodedCookie(hex, "nicflow", "unknown", null, null, null, null);
    }
    String kind = c.kind().name().toLowerCase(Locale.ROOT);
    Config.CookieNames names = config.names(c);
    return new DecodedCookie(hex, "nicflow", kind, c.generation(), names.vm().orElse(null),
        names.layer().orElse(null), names.layer().isEmpty() ? null : names.rule().orElse(null));
  }
}
