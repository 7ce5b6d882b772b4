package org.nicflow.controller.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Data flows one way: the code that decides (the compiler and evaluator, the miss handler, the
 * re-decision of live flows on a policy change, the adoption of a switch's flows on reconnect, the
 * connection ledger, the policy snapshot and store) returns values and never touches the wire. Only
 * the switch owner ({@code HostPartition}), the reconciler and the {@code openflow} edge speak
 * OpenFlow; only that edge and the API's HTTP edge ({@code ApiServer}, {@code ApiExchange},
 * {@code RequestClock}) speak Netty.
 */
class DecisionCodeArchitectureTest {

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("org.nicflow");
  }

  @Test
  void decisionCodeUsesNeitherOpenflowjNorNetty() {
    ArchRule rule = noClasses()
        .that().resideInAnyPackage("org.nicflow.compiler..", "org.nicflow.controller.policy..")
        .or().haveFullyQualifiedName("org.nicflow.controller.partition.MissHandler")
        .or().haveFullyQualifiedName("org.nicflow.controller.partition.Miss")
        .or().haveFullyQualifiedName("org.nicflow.controller.partition.FlowRedecider")
        .or().haveFullyQualifiedName("org.nicflow.controller.partition.FlowAdopter")
        .or().haveFullyQualifiedName("org.nicflow.controller.partition.ConnectionFlows")
        .or().haveFullyQualifiedName("org.nicflow.controller.partition.RuleStatistics")
        .should().dependOnClassesThat().resideInAnyPackage("org.projectfloodlight..", "io.netty..")
        .because("decisions are values; only the switch owner and the openflow edge talk to switches");
    rule.check(classes);
  }

  @Test
  void onlyTheOpenflowEdgeAndTheApisHttpEdgeUseNetty() {
    ArchRule rule = noClasses()
        .that().resideInAPackage("org.nicflow..")
        .and().resideOutsideOfPackage("org.nicflow.controller.openflow..")
        .and().haveNameNotMatching("org\\.nicflow\\.controller\\.api\\.(ApiServer|ApiExchange|RequestClock)(\\$.*)?")
        .should().dependOnClassesThat().resideInAPackage("io.netty..")
        .because("the channels are thin: the OpenFlow one lives in one package, the API's HTTP one in three "
            + "classes that hand the router complete requests and write its answers");
    rule.check(classes);
  }
}
