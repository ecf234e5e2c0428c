package io.tumbler.paxos.durable;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildJvmTest {

  /** About 2 KB of output: inside any pipe's buffer, so the child never blocks writing it. */
  private static final int LINES = 200;

  private static final Duration CHILD_START_LIMIT = Duration.ofSeconds(60);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(10);

  @TempDir Path dir;

  @Test
  void linesWrittenBeforeKillNineStayReadable() throws Exception {
    // ChronicleLogCrashIT lost the child's last lines this way: a 'compact' the child announced
    // and then acted on never reached the test, which then saw the log start above every bound
    // it knew of. Here the reader lags all the way: nothing is read before the kill.
    Path written = dir.resolve("written");
    Path stderr = dir.resolve("stderr");
    Process child =
        ChildJvm.start(stderr, LineWritingChild.class, written.toString(), String.valueOf(LINES));
    try {
      long deadline = System.nanoTime() + CHILD_START_LIMIT.toNanos();
      while (!Files.exists(written) && child.isAlive() && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(POLL_INTERVAL.toMillis());
      }
      assertThat(written)
          .as("child wrote its lines; stderr: %s", Files.readString(stderr))
          .exists();

      ChildJvm.killNine(child);
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child killed").isTrue();

      List<String> lines;
      try (BufferedReader reader =
          new BufferedReader(
              new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        lines = reader.lines().toList();
      }
      assertThat(lines).hasSize(LINES).startsWith("line 1").endsWith("line " + LINES);
    } finally {
      child.toHandle().destroyForcibly();
    }
  }
}
