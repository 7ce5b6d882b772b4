package org.nicflow.controller.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code nicflow get vms|rulesets|load_balancers|hosts|connections|config [NAME]}: prints the
 * running controller's API document (docs/api.md), or one element of it. Connections come from
 * the API a page at a time: every page, following each page's {@code Link} to the next, is printed
 * as it arrives, into one JSON array, so the whole table is never held; {@code --limit N} stops
 * after N.
 */
@Command(name = "get",
    description = "Print a document of the running controller's API: vms, rulesets, load_balancers, hosts, "
        + "connections or config; with NAME, only that VM, rule set, load balancer or host.")
final class GetCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** What to read. */
  enum Resource {
    vms(true),
    rulesets(true),
    load_balancers(true),
    hosts(true),
    connections(false),
    config(false);

    private final boolean named;

    Resource(boolean named) {
      this.named = named;
    }
  }

  @Parameters(index = "0", paramLabel = "WHAT", description = "One of: ${COMPLETION-CANDIDATES}.")
  private Resource resource;

  @Parameters(index = "1", arity = "0..1", paramLabel = "NAME", description = "Only this element.")
  private String name;

  @Option(names = "--limit", paramLabel = "N",
      description = "connections: print at most N (default: all of them, fetched a page at a time).")
  private Integer limit;

  @Mixin
  private ApiClientOptions api;

  @Spec
  private CommandSpec spec;

  @Override
  public Integer call() {
    if (name != null && !resource.named) {
      throw new BadInputException(resource + " has no elements to name; leave NAME out");
    }
    if (limit != null && (resource != Resource.connections || limit < 1)) {
      throw new BadInputException(resource != Resource.connections ? "--limit goes only with connections"
          : "--limit must be at least 1, got " + limit);
    }
    ApiClient client = api.client();
    String path = "/api/v1/" + resource;
    PrintWriter w = spec.commandLine().getOut();
    if (resource == Resource.connections) {
      connections(client, w);
      return NicflowCli.EXIT_OK;
    }
    String out;
    if (name == null) {
      out = client.get(path).body();
    } else if (resource == Resource.hosts) {
      out = host(client.get(path).json());
    } else {
      out = client.get(path + "/" + ApiClient.name(name)).body();
    }
    w.print(out.endsWith("\n") ? out : out + "\n");
    w.flush();
    return NicflowCli.EXIT_OK;
  }

  /**
   * Every connection, or the first {@link #limit}, as one JSON array written page by page. Pages
   * are of the API's default size ({@code controller.api_limits.page_size}), which any API
   * accepts; a bounded listing stops reading at the page that holds its last entry.
   */
  private void connections(ApiClient client, PrintWriter w) {
    long left = limit == null ? Long.MAX_VALUE : limit;
    Optional<String> next = Optional.of("/api/v1/connections");
    try (JsonGenerator out = JSON.getFactory().createGenerator(w)) {
      out.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      out.useDefaultPrettyPrinter();
      out.writeStartArray();
      while (next.isPresent() && left > 0) {
        ApiClient.Reply page = client.page(next.get());
        for (JsonNode connection : page.json()) {
          if (left-- == 0) {
            break;
          }
          out.writeTree(connection);
        }
        out.flush();
        next = page.next();
      }
      out.writeEndArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    w.println();
    w.flush();
  }

  /** The API has no document per host: pick it from the list. */
  private String host(JsonNode hosts) {
    for (JsonNode h : hosts) {
      if (name.equals(h.path("name").asText())) {
        try {
          return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(h);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    throw new BadInputException("no host named '" + name + "'");
  }
}
