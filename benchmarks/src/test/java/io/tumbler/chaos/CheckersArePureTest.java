package io.tumbler.chaos;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import io.tumbler.chaos.history.FinalStateFile;
import io.tumbler.chaos.history.HistoryReader;
import io.tumbler.chaos.history.HistoryRecorder;
import org.junit.jupiter.api.Test;

/**
 * The checkers are pure functions of a history: no threads, no clock, no randomness, no files. A
 * verdict then depends on nothing but the history (re-checking gives the same answer), and time
 * enters only as the history's data. Reading and writing files is the history package's job.
 */
class CheckersArePureTest {

  private static final String[] CHECKER_PACKAGES = {
    "io.tumbler.chaos.linearizability..",
    "io.tumbler.chaos.locksafety..",
    "io.tumbler.chaos.durability.."
  };

  static ArchRule purityRule() {
    return CompositeArchRule.of(
            noClasses()
                .that()
                .resideInAnyPackage(CHECKER_PACKAGES)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                    "java.nio.file..",
                    "java.nio.channels..",
                    "java.net..",
                    "java.util.concurrent..",
                    "java.time..")
                .because("a checker is a function of the history: no I/O, threads or clock"))
        .and(
            noClasses()
                .that()
                .resideInAnyPackage(CHECKER_PACKAGES)
                .should()
                .dependOnClassesThat()
                .belongToAnyOf(
                    Thread.class,
                    java.util.Random.class,
                    java.util.SplittableRandom.class,
                    java.io.File.class,
                    java.io.FileInputStream.class,
                    java.io.FileOutputStream.class,
                    HistoryRecorder.class,
                    HistoryReader.class,
                    FinalStateFile.class)
                .because("the history arrives read; the verdict must not depend on chance"))
        .and(
            noClasses()
                .that()
                .resideInAnyPackage(CHECKER_PACKAGES)
                .should()
                .callMethod(System.class, "currentTimeMillis")
                .orShould()
                .callMethod(System.class, "nanoTime")
                .because("time comes in the history, as data"));
  }

  @Test
  void checkersArePure() {
    JavaClasses classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.tumbler.chaos");
    purityRule().check(classes);
  }

  @Test
  void ruleCatchesACheckerThatReadsTheClock() throws ClassNotFoundException {
    JavaClasses planted =
        new ClassFileImporter()
            .importClasses(Class.forName("io.tumbler.chaos.linearizability.PlantedImpureChecker"));

    assertThatThrownBy(() -> purityRule().check(planted))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("nanoTime")
        .hasMessageContaining("java.util.Random");
  }
}
