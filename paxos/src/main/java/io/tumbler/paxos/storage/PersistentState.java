package io.tumbler.paxos.storage;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.tumbler.paxos.AcceptedEntry;
import io.tumbler.paxos.Ballot;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a replica reads back on restart: its promise, the highest ballot it proposed under, its
 * votes after the snapshot, and the snapshot itself ({@code snapshotIndex == 0} and empty bytes
 * when there is none).
 */
public record PersistentState(
    Ballot promised,
    Ballot proposed,
    SortedMap<Long, AcceptedEntry> accepted,
    long snapshotIndex,
    byte[] snapshotBytes) {

  public static final PersistentState EMPTY =
      new PersistentState(Ballot.ZERO, Ballot.ZERO, new TreeMap<>(), 0, new byte[0]);

  public PersistentState {
    checkNotNull(promised, "promised");
    checkNotNull(proposed, "proposed");
    checkArgument(snapshotIndex >= 0, "snapshotIndex must be >= 0");
    accepted = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(accepted));
    checkArgument(
        accepted.isEmpty() || accepted.firstKey() > snapshotIndex,
        "votes at or below the snapshot index must have been dropped");
  }
}
