package io.tumbler.paxos.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChronicleLogTest {

  private static final LogOptions SMALL_SEGMENTS = new LogOptions(10, 1024, 64 * 1024);
  private static final Supplier<List<byte[]>> NO_PREAMBLE = List::of;

  @TempDir Path dir;

  private static byte[] payload(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(LogRecord record) {
    return new String(record.payload(), StandardCharsets.UTF_8);
  }

  private List<LogRecord> reopen(LogOptions options, Supplier<List<byte[]>> preamble)
      throws IOException {
    List<LogRecord> replayed = new ArrayList<>();
    ChronicleLog.open(dir, options, preamble, replayed::add).close();
    return replayed;
  }

  @Test
  void syncedRecordsReplayInOrderAfterReopen() throws IOException {
    try (ChronicleLog log = ChronicleLog.open(dir, LogOptions.DEFAULTS, NO_PREAMBLE, r -> {})) {
      for (int i = 0; i < 1000; i++) {
        assertThat(log.append(i, payload("record " + i))).isEqualTo(i + 1);
      }
      assertThat(log.sync()).isEqualTo(1000);
    }

    List<LogRecord> replayed = new ArrayList<>();
    try (ChronicleLog log =
        ChronicleLog.open(dir, LogOptions.DEFAULTS, NO_PREAMBLE, replayed::add)) {
      assertThat(replayed).hasSize(1000);
      for (int i = 0; i < 1000; i++) {
        assertThat(replayed.get(i).sequence()).isEqualTo(i + 1);
        assertThat(replayed.get(i).key()).isEqualTo(i);
        assertThat(text(replayed.get(i))).isEqualTo("record " + i);
      }
      assertThat(log.recovery().tornTail()).isEmpty();
      assertThat(log.append(5, payload("after restart"))).isEqualTo(1001);
      assertThat(log.sync()).isEqualTo(1001);
    }
    assertThat(reopen(LogOptions.DEFAULTS, NO_PREAMBLE)).hasSize(1001);
  }

  @Test
  void restartWithNothingAppendedHidesNothingAppendedLater() throws IOException {
    // Found by ChronicleLogCrashIT: a process killed before its first append left an empty
    // segment whose name the next segment reused, hiding everything written after.
    try (ChronicleLog log = ChronicleLog.open(dir, LogOptions.DEFAULTS, NO_PREAMBLE, r -> {})) {
      log.append(1, payload("before"));
      log.sync();
    }
    reopen(LogOptions.DEFAULTS, NO_PREAMBLE);
    try (ChronicleLog log = ChronicleLog.open(dir, LogOptions.DEFAULTS, NO_PREAMBLE, r -> {})) {
      assertThat(log.append(2, payload("after"))).isEqualTo(2);
      log.sync();
    }

    assertThat(reopen(LogOptions.DEFAULTS, NO_PREAMBLE))
        .extracting(ChronicleLogTest::text)
        .containsExactly("before", "after");
  }

  @Test
  void syncIsOneGroupCommitForEverythingAppended() throws IOException {
    try (ChronicleLog log = ChronicleLog.open(dir, LogOptions.DEFAULTS, NO_PREAMBLE, r -> {})) {
      log.append(1, payload("a"));
      log.append(2, payload("b"));
      assertThat(log.durableThrough()).isZero();
      assertThat(log.sync()).isEqualTo(2);
      assertThat(log.durableThrough()).isEqualTo(2);
      assertThat(log.sync()).isEqualTo(2);
    }
  }

  @Test
  void everyNewSegmentStartsWithThePreamble() throws IOException {
    int[] promise = {1};
    Supplier<List<byte[]>> preamble = () -> List.of(payload("promise " + promise[0]));
    try (ChronicleLog log = ChronicleLog.open(dir, SMALL_SEGMENTS, preamble, r -> {})) {
      for (int slot = 1; slot <= 25; slot++) {
        if (slot == 12) {
          promise[0] = 2;
          log.append(LogRecord.NO_KEY, payload("promise 2"));
        }
        log.append(slot, payload("accept " + slot));
      }
      log.sync();
    }

    List<LogRecord> replayed = reopen(SMALL_SEGMENTS, preamble);

    assertThat(replayed).extracting(LogRecord::sequence).isSorted().doesNotHaveDuplicates();
    assertThat(replayed.get(0).sequence()).isEqualTo(1);
    assertThat(replayed.get(replayed.size() - 1).sequence()).isEqualTo(replayed.size());
    assertThat(replayed.stream().filter(r -> r.key() >= 0).map(ChronicleLogTest::text))
        .containsExactly(
            java.util.stream.IntStream.rangeClosed(1, 25)
                .mapToObj(i -> "accept " + i)
                .toArray(String[]::new));
    // Segments of 10 records, each starting with the promise current when it was started.
    assertThat(text(replayed.get(0))).isEqualTo("promise 1");
    assertThat(text(replayed.get(10))).isEqualTo("promise 1");
    assertThat(text(replayed.get(20))).isEqualTo("promise 2");
  }

  @Test
  void compactionDeletesWholeSealedSegmentsBelowTheKeyAndKeepsThePromise() throws IOException {
    Supplier<List<byte[]>> preamble = () -> List.of(payload("promise"));
    try (ChronicleLog log = ChronicleLog.open(dir, SMALL_SEGMENTS, preamble, r -> {})) {
      for (int slot = 1; slot <= 40; slot++) {
        log.append(slot, payload("accept " + slot));
      }
      log.sync();
      // Segments hold slots 1-9, 10-18, 19-27, 28-36 (each also holds the preamble), 37-40 active.
      assertThat(log.deleteSegmentsBelow(19)).isEqualTo(2);
      assertThat(log.deleteSegmentsBelow(19)).isZero();
      assertThat(log.firstSequence()).isEqualTo(21);
    }

    List<LogRecord> replayed = reopen(SMALL_SEGMENTS, preamble);

    assertThat(replayed.get(0).sequence()).isEqualTo(21);
    assertThat(text(replayed.get(0))).isEqualTo("promise");
    assertThat(text(replayed.get(1))).isEqualTo("accept 19");
    assertThat(text(replayed.get(replayed.size() - 1))).isEqualTo("accept 40");
  }

  @Test
  void activeSegmentIsNeverCompacted() throws IOException {
    try (ChronicleLog log = ChronicleLog.open(dir, SMALL_SEGMENTS, NO_PREAMBLE, r -> {})) {
      log.append(1, payload("only"));
      log.sync();
      assertThat(log.deleteSegmentsBelow(Long.MAX_VALUE)).isZero();
    }
    assertThat(reopen(SMALL_SEGMENTS, NO_PREAMBLE))
        .extracting(ChronicleLogTest::text)
        .contains("only");
  }

  @Test
  void tornTailIsCutAndNeverReturned() throws IOException {
    try (ChronicleLog log = ChronicleLog.open(dir, LogOptions.DEFAULTS, NO_PREAMBLE, r -> {})) {
      for (int i = 1; i <= 5; i++) {
        log.append(i, payload("record-" + i + "-MARK"));
      }
      log.sync();
    }
    // A crash during the write of record 5 leaves its bytes half there.
    damageRecord("record-5-MARK");

    List<LogRecord> replayed = new ArrayList<>();
    try (ChronicleLog log =
        ChronicleLog.open(dir, LogOptions.DEFAULTS, NO_PREAMBLE, replayed::add)) {
      assertThat(replayed)
          .extracting(ChronicleLogTest::text)
          .containsExactly("record-1-MARK", "record-2-MARK", "record-3-MARK", "record-4-MARK");
      assertThat(log.recovery().tornTail()).get().asString().contains("checksum mismatch");
      assertThat(log.append(5, payload("rewritten 5"))).isEqualTo(5);
      log.sync();
    }

    // The cut is durable: the damaged bytes stay on disk but are never read again.
    assertThat(reopen(LogOptions.DEFAULTS, NO_PREAMBLE))
        .extracting(ChronicleLogTest::text)
        .containsExactly(
            "record-1-MARK", "record-2-MARK", "record-3-MARK", "record-4-MARK", "rewritten 5");
  }

  @Test
  void damageInsideASealedSegmentRefusesToOpen() throws IOException {
    try (ChronicleLog log = ChronicleLog.open(dir, SMALL_SEGMENTS, NO_PREAMBLE, r -> {})) {
      for (int i = 1; i <= 25; i++) {
        log.append(i, payload("record-" + i + "-MARK"));
      }
      log.sync();
    }
    damageRecord("record-3-MARK");

    assertThatThrownBy(() -> reopen(SMALL_SEGMENTS, NO_PREAMBLE))
        .isInstanceOf(CorruptLogException.class)
        .hasMessageContaining("sealed segment 1 holds 2 good records of 10");
  }

  @Test
  void damagedSealRefusesToOpen() throws IOException {
    try (ChronicleLog log = ChronicleLog.open(dir, SMALL_SEGMENTS, NO_PREAMBLE, r -> {})) {
      for (int i = 1; i <= 15; i++) {
        log.append(i, payload("r" + i));
      }
      log.sync();
    }
    Path seal = dir.resolve("segment-00000000000000000001.seal");
    byte[] bytes = Files.readAllBytes(seal);
    bytes[12] ^= (byte) 0x80; // the record count's high byte: negative if it were believed
    Files.write(seal, bytes);

    assertThatThrownBy(() -> reopen(SMALL_SEGMENTS, NO_PREAMBLE))
        .isInstanceOf(CorruptLogException.class)
        .hasMessageContaining("seal fails its checksum");
  }

  @Test
  void missingSegmentInTheMiddleRefusesToOpen() throws IOException {
    try (ChronicleLog log = ChronicleLog.open(dir, SMALL_SEGMENTS, NO_PREAMBLE, r -> {})) {
      for (int i = 1; i <= 35; i++) {
        log.append(i, payload("r" + i));
      }
      log.sync();
    }
    deleteRecursively(dir.resolve("segment-00000000000000000011"));
    Files.delete(dir.resolve("segment-00000000000000000011.seal"));

    assertThatThrownBy(() -> reopen(SMALL_SEGMENTS, NO_PREAMBLE))
        .isInstanceOf(CorruptLogException.class)
        .hasMessageContaining("gap in the log: expected a segment at 11, found 21");
  }

  @Test
  void compactionInterruptedByACrashIsFinishedOnOpen() throws IOException {
    try (ChronicleLog log = ChronicleLog.open(dir, SMALL_SEGMENTS, NO_PREAMBLE, r -> {})) {
      for (int i = 1; i <= 25; i++) {
        log.append(i, payload("r" + i));
      }
      log.sync();
    }
    // The crash came right after the segment was renamed away, before its seal was deleted.
    Path segment = dir.resolve("segment-00000000000000000001");
    Files.move(
        segment,
        dir.resolve("segment-00000000000000000001.deleting"),
        StandardCopyOption.ATOMIC_MOVE);

    List<LogRecord> replayed = reopen(SMALL_SEGMENTS, NO_PREAMBLE);

    assertThat(replayed.get(0).sequence()).isEqualTo(11);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .noneMatch(name -> name.endsWith(".deleting"))
          .doesNotContain("segment-00000000000000000001.seal");
    }
  }

  @Test
  void oversizedRecordIsRefusedAndTheLogStaysUsable() throws IOException {
    try (ChronicleLog log = ChronicleLog.open(dir, SMALL_SEGMENTS, NO_PREAMBLE, r -> {})) {
      assertThatThrownBy(() -> log.append(1, new byte[1025]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("1025 bytes, more than the limit of 1024");
      assertThat(log.append(1, new byte[1024])).isEqualTo(1);
      assertThat(log.sync()).isEqualTo(1);
    }
  }

  /** Flips a byte inside the record whose payload ends with {@code marker}, wherever it is. */
  private void damageRecord(String marker) throws IOException {
    byte[] needle = marker.getBytes(StandardCharsets.UTF_8);
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".cq4")).toList()) {
        byte[] bytes = Files.readAllBytes(file);
        int at = indexOf(bytes, needle);
        if (at >= 0) {
          bytes[at] ^= 0x20;
          Files.write(file, bytes);
          return;
        }
      }
    }
    throw new AssertionError("no record ending with " + marker);
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static void deleteRecursively(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path path : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
