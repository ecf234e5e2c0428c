package io.tumbler.paxos.storage;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import io.tumbler.paxos.AcceptedEntry;
import io.tumbler.paxos.Ballot;
import io.tumbler.paxos.SnapshotRef;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * Storage in memory, for tests and the simulator, modelled on the durable one: acceptor records
 * become durable when a sync covers them; snapshot "files" are written, committed and deleted as
 * their records are written, like files renamed into place. {@link #crash()} loses every request
 * that was written but not yet synced, and any snapshot still being received, like a process that
 * died before its fsync returned; a restart then finds the newest committed snapshot.
 */
public final class InMemoryStorage implements Storage, SnapshotFiles {

  /** Committed snapshots kept beyond those still served: the newest and the one before it. */
  public static final int SNAPSHOTS_KEPT = 2;

  private final ArrayDeque<PersistRequest> unsynced = new ArrayDeque<>();
  private final AcceptorState durable = new AcceptorState();
  private long durableToken;

  /** The committed snapshot "files", by index. */
  private final TreeMap<Long, StoredBody> snapshots = new TreeMap<>();

  /** The "temporary file" of the snapshot being received, or null. */
  private Incoming incoming;

  /** The newest snapshot a written record made the replica's own (durable or not). */
  private long writtenSnapshotIndex;

  private record StoredBody(SnapshotRef ref, byte[] bytes) {}

  private static final class Incoming {
    final long index;
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    Incoming(long index) {
      this.index = index;
    }
  }

  @Override
  public void write(PersistRequest request) {
    long last = unsynced.isEmpty() ? durableToken : unsynced.peekLast().token();
    checkArgument(request.token() > last, "token %s after %s", request.token(), last);
    // Snapshot files change as the records are written, as on disk; the acceptor's state only
    // when a sync covers them.
    request.records().forEach(this::writeSnapshotFiles);
    unsynced.addLast(request);
  }

  private void writeSnapshotFiles(StorageRecord record) {
    if (record instanceof StorageRecord.IncomingSnapshotChunk chunk) {
      if (chunk.offset() == 0) {
        incoming = new Incoming(chunk.index());
      }
      checkState(
          incoming != null
              && incoming.index == chunk.index()
              && incoming.bytes.size() == chunk.offset(),
          "chunk at %s of incoming snapshot %s does not continue what was written",
          chunk.offset(),
          chunk.index());
      incoming.bytes.writeBytes(chunk.bytes());
    } else if (record instanceof StorageRecord.IncomingSnapshotDiscarded discarded) {
      if (incoming != null && incoming.index == discarded.index()) {
        incoming = null;
      }
    } else if (record instanceof StorageRecord.IncomingSnapshotComplete complete) {
      SnapshotRef ref = complete.snapshot();
      checkState(
          incoming != null && incoming.index == ref.index(),
          "no incoming snapshot %s to complete",
          ref.index());
      byte[] bytes = incoming.bytes.toByteArray();
      incoming = null;
      checkState(
          ref.equals(refOf(ref.index(), bytes)),
          "incoming snapshot does not match %s: the core verified other bytes",
          ref);
      snapshots.put(ref.index(), new StoredBody(ref, bytes));
      noteWritten(ref.index(), complete.retained());
    } else if (record instanceof StorageRecord.SnapshotTaken taken) {
      SnapshotRef ref = taken.snapshot();
      if (ref.index() <= writtenSnapshotIndex) {
        return; // an older snapshot than one already written adds nothing
      }
      StoredBody stored = snapshots.get(ref.index());
      checkState(
          stored != null && stored.ref().equals(ref),
          "snapshot %s was reported taken but is not stored",
          ref);
      noteWritten(ref.index(), taken.retained());
    }
  }

  /**
   * The snapshot at {@code newest} is the replica's own now: deletes older ones, except the one
   * before it and those still served.
   */
  private void noteWritten(long newest, Set<Long> retained) {
    writtenSnapshotIndex = Math.max(writtenSnapshotIndex, newest);
    Long fallback = snapshots.lowerKey(newest);
    snapshots
        .headMap(newest, false)
        .keySet()
        .removeIf(index -> !index.equals(fallback) && !retained.contains(index));
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
   * Loses whatever was not synced, and the snapshot being received. Tokens belong to one run of a
   * replica, so the next run starts counting again. Like a restart on disk, the newest committed
   * snapshot is what the replica finds, even if its record was not synced.
   */
  public void crash() {
    unsynced.clear();
    incoming = null;
    durableToken = 0;
    if (!snapshots.isEmpty()) {
      durable.noteSnapshot(snapshots.lastEntry().getValue().ref());
    }
    writtenSnapshotIndex = durable.snapshotIndex();
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

  /** The index of the snapshot a restart would find: the newest committed, noted or not. */
  public long durableSnapshotIndex() {
    long newestFile = snapshots.isEmpty() ? 0 : snapshots.lastKey();
    return Math.max(durable.snapshotIndex(), newestFile);
  }

  /** The indexes of the committed snapshots held. */
  public Set<Long> snapshotIndexes() {
    return Set.copyOf(snapshots.keySet());
  }

  /** The bytes of the snapshot being received so far, or -1 if none is. */
  public long incomingSnapshotBytes() {
    return incoming == null ? -1 : incoming.bytes.size();
  }

  @Override
  public PersistentState load() {
    return durable.toPersistentState();
  }

  // ---- SnapshotFiles ----

  @Override
  public SnapshotRef write(long index, Ballot promised, BodyWriter body) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    body.writeTo(out);
    byte[] bytes = out.toByteArray();
    SnapshotRef ref = refOf(index, bytes);
    snapshots.put(index, new StoredBody(ref, bytes));
    return ref;
  }

  @Override
  public Optional<byte[]> read(SnapshotRef snapshot, long offset, int length) {
    StoredBody stored = snapshots.get(snapshot.index());
    if (stored == null || !stored.ref().equals(snapshot)) {
      return Optional.empty();
    }
    checkArgument(offset >= 0 && offset + length <= snapshot.lengthBytes(), "read out of range");
    return Optional.of(Arrays.copyOfRange(stored.bytes(), (int) offset, (int) offset + length));
  }

  @Override
  public InputStream open(SnapshotRef snapshot) throws IOException {
    StoredBody stored = snapshots.get(snapshot.index());
    if (stored == null || !stored.ref().equals(snapshot)) {
      throw new IOException("no stored snapshot " + snapshot);
    }
    return new ByteArrayInputStream(stored.bytes());
  }

  /** The reference of a body: its length and CRC32C. */
  public static SnapshotRef refOf(long index, byte[] body) {
    CRC32C crc = new CRC32C();
    crc.update(body);
    return new SnapshotRef(index, body.length, (int) crc.getValue());
  }
}
