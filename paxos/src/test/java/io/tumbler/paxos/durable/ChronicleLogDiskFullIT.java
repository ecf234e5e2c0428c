package io.tumbler.paxos.durable;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fills a small tmpfs with a real appending process: the log must report the failure and refuse
 * every later write — or, when the full disk surfaces as a fault of a memory-mapped write (SIGBUS,
 * which the JVM raises wherever it next checks), the process stops there — and in both cases it
 * must never have reported durable what is not, and every record it did report must be intact.
 * Needs root to mount the tmpfs (CI runs as root); elsewhere it is skipped with the reason.
 */
class ChronicleLogDiskFullIT {

  @TempDir Path dir;

  @Test
  void fullDiskStopsTheLogAndLosesNothingReportedDurable() throws Exception {
    Path mount = Files.createDirectory(dir.resolve("small-disk"));
    Assumptions.assumeTrue(
        run("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", mount.toString()) == 0,
        "cannot mount a tmpfs here (needs root)");
    Path copy = dir.resolve("copy");
    List<String> output;
    try {
      output = runChild(mount.resolve("log"));
      copyRecursively(mount.resolve("log"), copy);
    } finally {
      run("umount", mount.toString());
    }

    if (output.stream().anyMatch(line -> line.startsWith("crashed "))) {
      // Fail-stop: the full disk surfaced as a fault of a mapped write; recovery must still hold.
      assertThat(output).as("child output").noneMatch(line -> line.startsWith("failed "));
    } else {
      assertThat(output).as("child output").anyMatch(line -> line.startsWith("failed "));
      assertThat(output).as("child output").contains("refused");
    }
    long durable =
        output.stream()
            .filter(line -> line.startsWith("durable "))
            .mapToLong(line -> Long.parseLong(line.substring("durable ".length())))
            .max()
            .orElseThrow();
    assertThat(durable).isGreaterThan(100);

    List<LogRecord> replayed = new ArrayList<>();
    ChronicleLog.open(copy, CrashingAppender.OPTIONS, List::of, replayed::add).close();
    assertThat(replayed.size()).isGreaterThanOrEqualTo((int) durable);
    for (LogRecord record : replayed) {
      assertThat(record.payload()).isEqualTo(CrashingAppender.expectedPayload(record.sequence()));
    }
  }

  private static List<String> runChild(Path logDir) throws Exception {
    Path stderr = Files.createTempFile("disk-filling-appender", ".stderr");
    Process child = ChildJvm.start(stderr, DiskFillingAppender.class, logDir.toString());
    byte[] out = child.getInputStream().readAllBytes();
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("child finished").isTrue();
    String text = new String(out, StandardCharsets.UTF_8);
    assertThat(child.exitValue())
        .as("child exit; output:%n%s%nstderr:%n%s", text, Files.readString(stderr))
        .isIn(0, DiskFillingAppender.CRASHED_EXIT_CODE);
    Files.delete(stderr);
    return text.lines().toList();
  }

  private static int run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getInputStream().readAllBytes();
    return process.waitFor();
  }

  private static void copyRecursively(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path source : walk.sorted(Comparator.naturalOrder()).toList()) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target);
        }
      }
    }
  }
}
