package io.tumbler.paxos.message;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.tumbler.paxos.AcceptedEntry;
import io.tumbler.paxos.Ballot;
import io.tumbler.paxos.ChosenEntry;
import io.tumbler.paxos.SnapshotRef;
import io.tumbler.paxos.Value;
import java.util.List;

/** Every message replicas exchange. Sender and receiver travel in the {@link Envelope}. */
public sealed interface Message {

  /** Phase 1a: a candidate asks for a promise, for every slot from {@code fromSlot} on. */
  record Prepare(Ballot ballot, long fromSlot) implements Message {
    public Prepare {
      checkNotNull(ballot, "ballot");
      checkArgument(fromSlot >= 1, "fromSlot must be >= 1, was %s", fromSlot);
    }
  }

  /**
   * Phase 1b: a promise not to accept below {@code ballot}, which also grants the candidate a
   * master lease. Carries the acceptor's votes from the requested slot on, in slot order, at most
   * {@code PaxosConfig.promisePageBytes()} of them, and the first slot its log still holds
   * (everything before it was compacted into a snapshot). {@code moreVotes}: the votes after the
   * last one carried must be fetched with {@link PromiseVotesRequest} before the candidate may
   * lead.
   */
  record Promise(Ballot ballot, long logStartSlot, List<AcceptedEntry> accepted, boolean moreVotes)
      implements Message {
    public Promise {
      checkNotNull(ballot, "ballot");
      checkArgument(logStartSlot >= 1, "logStartSlot must be >= 1, was %s", logStartSlot);
      accepted = List.copyOf(accepted);
      checkArgument(!moreVotes || !accepted.isEmpty(), "a page with more to come holds a vote");
    }
  }

  /**
   * A candidate asks an acceptor that promised it {@code ballot} for the next page of the votes
   * that promise reports, from {@code fromSlot} on.
   */
  record PromiseVotesRequest(Ballot ballot, long fromSlot) implements Message {
    public PromiseVotesRequest {
      checkNotNull(ballot, "ballot");
      checkArgument(fromSlot >= 1, "fromSlot must be >= 1, was %s", fromSlot);
    }
  }

  /**
   * A further page of the votes reported with a promise of {@code ballot}: those from {@code
   * fromSlot} on (as asked), at most a page of them, with the first slot the acceptor's log still
   * holds. Sent only while the acceptor's promise is still {@code ballot}: its votes below the
   * ballot cannot have changed since it promised.
   */
  record PromiseVotes(
      Ballot ballot,
      long fromSlot,
      long logStartSlot,
      List<AcceptedEntry> accepted,
      boolean moreVotes)
      implements Message {
    public PromiseVotes {
      checkNotNull(ballot, "ballot");
      checkArgument(fromSlot >= 1, "fromSlot must be >= 1, was %s", fromSlot);
      checkArgument(logStartSlot >= 1, "logStartSlot must be >= 1, was %s", logStartSlot);
      accepted = List.copyOf(accepted);
      checkArgument(!moreVotes || !accepted.isEmpty(), "a page with more to come holds a vote");
    }
  }

  /**
   * A refusal of a prepare, accept or heartbeat under {@code ballot}: the acceptor has promised
   * {@code promised}, or (for a prepare) it still grants a lease to another replica for {@code
   * leaseRemainingNanos} of its own clock.
   */
  record Reject(Ballot ballot, Ballot promised, long leaseRemainingNanos) implements Message {
    public Reject {
      checkNotNull(ballot, "ballot");
      checkNotNull(promised, "promised");
      checkArgument(leaseRemainingNanos >= 0, "leaseRemainingNanos must be >= 0");
    }
  }

  /** Phase 2a for one slot; the master's commit index rides along. */
  record Accept(Ballot ballot, long slot, Value value, long commitIndex) implements Message {
    public Accept {
      checkNotNull(ballot, "ballot");
      checkNotNull(value, "value");
      checkArgument(slot >= 1, "slot must be >= 1, was %s", slot);
      checkArgument(commitIndex >= 0, "commitIndex must be >= 0");
    }
  }

  /** Phase 2b: the acceptor durably accepted the master's value for {@code slot}. */
  record Accepted(Ballot ballot, long slot) implements Message {
    public Accepted {
      checkNotNull(ballot, "ballot");
      checkArgument(slot >= 1, "slot must be >= 1, was %s", slot);
    }
  }

  /** The master is alive: renews its lease (round {@code round}) and carries its commit index. */
  record Heartbeat(Ballot ballot, long round, long commitIndex) implements Message {
    public Heartbeat {
      checkNotNull(ballot, "ballot");
      checkArgument(commitIndex >= 0, "commitIndex must be >= 0");
    }
  }

  /** The acceptor extended its lease grant for heartbeat {@code round}. */
  record HeartbeatAck(Ballot ballot, long round) implements Message {
    public HeartbeatAck {
      checkNotNull(ballot, "ballot");
    }
  }

  /** A lagging replica asks for chosen entries from {@code fromSlot} on. */
  record CatchUpRequest(long fromSlot) implements Message {
    public CatchUpRequest {
      checkArgument(fromSlot >= 1, "fromSlot must be >= 1, was %s", fromSlot);
    }
  }

  /**
   * Chosen entries (contiguous, at most one chunk), the sender's commit index, and, when the
   * requested slots were compacted away, the index of the snapshot to fetch instead.
   */
  record CatchUpReply(
      List<ChosenEntry> entries, long commitIndex, long snapshotIndex, boolean snapshotNeeded)
      implements Message {
    public CatchUpReply {
      entries = List.copyOf(entries);
    }
  }

  /**
   * Asks for the bytes of snapshot {@code snapshotIndex} from {@code offset}, a window of chunks.
   */
  record SnapshotChunkRequest(long snapshotIndex, long offset) implements Message {
    public SnapshotChunkRequest {
      checkArgument(snapshotIndex >= 1, "snapshotIndex must be >= 1, was %s", snapshotIndex);
      checkArgument(offset >= 0, "offset must be >= 0");
    }
  }

  /**
   * One chunk of the sender's snapshot taken at {@code snapshotIndex}, with what identifies that
   * snapshot: its body's length and CRC32C. The receiver verifies the checksum over the whole body
   * before it installs anything, and restarts a transfer whose snapshot changed identity.
   */
  record SnapshotChunk(long snapshotIndex, long offset, byte[] bytes, long totalBytes, int checksum)
      implements Message {
    public SnapshotChunk {
      checkNotNull(bytes, "bytes");
      checkArgument(snapshotIndex >= 1, "snapshotIndex must be >= 1, was %s", snapshotIndex);
      checkArgument(offset >= 0 && offset + bytes.length <= totalBytes, "chunk out of range");
    }

    /** The snapshot this chunk is part of. */
    public SnapshotRef snapshot() {
      return new SnapshotRef(snapshotIndex, totalBytes, checksum);
    }
  }
}
