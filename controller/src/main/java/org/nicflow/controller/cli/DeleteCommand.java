package org.nicflow.controller.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code nicflow delete vm|ruleset|load_balancer NAME}: removes one element; a new revision. */
@Command(name = "delete",
    description = "Remove a VM, rule set or load balancer from the running controller's policy (a new revision).")
final class DeleteCommand implements Callable<Integer> {

  /** What to delete, and where the API keeps it. */
  enum Kind {
    vm("vms"),
    ruleset("rulesets"),
    load_balancer("load_balancers");

    private final String path;

    Kind(String path) {
      this.path = path;
    }
  }

  @Parameters(index = "0", paramLabel = "KIND", description = "One of: ${COMPLETION-CANDIDATES}.")
  private Kind kind;

  @Parameters(index = "1", paramLabel = "NAME")
  private String name;

  @Mixin
  private ApiClientOptions api;

  @Mixin
  private IfMatchOption ifMatch;

  @Spec
  private CommandSpec spec;

  @Override
  public Integer call() {
    ApiClient.Reply reply = api.client().delete("/api/v1/" + kind.path + "/" + ApiClient.name(name),
        ifMatch.revision());
    spec.commandLine().getOut().println(ApplyCommand.revisionLine(reply.json()));
    spec.commandLine().getOut().flush();
    return NicflowCli.EXIT_OK;
  }
}
