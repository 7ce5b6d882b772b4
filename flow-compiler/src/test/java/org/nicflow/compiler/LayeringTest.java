package org.nicflow.compiler;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The flow compiler is pure: no network, no clock, no controller, no OpenFlow channel code. */
class LayeringTest {

  private final JavaClasses compiler = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("org.nicflow.compiler");

  @Test
  void flowCompilerNeverDependsOnTheController() {
    noClasses().should().dependOnClassesThat().resideInAPackage("org.nicflow.controller..")
        .check(compiler);
  }

  @Test
  void flowCompilerDoesNoNetworkIo() {
    noClasses().should().dependOnClassesThat().resideInAnyPackage(
            "java.net..", "java.nio.channels..", "io.netty..", "org.projectfloodlight..", "javax.net..")
        .check(compiler);
  }

  @Test
  void flowCompilerReadsNoClock() {
    noClasses().should().callMethod(System.class, "currentTimeMillis")
        .orShould().callMethod(System.class, "nanoTime")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.time.Clock")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.time.Instant")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.time.LocalDateTime")
        .check(compiler);
  }
}
