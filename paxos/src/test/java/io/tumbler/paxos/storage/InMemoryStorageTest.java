package io.tumbler.paxos.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tumbler.paxos.AcceptedEntry;
import io.tumbler.paxos.Ballot;
import io.tumbler.paxos.SnapshotRef;
import io.tumbler.paxos.Value;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InMemoryStorageTest {

  private static StorageRecord vote(long slot, Ballot ballot) {
    return new StorageRecord.AcceptRecord(new AcceptedEntry(slot, ballot, Value.NOOP));
  }

  @Test
  void crashLosesExactlyWhatWasNotSynced() {
    InMemoryStorage storage = new InMemoryStorage();
    Ballot b = new Ballot(1, 2);
    storage.write(new PersistRequest(1, List.of(new StorageRecord.PromiseRecord(b))));
    storage.write(new PersistRequest(2, List.of(vote(1, b))));
    storage.write(new PersistRequest(3, List.of(vote(2, b))));
    assertThat(storage.syncThrough(2)).isEqualTo(2);

    storage.crash();

    PersistentState state = storage.load();
    assertThat(state.promised()).isEqualTo(b);
    assertThat(state.accepted().keySet()).containsExactly(1L);
    assertThat(storage.unsyncedRequests()).isZero();
  }

  @Test
  void snapshotDropsVotesUpToItsIndex() throws IOException {
    InMemoryStorage storage = new InMemoryStorage();
    Ballot b = new Ballot(1, 0);
    storage.write(new PersistRequest(1, List.of(vote(1, b), vote(2, b), vote(3, b))));
    SnapshotRef ref = storage.write(2, b, out -> out.write(7));
    storage.write(new PersistRequest(2, List.of(new StorageRecord.SnapshotTaken(ref, Set.of()))));
    storage.sync();

    PersistentState state = storage.load();
    assertThat(state.snapshot()).contains(ref);
    assertThat(storage.open(ref).readAllBytes()).containsExactly(7);
    assertThat(state.accepted().keySet()).containsExactly(3L);
  }

  @Test
  void aCrashLosesAHalfReceivedSnapshotAndKeepsTheOldOne() throws IOException {
    InMemoryStorage storage = new InMemoryStorage();
    Ballot b = new Ballot(1, 0);
    SnapshotRef old = storage.write(5, b, out -> out.write(new byte[] {1, 2}));
    storage.write(new PersistRequest(1, List.of(new StorageRecord.SnapshotTaken(old, Set.of()))));
    storage.write(new PersistRequest(2, List.of(vote(6, b), vote(7, b))));
    storage.write(
        new PersistRequest(
            3, List.of(new StorageRecord.IncomingSnapshotChunk(9, 0, new byte[] {4, 4, 4}))));
    storage.sync();
    assertThat(storage.incomingSnapshotBytes()).isEqualTo(3);

    storage.crash();

    assertThat(storage.incomingSnapshotBytes()).isEqualTo(-1);
    assertThat(storage.load().snapshot()).contains(old);
    assertThat(storage.load().accepted().keySet()).containsExactly(6L, 7L);
    assertThat(storage.snapshotIndexes()).containsExactly(5L);
  }

  @Test
  void aReceivedSnapshotBecomesTheReplicasOnlyWhenComplete() throws IOException {
    InMemoryStorage storage = new InMemoryStorage();
    byte[] body = {1, 2, 3, 4, 5};
    SnapshotRef ref = InMemoryStorage.refOf(9, body);
    storage.write(
        new PersistRequest(
            1,
            List.of(
                new StorageRecord.IncomingSnapshotChunk(9, 0, Arrays.copyOf(body, 2)),
                new StorageRecord.IncomingSnapshotChunk(9, 2, Arrays.copyOfRange(body, 2, 5)))));
    assertThat(storage.read(ref, 0, 5)).isEmpty();
    storage.write(
        new PersistRequest(2, List.of(new StorageRecord.IncomingSnapshotComplete(ref, Set.of()))));
    assertThat(storage.read(ref, 1, 3).orElseThrow()).containsExactly(2, 3, 4);
    assertThat(storage.load().snapshot()).as("not synced yet").isEmpty();
    storage.sync();
    assertThat(storage.load().snapshot()).contains(ref);
  }

  @Test
  void olderSnapshotsAreDeletedExceptTheFallbackAndThoseStillServed() throws IOException {
    InMemoryStorage storage = new InMemoryStorage();
    long token = 0;
    for (long index = 10; index <= 50; index += 10) {
      SnapshotRef ref = storage.write(index, Ballot.ZERO, out -> out.write(1));
      Set<Long> served = index >= 40 ? Set.of(20L) : Set.of();
      storage.write(
          new PersistRequest(++token, List.of(new StorageRecord.SnapshotTaken(ref, served))));
    }
    assertThat(storage.snapshotIndexes()).containsExactlyInAnyOrder(20L, 40L, 50L);
  }

  @Test
  void remembersTheHighestBallotProposedUnder() {
    InMemoryStorage storage = new InMemoryStorage();
    storage.write(new PersistRequest(1, List.of(new StorageRecord.BallotRecord(new Ballot(4, 1)))));
    storage.write(new PersistRequest(2, List.of(new StorageRecord.BallotRecord(new Ballot(3, 1)))));
    storage.sync();
    assertThat(storage.load().proposed()).isEqualTo(new Ballot(4, 1));
  }

  @Test
  void tokensMustIncrease() {
    InMemoryStorage storage = new InMemoryStorage();
    storage.write(new PersistRequest(2, List.of(new StorageRecord.PromiseRecord(Ballot.ZERO))));
    assertThatThrownBy(
            () ->
                storage.write(
                    new PersistRequest(1, List.of(new StorageRecord.PromiseRecord(Ballot.ZERO)))))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
