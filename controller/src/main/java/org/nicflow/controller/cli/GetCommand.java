package org.nicflow.controller.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code nicflow get vms|rulesets|load_balancers|hosts|connections|config [NAME]}: prints the
 * running controller's API document (docs/api.md), or one element of it.
 */
@Command(name = "get",
    description = "Print a document of the running controller's API: vms, rulesets, load_balancers, hosts, "
        + "connections or config; with NAME, only that VM, rule set, load balancer or host.")
final class GetCommand implements Callable<Integer> {

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

  @Mixin
  private ApiClientOptions api;

  @Spec
  private CommandSpec spec;

  @Override
  public Integer call() {
    if (name != null && !resource.named) {
      throw new BadInputException(resource + " has no elements to name; leave NAME out");
    }
    ApiClient client = api.client();
    String path = "/api/v1/" + resource;
    String out;
    if (name == null) {
      out = client.get(path).body();
    } else if (resource == Resource.hosts) {
      out = host(client.get(path).json());
    } else {
      out = client.get(path + "/" + ApiClient.name(name)).body();
    }
    PrintWriter w = spec.commandLine().getOut();
    w.print(out.endsWith("\n") ? out : out + "\n");
    w.flush();
    return NicflowCli.EXIT_OK;
  }

  /** The API has no document per host: pick it from the list. */
  private String host(JsonNode hosts) {
    for (JsonNode h : hosts) {
      if (name.equals(h.path("name").asText())) {
        try {
          return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(h);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    throw new BadInputException("no host named '" + name + "'");
  }
}
