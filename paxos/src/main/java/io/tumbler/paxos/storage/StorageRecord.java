package io.tumbler.paxos.storage;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.tumbler.paxos.AcceptedEntry;
import io.tumbler.paxos.Ballot;

/** What an acceptor must make durable before it answers. */
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
   * The state machine's snapshot at {@code index}: every slot up to {@code index} is chosen and
   * applied, so votes up to it may be dropped.
   */
  record SnapshotRecord(long index, byte[] bytes) implements StorageRecord {
    public SnapshotRecord {
      checkArgument(index >= 1, "index must be >= 1, was %s", index);
      checkNotNull(bytes, "bytes");
    }
  }
}
