package io.tumbler.paxos.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tumbler.paxos.AcceptedEntry;
import io.tumbler.paxos.Ballot;
import io.tumbler.paxos.Command;
import io.tumbler.paxos.Value;
import io.tumbler.paxos.storage.InMemoryStorage;
import io.tumbler.paxos.storage.PersistRequest;
import io.tumbler.paxos.storage.PersistentState;
import io.tumbler.paxos.storage.StorageRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChronicleStorageTest {

  private static final LogOptions SMALL_SEGMENTS = new LogOptions(20, 64 * 1024, 256 * 1024);

  @TempDir Path dir;

  /** Random acceptor traffic: promises and ballots rise, votes land above the snapshot. */
  private static final class Traffic {
    private final Random random;
    private long counter = 1;
    private long snapshotIndex;
    private long token;

    Traffic(Random random) {
      this.random = random;
    }

    PersistRequest next() {
      List<StorageRecord> records = new ArrayList<>();
      int count = 1 + random.nextInt(4);
      for (int i = 0; i < count; i++) {
        int kind = random.nextInt(20);
        if (kind < 2) {
          counter += random.nextInt(2);
          records.add(new StorageRecord.PromiseRecord(new Ballot(counter, random.nextInt(5))));
        } else if (kind < 3) {
          counter += 1;
          records.add(new StorageRecord.BallotRecord(new Ballot(counter, random.nextInt(5))));
        } else if (kind < 4 && random.nextInt(3) == 0) {
          snapshotIndex += 1 + random.nextInt(30);
          byte[] state = new byte[random.nextInt(2000)];
          random.nextBytes(state);
          records.add(new StorageRecord.SnapshotRecord(snapshotIndex, state));
        } else {
          long slot = snapshotIndex + 1 + random.nextInt(60);
          records.add(
              new StorageRecord.AcceptRecord(
                  new AcceptedEntry(slot, new Ballot(counter, random.nextInt(5)), value())));
        }
      }
      return new PersistRequest(++token, records);
    }

    private Value value() {
      if (random.nextInt(5) == 0) {
        return Value.NOOP;
      }
      List<Command> commands = new ArrayList<>();
      for (int i = 1 + random.nextInt(3); i > 0; i--) {
        byte[] bytes = new byte[random.nextInt(200)];
        random.nextBytes(bytes);
        commands.add(new Command(bytes));
      }
      return new Value(commands);
    }

    void restart() {
      token = 0; // tokens belong to one run of a replica
    }
  }

  private static void assertSameState(PersistentState actual, PersistentState expected, String as) {
    assertThat(actual.promised()).as("%s: promised", as).isEqualTo(expected.promised());
    assertThat(actual.proposed()).as("%s: proposed", as).isEqualTo(expected.proposed());
    assertThat(actual.snapshotIndex())
        .as("%s: snapshot index", as)
        .isEqualTo(expected.snapshotIndex());
    assertThat(actual.snapshotBytes()).as("%s: snapshot", as).isEqualTo(expected.snapshotBytes());
    assertThat(actual.accepted()).as("%s: votes", as).isEqualTo(expected.accepted());
  }

  @Test
  void agreesWithTheInMemoryReferenceAcrossSyncsAndRestarts() throws IOException {
    // Replay a failure with -Dstorage.seed=<seed from the message>.
    long seed = Long.getLong("storage.seed", new Random().nextLong());
    Random random = new Random(seed);
    Traffic traffic = new Traffic(random);
    InMemoryStorage reference = new InMemoryStorage();
    ChronicleStorage storage = ChronicleStorage.open(dir, SMALL_SEGMENTS);
    long logRecordsWritten = 0;
    try {
      for (int step = 0; step < 3000; step++) {
        String as = "seed " + seed + " step " + step;
        PersistRequest request = traffic.next();
        logRecordsWritten +=
            request.records().stream()
                .filter(r -> !(r instanceof StorageRecord.SnapshotRecord))
                .count();
        reference.write(request);
        storage.write(request);
        if (random.nextInt(3) == 0) {
          assertThat(storage.sync()).as(as).isEqualTo(reference.sync());
          assertSameState(storage.load(), reference.load(), as);
        }
        if (random.nextInt(200) == 0) {
          // A clean restart: everything synced first, since a real crash may keep unsynced
          // records in the page cache, which the in-memory reference would drop.
          assertThat(storage.sync()).isEqualTo(reference.sync());
          storage.close();
          reference.crash();
          traffic.restart();
          storage = ChronicleStorage.open(dir, SMALL_SEGMENTS);
          assertSameState(storage.load(), reference.load(), as + " after restart");
          assertThat(storage.recoveryNotes()).as(as).isEmpty();
        }
      }
    } finally {
      storage.close();
    }
    // Compaction keeps the log bounded: most of the segments these records fill are deleted.
    // (Exactly which ones is pinned by the directed test below.)
    long segmentsWithoutCompaction = logRecordsWritten / SMALL_SEGMENTS.maxRecordsPerSegment();
    try (Stream<Path> segments = Files.list(dir.resolve("log"))) {
      assertThat(segments.filter(Files::isDirectory).count())
          .as("seed %d: segments left of %d", seed, segmentsWithoutCompaction)
          .isLessThan(segmentsWithoutCompaction / 4);
    }
  }

  @Test
  void promiseAndProposerBallotSurviveCompactionOfTheSegmentsThatHeldThem() throws IOException {
    Ballot promise = new Ballot(7, 2);
    Ballot proposerBallot = new Ballot(8, 1);
    long token = 0;
    try (ChronicleStorage storage = ChronicleStorage.open(dir, SMALL_SEGMENTS)) {
      storage.write(
          new PersistRequest(
              ++token,
              List.of(
                  new StorageRecord.PromiseRecord(promise),
                  new StorageRecord.BallotRecord(proposerBallot))));
      for (long slot = 1; slot <= 100; slot++) {
        storage.write(
            new PersistRequest(
                ++token,
                List.of(
                    new StorageRecord.AcceptRecord(
                        new AcceptedEntry(slot, proposerBallot, Value.NOOP)))));
      }
      storage.write(
          new PersistRequest(
              ++token, List.of(new StorageRecord.SnapshotRecord(90, new byte[] {9}))));
      assertThat(storage.sync()).isEqualTo(token);
    }

    try (ChronicleStorage storage = ChronicleStorage.open(dir, SMALL_SEGMENTS)) {
      PersistentState state = storage.load();
      assertThat(state.promised()).isEqualTo(promise);
      assertThat(state.proposed()).isEqualTo(proposerBallot);
      assertThat(state.snapshotIndex()).isEqualTo(90);
      assertThat(state.accepted().keySet())
          .containsExactly(91L, 92L, 93L, 94L, 95L, 96L, 97L, 98L, 99L, 100L);
    }
    try (Stream<Path> segments = Files.list(dir.resolve("log"))) {
      assertThat(segments.filter(Files::isDirectory).count()).isLessThan(3);
    }
  }

  @Test
  void refusesToPairACompactedLogWithAnOlderSnapshot() throws IOException {
    long token = 0;
    try (ChronicleStorage storage = ChronicleStorage.open(dir, SMALL_SEGMENTS)) {
      for (long slot = 1; slot <= 100; slot++) {
        storage.write(
            new PersistRequest(
                ++token,
                List.of(
                    new StorageRecord.AcceptRecord(
                        new AcceptedEntry(slot, new Ballot(1, 1), Value.NOOP)))));
        if (slot == 40 || slot == 80) {
          storage.write(
              new PersistRequest(
                  ++token, List.of(new StorageRecord.SnapshotRecord(slot, new byte[] {1, 2, 3}))));
        }
      }
      storage.sync();
    }
    Path newest = dir.resolve("snapshots").resolve("snapshot-00000000000000000080.snap");
    byte[] bytes = Files.readAllBytes(newest);
    bytes[bytes.length - 25] ^= 1; // inside the body
    Files.write(newest, bytes);

    assertThatThrownBy(() -> ChronicleStorage.open(dir, SMALL_SEGMENTS))
        .isInstanceOf(CorruptLogException.class)
        .hasMessageContaining("compacted after a snapshot at index 80")
        .hasMessageContaining("newest readable snapshot is at 40");
  }

  @Test
  void aFailedLogRefusesToAcknowledge() throws IOException {
    ChronicleStorage storage = ChronicleStorage.open(dir, SMALL_SEGMENTS);
    storage.close();

    assertThatThrownBy(
            () ->
                storage.write(
                    new PersistRequest(
                        1, List.of(new StorageRecord.PromiseRecord(new Ballot(1, 1))))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }
}
