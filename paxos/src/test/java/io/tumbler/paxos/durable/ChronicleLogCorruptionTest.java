package io.tumbler.paxos.durable;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damages the log's files at random places (byte flips in data files, truncations, damaged seals)
 * and checks the one rule that matters: the log either refuses to open, or returns records that are
 * exactly what was written, in order, with nothing in between missing.
 */
class ChronicleLogCorruptionTest {

  private static final LogOptions OPTIONS = new LogOptions(40, 4096, 64 * 1024);
  private static final int RECORDS = 150;

  @TempDir Path root;

  @Test
  void damagedFilesAreRefusedOrCutNeverMisread() throws IOException {
    // Replay a failure with -Dcorruption.seed=<seed from the message>.
    long seed = Long.getLong("corruption.seed", new Random().nextLong());
    Random random = new Random(seed);
    int refused = 0;
    int opened = 0;
    for (int round = 0; round < 100; round++) {
      Path dir = root.resolve("round-" + round);
      writeLog(dir);
      String damage = damage(dir, random);
      String as = "seed " + seed + " round " + round + " (" + damage + ")";
      List<LogRecord> replayed = new ArrayList<>();
      try (ChronicleLog log = ChronicleLog.open(dir, OPTIONS, List::of, replayed::add)) {
        opened++;
        for (int i = 0; i < replayed.size(); i++) {
          LogRecord record = replayed.get(i);
          assertThat(record.sequence()).as(as).isEqualTo(i + 1);
          assertThat(record.payload())
              .as("%s: record %d", as, record.sequence())
              .isEqualTo(CrashingAppender.expectedPayload(record.sequence()));
        }
        // The log goes on from where the good records end.
        assertThat(log.nextSequence()).as(as).isEqualTo(replayed.size() + 1);
      } catch (IOException e) {
        refused++;
      } catch (RuntimeException e) {
        throw new AssertionError(as + ": damage must be refused with an IOException", e);
      }
    }
    // Both outcomes must actually occur, or the test is not exercising what it claims.
    assertThat(refused).as("seed %d: refused", seed).isPositive();
    assertThat(opened).as("seed %d: opened", seed).isPositive();
  }

  private static void writeLog(Path dir) throws IOException {
    try (ChronicleLog log = ChronicleLog.open(dir, OPTIONS, List::of, r -> {})) {
      for (long sequence = 1; sequence <= RECORDS; sequence++) {
        log.append(sequence, CrashingAppender.expectedPayload(sequence));
        if (sequence % 7 == 0) {
          log.sync();
        }
      }
      log.sync();
    }
  }

  private static String damage(Path dir, Random random) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files =
          walk.filter(Files::isRegularFile)
              .filter(p -> p.toString().endsWith(".cq4") || p.toString().endsWith(".seal"))
              .sorted(Comparator.naturalOrder())
              .toList();
    }
    Path file = files.get(random.nextInt(files.size()));
    long size = Files.size(file);
    // Damage where the data is: the first used part of a sparse .cq4 file.
    long used = file.toString().endsWith(".cq4") ? Math.min(size, 200_000) : size;
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      if (random.nextBoolean()) {
        long at = (long) (random.nextDouble() * used);
        raf.seek(at);
        int old = raf.read();
        raf.seek(at);
        raf.write(old ^ (1 + random.nextInt(255)));
        return "flip at " + at + " of " + dir.relativize(file);
      }
      long length = (long) (random.nextDouble() * used);
      raf.setLength(length);
      return "truncate to " + length + " of " + dir.relativize(file);
    }
  }
}
