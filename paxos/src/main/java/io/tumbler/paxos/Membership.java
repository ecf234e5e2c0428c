package io.tumbler.paxos;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableSortedSet;
import java.util.Collection;

/**
 * The cell's members. The core reads membership only through this object, so a later
 * membership-change design replaces this class, not the protocol code.
 */
public record Membership(ImmutableSortedSet<Integer> replicaIds) {

  /** Replica ids fit in the low bits of an epoch; see {@link Ballot#epoch()}. */
  public static final int MAX_REPLICA_ID = (1 << Ballot.REPLICA_ID_BITS) - 1;

  public Membership {
    checkArgument(!replicaIds.isEmpty(), "a cell needs at least one replica");
    checkArgument(
        replicaIds.first() >= 0 && replicaIds.last() <= MAX_REPLICA_ID,
        "replica ids must be in [0, %s], were %s",
        MAX_REPLICA_ID,
        replicaIds);
  }

  public static Membership of(Collection<Integer> ids) {
    return new Membership(ImmutableSortedSet.copyOf(ids));
  }

  /** Replicas {@code 0 .. count-1}. */
  public static Membership ofSize(int count) {
    checkArgument(count >= 1, "count must be >= 1, was %s", count);
    ImmutableSortedSet.Builder<Integer> ids = ImmutableSortedSet.naturalOrder();
    for (int i = 0; i < count; i++) {
      ids.add(i);
    }
    return new Membership(ids.build());
  }

  public boolean contains(int replicaId) {
    return replicaIds.contains(replicaId);
  }

  public int size() {
    return replicaIds.size();
  }

  /** The smallest number of replicas any two of which groups intersect: a strict majority. */
  public int quorumSize() {
    return replicaIds.size() / 2 + 1;
  }
}
