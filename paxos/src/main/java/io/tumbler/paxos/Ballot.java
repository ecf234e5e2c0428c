package io.tumbler.paxos;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * A Paxos ballot: a counter paired with the id of the replica that owns it.
 *
 * <p>Ballots are totally ordered by counter, then by replica id. Two replicas can never issue the
 * same ballot because the replica id breaks every tie, so an acceptor's promise to one ballot is a
 * promise against exactly one proposer.
 *
 * @param counter the round number; {@code 0} only for {@link #ZERO}
 * @param replicaId the replica that proposes under this ballot
 */
public record Ballot(long counter, int replicaId) implements Comparable<Ballot> {

  /** Below every ballot a proposer can issue: what an acceptor has promised before any promise. */
  public static final Ballot ZERO = new Ballot(0, 0);

  /** Bits of an epoch that hold the replica id; the counter takes the bits above them. */
  public static final int REPLICA_ID_BITS = 16;

  private static final long MAX_EPOCH_COUNTER = (1L << (63 - REPLICA_ID_BITS)) - 1;

  public Ballot {
    checkArgument(counter >= 0, "ballot counter must be >= 0, was %s", counter);
    checkArgument(replicaId >= 0, "replica id must be >= 0, was %s", replicaId);
  }

  /**
   * The smallest ballot owned by {@code proposerId} that is greater than this one: what a replica
   * proposes after learning that this ballot is the highest it has seen.
   */
  public Ballot nextFor(int proposerId) {
    checkArgument(proposerId >= 0, "replica id must be >= 0, was %s", proposerId);
    long nextCounter = proposerId > replicaId ? counter : Math.addExact(counter, 1);
    return new Ballot(Math.max(nextCounter, 1), proposerId);
  }

  /**
   * The master epoch of a mastership won with this ballot. Epochs order exactly as ballots do, and
   * a new master's ballot exceeds every ballot a majority promised before it, so epochs of
   * successive masterships strictly increase across the cell's history.
   */
  public long epoch() {
    checkArgument(
        counter <= MAX_EPOCH_COUNTER, "ballot counter %s too large for an epoch", counter);
    checkArgument(replicaId < (1 << REPLICA_ID_BITS), "replica id %s too large", replicaId);
    return (counter << REPLICA_ID_BITS) | replicaId;
  }

  public boolean isAbove(Ballot other) {
    return compareTo(other) > 0;
  }

  public boolean isAtLeast(Ballot other) {
    return compareTo(other) >= 0;
  }

  @Override
  public int compareTo(Ballot other) {
    int byCounter = Long.compare(counter, other.counter);
    return byCounter != 0 ? byCounter : Integer.compare(replicaId, other.replicaId);
  }

  @Override
  public String toString() {
    return counter + "." + replicaId;
  }
}
