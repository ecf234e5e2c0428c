package io.tumbler.bench;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.tumbler.lockservice.NodePath;
import io.tumbler.paxos.planted.PlantedPaxosViolation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dependency rule of DESIGN.md, checked on the compiled main code of every module: {@code cell
 * → lockservice, paxos}; {@code client → lockservice}; {@code bench → all}; {@code paxos} and
 * {@code lockservice} depend on no other Tumbler module. It lives here because benchmarks is the
 * one module whose classpath holds every other.
 */
class ModuleBoundariesTest {

  private static JavaClasses tumbler;

  @BeforeAll
  static void importMainClasses() {
    tumbler =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.tumbler");
  }

  static ArchRule dependencyRule() {
    return layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("paxos")
        .definedBy("io.tumbler.paxos..")
        .layer("lockservice")
        .definedBy("io.tumbler.lockservice..")
        .layer("cell")
        .definedBy("io.tumbler.cell..")
        .layer("client")
        .definedBy("io.tumbler.client..")
        .layer("bench")
        .definedBy("io.tumbler.bench..")
        .whereLayer("bench")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("client")
        .mayOnlyBeAccessedByLayers("bench")
        .whereLayer("cell")
        .mayOnlyBeAccessedByLayers("bench")
        .whereLayer("lockservice")
        .mayOnlyBeAccessedByLayers("cell", "client", "bench")
        .whereLayer("paxos")
        .mayOnlyBeAccessedByLayers("cell", "bench");
  }

  @Test
  void modulesDependOnlyInTheDirectionsTheDesignAllows() {
    dependencyRule().check(tumbler);
  }

  @Test
  void ruleCatchesPaxosReachingIntoTheLockService() {
    JavaClasses planted =
        new ClassFileImporter().importClasses(PlantedPaxosViolation.class, NodePath.class);

    assertThatThrownBy(() -> dependencyRule().check(planted))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("PlantedPaxosViolation")
        .hasMessageContaining("NodePath");
  }
}
