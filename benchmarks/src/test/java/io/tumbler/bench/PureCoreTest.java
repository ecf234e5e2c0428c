package io.tumbler.bench;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import io.tumbler.paxos.PlantedImpureCore;
import org.junit.jupiter.api.Test;

/**
 * The Paxos core and the lock-service state machine are pure: no files, sockets, threads, clocks or
 * randomness they were not handed. That is what lets the deterministic simulator drive the same
 * code as the server. Durable storage ({@code io.tumbler.paxos.durable}) and the server ({@code
 * cell}) are where I/O lives. The wire protocol may use Netty's buffers, never its channels.
 */
class PureCoreTest {

  private static final String[] PURE_PACKAGES = {
    "io.tumbler.paxos",
    "io.tumbler.paxos.message",
    "io.tumbler.paxos.storage",
    "io.tumbler.lockservice.."
  };

  static ArchRule pureCoreRule() {
    return CompositeArchRule.of(
            noClasses()
                .that()
                .resideInAnyPackage(PURE_PACKAGES)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                    "io.tumbler.paxos.durable..",
                    "java.nio.file..",
                    "java.nio.channels..",
                    "java.net..",
                    "java.util.concurrent.locks..",
                    "java.time..",
                    "io.netty.channel..",
                    "net.openhft..")
                .because("the core and the state machine do no I/O and read no clock"))
        .and(
            noClasses()
                .that()
                .resideInAnyPackage(PURE_PACKAGES)
                .should()
                .dependOnClassesThat()
                .belongToAnyOf(
                    Thread.class,
                    java.util.Random.class,
                    java.util.concurrent.ThreadLocalRandom.class,
                    java.io.File.class,
                    java.io.FileInputStream.class,
                    java.io.FileOutputStream.class,
                    java.io.RandomAccessFile.class)
                .because("threads and randomness are the driver's; randomness is handed in"))
        .and(
            noClasses()
                .that()
                .resideInAnyPackage(PURE_PACKAGES)
                .should()
                .callMethod(System.class, "currentTimeMillis")
                .orShould()
                .callMethod(System.class, "nanoTime")
                .because("time arrives as a value, stamped by the master or passed to onTick"));
  }

  @Test
  void paxosCoreAndStateMachineArePure() {
    JavaClasses classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.tumbler.paxos", "io.tumbler.lockservice");
    pureCoreRule().check(classes);
  }

  @Test
  void ruleCatchesACoreThatReadsTheClock() {
    JavaClasses planted = new ClassFileImporter().importClasses(PlantedImpureCore.class);

    assertThatThrownBy(() -> pureCoreRule().check(planted))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("nanoTime")
        .hasMessageContaining("java.util.Random");
  }
}
