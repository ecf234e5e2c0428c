package io.tumbler.paxos.storage;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.tumbler.paxos.AcceptedEntry;
import io.tumbler.paxos.Ballot;
import io.tumbler.paxos.SnapshotRef;
import java.util.Set;

/**
 * What the driver's storage must write, in the order the core emits it: an acceptor's durable state
 * (promises, proposer ballots, votes), the snapshots that let its log be compacted, and the chunks
 * of a snapshot being received from another replica.
 */
public sealed interface StorageRecord {

  /** The acceptor promised {@code ballot}: it accepts nothing below it from now on. */
  record PromiseRecord(Ballot ballot) implements StorageRecord {
    public PromiseRecord {
      checkNotNull(ballot, "ballot");
    }
  }

  /**
   * This replica is about to propose under {@code ballot}. Durable before any prepare leaves, so a
   * restarted replica never reuses a ballot: one ballot, one value per slot.
   */
  record BallotRecord(Ballot ballot) implements StorageRecord {
    public BallotRecord {
      checkNotNull(ballot, "ballot");
    }
  }

  /** The acceptor accepted a value for a slot. Replaces any earlier vote for that slot. */
  record AcceptRecord(AcceptedEntry entry) implements StorageRecord {
    public AcceptRecord {
      checkNotNull(entry, "entry");
    }
  }

  /**
   * The application's own snapshot at {@code snapshot.index()}, which the driver already wrote and
   * made durable ({@link SnapshotFiles#write}) before it reported it to the core: every slot up to
   * that index is chosen and applied, so votes up to it may be dropped and the log compacted.
   *
   * @param retained older snapshots the core is still serving to other replicas; storage keeps them
   *     beside its own fallback (the snapshot before the newest) until a later record no longer
   *     lists them
   */
  record SnapshotTaken(SnapshotRef snapshot, Set<Long> retained) implements StorageRecord {
    public SnapshotTaken {
      checkNotNull(snapshot, "snapshot");
      retained = Set.copyOf(retained);
    }
  }

  /**
   * A chunk of the snapshot being received from another replica, to be written at {@code offset} of
   * its temporary file. Chunks arrive in order; one at offset 0 starts the incoming snapshot anew,
   * discarding any other. Nothing of it counts until {@link IncomingSnapshotComplete}: a crash
   * before then loses the whole incoming snapshot and leaves the old state intact. The array is not
   * copied; nobody may change it afterwards.
   */
  record IncomingSnapshotChunk(long index, long offset, byte[] bytes) implements StorageRecord {
    public IncomingSnapshotChunk {
      checkArgument(index >= 1, "index must be >= 1, was %s", index);
      checkArgument(offset >= 0, "offset must be >= 0, was %s", offset);
      checkNotNull(bytes, "bytes");
    }
  }

  /**
   * The incoming snapshot is complete and the core verified its checksum: make it durable under its
   * final name (the storage checks length and checksum again as it does), then treat it as {@link
   * SnapshotTaken}. Only once this is durable does the core install it.
   */
  record IncomingSnapshotComplete(SnapshotRef snapshot, Set<Long> retained)
      implements StorageRecord {
    public IncomingSnapshotComplete {
      checkNotNull(snapshot, "snapshot");
      retained = Set.copyOf(retained);
    }
  }

  /** The incoming snapshot at {@code index} is abandoned or refused: delete what was written. */
  record IncomingSnapshotDiscarded(long index) implements StorageRecord {
    public IncomingSnapshotDiscarded {
      checkArgument(index >= 1, "index must be >= 1, was %s", index);
    }
  }
}
