package io.tumbler.paxos.storage;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.tumbler.paxos.AcceptedEntry;
import io.tumbler.paxos.Ballot;
import io.tumbler.paxos.SnapshotRef;
import java.util.Collections;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a replica reads back on restart: its promise, the highest ballot it proposed under, its
 * votes after the snapshot, and a reference to the newest snapshot it holds (its bytes stay in
 * storage; the driver streams them into the application, see {@link SnapshotFiles#open}).
 */
public record PersistentState(
    Ballot promised,
    Ballot proposed,
    SortedMap<Long, AcceptedEntry> accepted,
    Optional<SnapshotRef> snapshot) {

  public static final PersistentState EMPTY =
      new PersistentState(Ballot.ZERO, Ballot.ZERO, new TreeMap<>(), Optional.empty());

  public PersistentState {
    checkNotNull(promised, "promised");
    checkNotNull(proposed, "proposed");
    checkNotNull(snapshot, "snapshot");
    accepted = Collections.unmodifiableSortedMap(new TreeMap<>(accepted));
    long snapshotIndex = snapshot.map(SnapshotRef::index).orElse(0L);
    checkArgument(
        accepted.isEmpty() || accepted.firstKey() > snapshotIndex,
        "votes at or below the snapshot index must have been dropped");
  }

  /** The index the snapshot covers, 0 when there is none. */
  public long snapshotIndex() {
    return snapshot.map(SnapshotRef::index).orElse(0L);
  }
}
