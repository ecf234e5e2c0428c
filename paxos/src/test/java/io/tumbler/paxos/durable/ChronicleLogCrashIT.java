package io.tumbler.paxos.durable;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a real appending process with SIGKILL at random moments, many times over, and checks after
 * each kill that every record it reported durable is in the log, intact, and that nothing the log
 * returns is damaged.
 */
class ChronicleLogCrashIT {

  private static final int MAX_ROUNDS = 25;
  private static final Duration TIME_BUDGET = Duration.ofSeconds(90);

  @TempDir Path dir;

  @Test
  void everyRecordReportedDurableSurvivesKillNine() throws Exception {
    long seed = Long.getLong("crash.seed", System.nanoTime());
    Random random = new Random(seed);
    long deadline = System.nanoTime() + TIME_BUDGET.toNanos();
    long highestDurable = 0;
    long highestCompactionBound = 0;
    int rounds = 0;
    while (rounds < MAX_ROUNDS && System.nanoTime() < deadline) {
      rounds++;
      Round round = runAndKill(random.nextLong(), 50 + random.nextInt(1200));
      highestDurable = Math.max(highestDurable, round.durable());
      highestCompactionBound = Math.max(highestCompactionBound, round.compactionBound());

      List<LogRecord> replayed = new ArrayList<>();
      try (ChronicleLog log =
          ChronicleLog.open(dir, CrashingAppender.OPTIONS, List::of, replayed::add)) {
        String context = "seed " + seed + " round " + rounds;
        assertThat(replayed).as(context).isNotEmpty();
        long first = replayed.get(0).sequence();
        for (int i = 0; i < replayed.size(); i++) {
          LogRecord record = replayed.get(i);
          assertThat(record.sequence()).as(context).isEqualTo(first + i);
          assertThat(record.payload())
              .as("%s: payload of record %d", context, record.sequence())
              .isEqualTo(CrashingAppender.expectedPayload(record.sequence()));
        }
        long last = replayed.get(replayed.size() - 1).sequence();
        assertThat(last)
            .as("%s: durable records lost", context)
            .isGreaterThanOrEqualTo(highestDurable);
        // The child appends at most one batch after its last report. More in the log means its
        // last lines never reached us, and every check here would be judged on stale knowledge.
        assertThat(last)
            .as("%s: the log holds more than one batch past the child's last report", context)
            .isLessThanOrEqualTo(round.durable() + CrashingAppender.MAX_BATCH);
        assertThat(first)
            .as(
                "%s: compaction removed records above its bound; log: %s; child said: %s",
                context, describeLog(), round.lastLines())
            .isLessThanOrEqualTo(Math.max(1, highestCompactionBound));
      }
    }
    assertThat(rounds).isGreaterThanOrEqualTo(5);
    assertThat(highestDurable).isPositive();
  }

  private record Round(long durable, long compactionBound, List<String> lastLines) {}

  /** Every segment and seal in the log directory, for a failure message. */
  private String describeLog() throws IOException {
    StringBuilder out = new StringBuilder();
    try (var entries = Files.list(dir)) {
      for (Path entry : entries.sorted().toList()) {
        String name = entry.getFileName().toString();
        out.append(name);
        if (name.endsWith(".seal")) {
          SegmentSeal seal = SegmentSeal.read(entry);
          out.append("[count=")
              .append(seal.recordCount())
              .append(" maxKey=")
              .append(seal.maxKey())
              .append(']');
        }
        out.append(' ');
      }
    }
    return out.toString();
  }

  private Round runAndKill(long childSeed, long killAfterMillis) throws Exception {
    Path stderr = Files.createTempFile("crashing-appender", ".stderr");
    Process child =
        ChildJvm.start(stderr, CrashingAppender.class, dir.toString(), Long.toString(childSeed));

    AtomicLong durable = new AtomicLong();
    AtomicLong compactionBound = new AtomicLong();
    AtomicLong firstDurableAt = new AtomicLong();
    List<String> unexpected = new CopyOnWriteArrayList<>();
    AtomicReference<IOException> readFailure = new AtomicReference<>();
    java.util.Deque<String> lastLines = new java.util.concurrent.ConcurrentLinkedDeque<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader lines =
                  new BufferedReader(
                      new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                  lastLines.addLast(line);
                  if (lastLines.size() > 12) {
                    lastLines.pollFirst();
                  }
                  if (line.startsWith("durable ")) {
                    durable.set(Long.parseLong(line.substring("durable ".length())));
                    firstDurableAt.compareAndSet(0, System.nanoTime());
                  } else if (line.startsWith("compact ")) {
                    compactionBound.set(Long.parseLong(line.substring("compact ".length())));
                  } else if (!line.startsWith("opened ")) {
                    unexpected.add(line);
                  }
                }
              } catch (IOException e) {
                // A killed child's pipe ends in EOF, not in an error: this one lost lines.
                readFailure.set(e);
              }
            });
    reader.start();
    long startDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (firstDurableAt.get() == 0 && child.isAlive() && System.nanoTime() < startDeadline) {
      Thread.onSpinWait();
      TimeUnit.MILLISECONDS.sleep(5);
    }
    assertThat(child.isAlive()).as("child died on its own").isTrue();
    assertThat(firstDurableAt.get()).as("child never reported a durable record").isPositive();
    long killAt = firstDurableAt.get() + TimeUnit.MILLISECONDS.toNanos(killAfterMillis);
    while (System.nanoTime() < killAt) {
      TimeUnit.MILLISECONDS.sleep(1);
    }
    // A child that died on its own (an exception, say) was not killed: the round tests nothing.
    assertThat(child.isAlive())
        .as("child died before the kill; stderr: %s", Files.readString(stderr))
        .isTrue();
    ChildJvm.killNine(child);
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    reader.join(TimeUnit.SECONDS.toMillis(30));
    // Every line must have been read and understood, or what the child did is unknown.
    assertThat(reader.isAlive()).as("reader still running").isFalse();
    assertThat(readFailure.get()).as("reading the child's output failed").isNull();
    assertThat(unexpected)
        .as("child stdout lines not understood; stderr: %s", Files.readString(stderr))
        .isEmpty();
    Files.delete(stderr);
    return new Round(durable.get(), compactionBound.get(), List.copyOf(lastLines));
  }
}
