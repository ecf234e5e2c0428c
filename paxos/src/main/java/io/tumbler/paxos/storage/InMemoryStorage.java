package io.tumbler.paxos.storage;

import static com.google.common.base.Preconditions.checkArgument;

import io.tumbler.paxos.AcceptedEntry;
import io.tumbler.paxos.Ballot;
import java.util.ArrayDeque;
import java.util.TreeMap;

/**
 * Storage in memory, for tests and the simulator. {@link #crash()} loses every request that was
 * written but not yet synced, like a process that died before its fsync returned.
 */
public final class InMemoryStorage implements Storage {

  private final ArrayDeque<PersistRequest> unsynced = new ArrayDeque<>();
  private Ballot promised = Ballot.ZERO;
  private Ballot proposed = Ballot.ZERO;
  private final TreeMap<Long, AcceptedEntry> accepted = new TreeMap<>();
  private long snapshotIndex;
  private byte[] snapshotBytes = new byte[0];
  private long durableToken;

  @Override
  public void write(PersistRequest request) {
    long last = unsynced.isEmpty() ? durableToken : unsynced.peekLast().token();
    checkArgument(request.token() > last, "token %s after %s", request.token(), last);
    unsynced.addLast(request);
  }

  @Override
  public long sync() {
    return syncThrough(Long.MAX_VALUE);
  }

  /** Makes durable the requests up to {@code token}, leaving later ones unsynced. */
  public long syncThrough(long token) {
    while (!unsynced.isEmpty() && unsynced.peekFirst().token() <= token) {
      PersistRequest request = unsynced.pollFirst();
      for (StorageRecord record : request.records()) {
        apply(record);
      }
      durableToken = request.token();
    }
    return durableToken;
  }

  /**
   * Loses whatever was not synced. Tokens belong to one run of a replica, so the next run starts
   * counting again.
   */
  public void crash() {
    unsynced.clear();
    durableToken = 0;
  }

  public long durableToken() {
    return durableToken;
  }

  public int unsyncedRequests() {
    return unsynced.size();
  }

  /** The durable promise. */
  public Ballot durablePromise() {
    return promised;
  }

  /** The durable vote for {@code slot}, or null. */
  public AcceptedEntry durableVote(long slot) {
    return accepted.get(slot);
  }

  public long durableSnapshotIndex() {
    return snapshotIndex;
  }

  private void apply(StorageRecord record) {
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
      if (entry.slot() > snapshotIndex) {
        accepted.put(entry.slot(), entry);
      }
    } else if (record instanceof StorageRecord.SnapshotRecord snapshot) {
      if (snapshot.index() > snapshotIndex) {
        snapshotIndex = snapshot.index();
        snapshotBytes = snapshot.bytes().clone();
        accepted.headMap(snapshotIndex, true).clear();
      }
    } else {
      throw new AssertionError("unknown record " + record);
    }
  }

  @Override
  public PersistentState load() {
    return new PersistentState(promised, proposed, accepted, snapshotIndex, snapshotBytes.clone());
  }
}
