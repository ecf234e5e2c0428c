package io.tumbler.paxos.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tumbler.paxos.AcceptedEntry;
import io.tumbler.paxos.Ballot;
import io.tumbler.paxos.Value;
import java.util.List;
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
  void snapshotDropsVotesUpToItsIndex() {
    InMemoryStorage storage = new InMemoryStorage();
    Ballot b = new Ballot(1, 0);
    storage.write(new PersistRequest(1, List.of(vote(1, b), vote(2, b), vote(3, b))));
    storage.write(
        new PersistRequest(2, List.of(new StorageRecord.SnapshotRecord(2, new byte[] {7}))));
    storage.sync();

    PersistentState state = storage.load();
    assertThat(state.snapshotIndex()).isEqualTo(2);
    assertThat(state.snapshotBytes()).containsExactly(7);
    assertThat(state.accepted().keySet()).containsExactly(3L);
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
