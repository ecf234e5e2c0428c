package io.tumbler.paxos.storage;

import static com.google.common.base.Preconditions.checkArgument;

import io.tumbler.paxos.AcceptedEntry;
import io.tumbler.paxos.Ballot;
import java.util.ArrayDeque;

/**
 * Storage in memory, for tests and the simulator. {@link #crash()} loses every request that was
 * written but not yet synced, like a process that died before its fsync returned.
 */
public final class InMemoryStorage implements Storage {

  private final ArrayDeque<PersistRequest> unsynced = new ArrayDeque<>();
  private final AcceptorState durable = new AcceptorState();
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
      request.records().forEach(durable::apply);
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
    return durable.promised();
  }

  /** The durable vote for {@code slot}, or null. */
  public AcceptedEntry durableVote(long slot) {
    return durable.vote(slot);
  }

  public long durableSnapshotIndex() {
    return durable.snapshotIndex();
  }

  @Override
  public PersistentState load() {
    return durable.toPersistentState();
  }
}
