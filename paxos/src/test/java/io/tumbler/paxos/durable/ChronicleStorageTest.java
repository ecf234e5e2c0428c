package io.tumbler.paxos.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tumbler.paxos.AcceptedEntry;
import io.tumbler.paxos.Ballot;
import io.tumbler.paxos.Command;
import io.tumbler.paxos.SnapshotRef;
import io.tumbler.paxos.Value;
import io.tumbler.paxos.storage.InMemoryStorage;
import io.tumbler.paxos.storage.PersistRequest;
import io.tumbler.paxos.storage.PersistentState;
import io.tumbler.paxos.storage.SnapshotFiles;
import io.tumbler.paxos.storage.StorageRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChronicleStorageTest {

  private static final LogOptions SMALL_SEGMENTS = new LogOptions(20, 64 * 1024, 256 * 1024);

  @TempDir Path dir;

  /**
   * Random acceptor traffic: promises and ballots rise, votes land above the snapshot, the
   * application's snapshots are written to both storages' files, and snapshots are received in
   * chunks, completed or abandoned.
   */
  private static final class Traffic {
    private final Random random;
    private final List<SnapshotFiles> files;
    private long counter = 1;
    private long snapshotIndex;
    private long token;
    private long incomingIndex;
    private byte[] incomingBody;
    private int incomingOffset;

    Traffic(Random random, List<SnapshotFiles> files) {
      this.random = random;
      this.files = files;
    }

    PersistRequest next() throws IOException {
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
        } else if (kind < 4 && random.nextInt(3) == 0 && incomingBody == null) {
          snapshotIndex += 1 + random.nextInt(30);
          byte[] state = new byte[random.nextInt(2000)];
          random.nextBytes(state);
          SnapshotRef ref = null;
          for (SnapshotFiles stored : files) {
            ref = stored.write(snapshotIndex, new Ballot(counter, 0), out -> out.write(state));
          }
          records.add(new StorageRecord.SnapshotTaken(ref, retained()));
        } else if (kind < 6) {
          receive(records);
        } else {
          long slot = snapshotIndex + 1 + random.nextInt(60);
          records.add(
              new StorageRecord.AcceptRecord(
                  new AcceptedEntry(slot, new Ballot(counter, random.nextInt(5)), value())));
        }
      }
      return new PersistRequest(++token, records);
    }

    /** The next step of receiving a snapshot: a chunk, the completion, or giving up. */
    private void receive(List<StorageRecord> records) {
      if (incomingBody == null) {
        incomingIndex = snapshotIndex + 1 + random.nextInt(30);
        incomingBody = new byte[random.nextInt(3000)];
        random.nextBytes(incomingBody);
        incomingOffset = 0;
      } else if (random.nextInt(10) == 0) {
        records.add(new StorageRecord.IncomingSnapshotDiscarded(incomingIndex));
        incomingBody = null;
        return;
      }
      if (incomingOffset < incomingBody.length || incomingOffset == 0) {
        int length = Math.min(incomingBody.length - incomingOffset, 1 + random.nextInt(700));
        records.add(
            new StorageRecord.IncomingSnapshotChunk(
                incomingIndex,
                incomingOffset,
                Arrays.copyOfRange(incomingBody, incomingOffset, incomingOffset + length)));
        incomingOffset += length;
        if (incomingOffset > 0) {
          return;
        }
      }
      records.add(
          new StorageRecord.IncomingSnapshotComplete(
              InMemoryStorage.refOf(incomingIndex, incomingBody), retained()));
      snapshotIndex = incomingIndex;
      incomingBody = null;
    }

    /** Some snapshot indexes below the newest, as the core would list those it still serves. */
    private Set<Long> retained() {
      Set<Long> retained = new HashSet<>();
      for (int i = random.nextInt(3); i > 0 && snapshotIndex > 1; i--) {
        retained.add(1 + (long) random.nextInt((int) snapshotIndex - 1));
      }
      return retained;
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
      incomingBody = null; // and a snapshot being received is lost with it
    }
  }

  private static void assertSameState(PersistentState actual, PersistentState expected, String as) {
    assertThat(actual.promised()).as("%s: promised", as).isEqualTo(expected.promised());
    assertThat(actual.proposed()).as("%s: proposed", as).isEqualTo(expected.proposed());
    assertThat(actual.snapshot()).as("%s: snapshot", as).isEqualTo(expected.snapshot());
    assertThat(actual.accepted()).as("%s: votes", as).isEqualTo(expected.accepted());
  }

  private Set<Long> snapshotFilesOnDisk() throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve("snapshots"))) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(name -> name.endsWith(".snap"))
          .map(name -> Long.parseLong(name.substring("snapshot-".length(), name.length() - 5)))
          .collect(Collectors.toSet());
    }
  }

  @Test
  void agreesWithTheInMemoryReferenceAcrossSyncsAndRestarts() throws IOException {
    // Replay a failure with -Dstorage.seed=<seed from the message>.
    long seed = Long.getLong("storage.seed", new Random().nextLong());
    Random random = new Random(seed);
    InMemoryStorage reference = new InMemoryStorage();
    ChronicleStorage storage = ChronicleStorage.open(dir, SMALL_SEGMENTS);
    Traffic traffic = new Traffic(random, List.of(reference, ChronicleStorage.snapshotFiles(dir)));
    long logRecordsWritten = 0;
    try {
      for (int step = 0; step < 3000; step++) {
        String as = "seed " + seed + " step " + step;
        PersistRequest request = traffic.next();
        logRecordsWritten +=
            request.records().stream()
                .filter(
                    r ->
                        r instanceof StorageRecord.PromiseRecord
                            || r instanceof StorageRecord.BallotRecord
                            || r instanceof StorageRecord.AcceptRecord)
                .count();
        reference.write(request);
        storage.write(request);
        assertThat(snapshotFilesOnDisk())
            .as("%s: snapshots kept", as)
            .isEqualTo(reference.snapshotIndexes());
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
      storage.write(new PersistRequest(++token, List.of(taken(90, new byte[] {9}))));
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
          storage.write(new PersistRequest(++token, List.of(taken(slot, new byte[] {1, 2, 3}))));
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

  /** The application's snapshot, written to the snapshot files as the driver does. */
  private StorageRecord taken(long index, byte[] body) throws IOException {
    SnapshotRef ref =
        ChronicleStorage.snapshotFiles(dir).write(index, Ballot.ZERO, out -> out.write(body));
    return new StorageRecord.SnapshotTaken(ref, Set.of());
  }

  private static StorageRecord vote(long slot) {
    return new StorageRecord.AcceptRecord(new AcceptedEntry(slot, new Ballot(1, 1), Value.NOOP));
  }

  @Test
  void aSnapshotReceivedInChunksIsCommittedCheckedAndLoadedByReference() throws IOException {
    byte[] body = new byte[10_000];
    new Random(11).nextBytes(body);
    SnapshotRef announced = InMemoryStorage.refOf(70, body);
    long token = 0;
    try (ChronicleStorage storage = ChronicleStorage.open(dir, SMALL_SEGMENTS)) {
      for (long slot = 1; slot <= 90; slot++) {
        storage.write(new PersistRequest(++token, List.of(vote(slot))));
      }
      for (int offset = 0; offset < body.length; offset += 3000) {
        byte[] chunk = Arrays.copyOfRange(body, offset, Math.min(body.length, offset + 3000));
        storage.write(
            new PersistRequest(
                ++token, List.of(new StorageRecord.IncomingSnapshotChunk(70, offset, chunk))));
      }
      storage.write(
          new PersistRequest(
              ++token, List.of(new StorageRecord.IncomingSnapshotComplete(announced, Set.of()))));
      assertThat(storage.sync()).isEqualTo(token);
      assertThat(storage.load().snapshot()).contains(announced);
    }

    try (ChronicleStorage storage = ChronicleStorage.open(dir, SMALL_SEGMENTS)) {
      PersistentState state = storage.load();
      assertThat(state.snapshot()).contains(announced);
      assertThat(state.accepted().firstKey()).isEqualTo(71);
      try (InputStream in = ChronicleStorage.snapshotFiles(dir).open(announced)) {
        assertThat(in.readAllBytes()).isEqualTo(body);
      }
    }
  }

  @Test
  void aSnapshotHalfReceivedWhenTheReplicaCrashesLeavesTheOldSnapshotAndVotes() throws IOException {
    Path incomingFile =
        dir.resolve("snapshots").resolve("snapshot-00000000000000000080.snap.incoming.tmp");
    byte[] leftover;
    SnapshotRef old;
    long token = 0;
    try (ChronicleStorage storage = ChronicleStorage.open(dir, SMALL_SEGMENTS)) {
      for (long slot = 1; slot <= 50; slot++) {
        storage.write(new PersistRequest(++token, List.of(vote(slot))));
      }
      StorageRecord.SnapshotTaken snapshot = (StorageRecord.SnapshotTaken) taken(40, new byte[99]);
      old = snapshot.snapshot();
      storage.write(new PersistRequest(++token, List.of(snapshot)));
      storage.write(
          new PersistRequest(
              ++token, List.of(new StorageRecord.IncomingSnapshotChunk(80, 0, new byte[500]))));
      storage.write(
          new PersistRequest(
              ++token, List.of(new StorageRecord.IncomingSnapshotChunk(80, 500, new byte[300]))));
      storage.sync();
      assertThat(incomingFile).exists();
      // What a crash here leaves on disk: the half-written incoming file (a clean close deletes
      // it, so keep a copy to put back).
      leftover = Files.readAllBytes(incomingFile);
    }
    Files.write(incomingFile, leftover);

    try (ChronicleStorage storage = ChronicleStorage.open(dir, SMALL_SEGMENTS)) {
      PersistentState state = storage.load();
      assertThat(state.snapshot()).contains(old);
      assertThat(state.accepted().keySet()).hasSize(10).allMatch(slot -> slot > 40);
      assertThat(incomingFile).as("a partial snapshot is never loaded").doesNotExist();
      assertThat(snapshotFilesOnDisk()).containsExactly(40L);
    }
  }

  @Test
  void aReceivedSnapshotThatDoesNotMatchWhatWasAnnouncedFailsTheStorage() throws IOException {
    try (ChronicleStorage storage = ChronicleStorage.open(dir, SMALL_SEGMENTS)) {
      storage.write(
          new PersistRequest(
              1, List.of(new StorageRecord.IncomingSnapshotChunk(9, 0, new byte[] {1, 2, 3}))));
      SnapshotRef announced = InMemoryStorage.refOf(9, new byte[] {1, 2, 4});

      assertThatThrownBy(
              () ->
                  storage.write(
                      new PersistRequest(
                          2,
                          List.of(
                              new StorageRecord.IncomingSnapshotComplete(announced, Set.of())))))
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining("does not match");
      assertThat(snapshotFilesOnDisk()).isEmpty();
    }
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
