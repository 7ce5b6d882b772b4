package org.nicflow.controller.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.nicflow.compiler.model.Config;
import org.nicflow.controller.api.ConfigDocument;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nicflow apply -c FILE [--dry-run] [--wait]}: validates FILE like {@code nicflow validate},
 * then makes it the running controller's next revision ({@code PUT /api/v1/config}), or with
 * {@code --dry-run} prints per host what that would change.
 */
@Command(name = "apply",
    description = "Make config FILE the running controller's next policy revision (checked like 'validate' first), "
        + "or with --dry-run show per host the flows it would add, change and remove and the connections it would end.")
final class ApplyCommand implements Callable<Integer> {

  @Mixin
  private ConfigOption config;

  @Mixin
  private ApiClientOptions api;

  @Option(names = "--dry-run", description = "Show what would change; commit nothing.")
  private boolean dryRun;

  @Option(names = "--wait", description = "Return only once every affected switch enforces the new revision.")
  private boolean await;

  @Mixin
  private IfMatchOption ifMatch;

  @Spec
  private CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (dryRun && await) {
      throw new BadInputException("--dry-run and --wait do not go together: a dry run commits nothing");
    }
    Config c = config.load();
    String document = new ObjectMapper().writeValueAsString(ConfigDocument.of(c));
    String query = dryRun ? "dry_run=true" : await ? "wait=enforced" : null;
    ApiClient.Reply reply = api.client().put("/api/v1/config", query, document,
        ifMatch.revision());
    PrintWriter out = spec.commandLine().getOut();
    out.print(dryRun ? plan(reply.json()) : revisionLine(reply.json()) + "\n");
    out.flush();
    return NicflowCli.EXIT_OK;
  }

  /** {@code revision N}, and whether it changed nothing or is enforced. */
  static String revisionLine(JsonNode answer) {
    String line = "revision " + answer.path("revision").asLong();
    if (!answer.path("changed").asBoolean(true)) {
      line += " (unchanged)";
    }
    if (answer.path("enforced").asBoolean(false)) {
      line += " (enforced)";
    }
    return line;
  }

  /** Per host: a summary line, then the flows with + ~ - and the connections that would end with x. */
  static String plan(JsonNode plan) {
    StringBuilder sb = new StringBuilder();
    Map<String, JsonNode> hosts = new TreeMap<>();
    plan.path("hosts").properties().forEach(e -> hosts.put(e.getKey(), e.getValue()));
    for (Map.Entry<String, JsonNode> e : hosts.entrySet()) {
      JsonNode h = e.getValue();
      List<String> added = texts(h.path("added"));
      List<String> changed = texts(h.path("changed"));
      List<String> removed = texts(h.path("removed"));
      List<String> ended = texts(h.path("connections_ended"));
      sb.append(e.getKey()).append(": +").append(added.size()).append(" ~").append(changed.size()).append(" -")
          .append(removed.size()).append(" flows, ").append(ended.size())
          .append(ended.size() == 1 ? " connection" : " connections").append(" would end");
      if (!h.path("connected").asBoolean(true)) {
        sb.append(" (not connected)");
      }
      sb.append('\n');
      added.forEach(f -> sb.append("+ ").append(f).append('\n'));
      changed.forEach(f -> sb.append("~ ").append(f).append('\n'));
      removed.forEach(f -> sb.append("- ").append(f).append('\n'));
      ended.forEach(c -> sb.append("x ").append(c).append('\n'));
    }
    return sb.toString();
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
