package io.tumbler.paxos.storage;

import io.tumbler.paxos.AcceptedEntry;
import io.tumbler.paxos.Ballot;
import io.tumbler.paxos.SnapshotRef;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An acceptor's durable state as its records build it up: the one definition of what each {@link
 * StorageRecord} means, shared by every {@link Storage} implementation. Promises and proposer
 * ballots only rise; a vote replaces the earlier vote for its slot; a snapshot drops the votes it
 * covers, and votes at or below it are ignored from then on. Chunks of an incoming snapshot change
 * nothing here: only its completion does.
 */
public final class AcceptorState {

  private Ballot promised = Ballot.ZERO;
  private Ballot proposed = Ballot.ZERO;
  private final TreeMap<Long, AcceptedEntry> accepted = new TreeMap<>();
  private SnapshotRef snapshot;

  public void apply(StorageRecord record) {
    if (record instanceof StorageRecord.PromiseRecord promise) {
      if (promise.ballot().isAbove(promised)) {
        promised = promise.ballot();
      }
    } else if (record instanceof StorageRecord.BallotRecord ballot) {
      if (ballot.ballot().isAbove(proposed)) {
        proposed = ballot.ballot();
      }
    } else if (record instanceof StorageRecord.AcceptRecord accept) {
      AcceptedEntry entry = accept.entry();
      if (entry.slot() > snapshotIndex()) {
        accepted.put(entry.slot(), entry);
      }
    } else if (record instanceof StorageRecord.SnapshotTaken taken) {
      noteSnapshot(taken.snapshot());
    } else if (record instanceof StorageRecord.IncomingSnapshotComplete complete) {
      noteSnapshot(complete.snapshot());
    } else if (record instanceof StorageRecord.IncomingSnapshotChunk
        || record instanceof StorageRecord.IncomingSnapshotDiscarded) {
      // Only the storage's temporary file changes; the acceptor's state does not.
    } else {
      throw new AssertionError("unknown storage record " + record);
    }
  }

  /** A durable snapshot at its index: newer than the current one, it replaces it. */
  public void noteSnapshot(SnapshotRef newer) {
    if (newer.index() > snapshotIndex()) {
      snapshot = newer;
      accepted.headMap(newer.index(), true).clear();
    }
  }

  public Ballot promised() {
    return promised;
  }

  /** The vote for {@code slot}, or null. */
  public AcceptedEntry vote(long slot) {
    return accepted.get(slot);
  }

  public long snapshotIndex() {
    return snapshot == null ? 0 : snapshot.index();
  }

  /** A copy, as a restarted replica reads it. */
  public PersistentState toPersistentState() {
    return new PersistentState(promised, proposed, accepted, Optional.ofNullable(snapshot));
  }
}
