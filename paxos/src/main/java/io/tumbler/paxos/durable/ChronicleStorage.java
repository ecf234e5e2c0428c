package io.tumbler.paxos.durable;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.ImmutableList;
import io.tumbler.paxos.Ballot;
import io.tumbler.paxos.SnapshotRef;
import io.tumbler.paxos.storage.AcceptorState;
import io.tumbler.paxos.storage.PersistRequest;
import io.tumbler.paxos.storage.PersistentState;
import io.tumbler.paxos.storage.Storage;
import io.tumbler.paxos.storage.StorageRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The acceptor's durable state on disk: promises, proposer ballots and votes in a {@link
 * ChronicleLog}, snapshots in a {@link SnapshotStore}, under one data directory ({@code log/} and
 * {@code snapshots/}; docs/operations.md describes them).
 *
 * <p>{@link #write} appends a request's records; {@link #sync} makes everything written durable
 * with one sync and returns the highest token whose records are all durable.
 *
 * <p>Snapshots are files, never held in memory whole. The application's own is written by the
 * driver through {@link #snapshotFiles} (a {@link SnapshotStore} over the same directory) and
 * reported in a {@link StorageRecord.SnapshotTaken}. One received from another replica arrives in
 * {@link StorageRecord.IncomingSnapshotChunk}s, streamed into {@code
 * snapshot-<index>.snap.incoming.tmp}, and is committed (checked against the length and checksum
 * the sender announced, fsynced, renamed) by its {@link StorageRecord.IncomingSnapshotComplete}.
 * Either way the snapshot is durable inside {@code write}, then noted in the log, the log segments
 * it covers are deleted, and older snapshots too, except the one before it (in case the newest is
 * found damaged) and those the record says are still being sent to other replicas.
 *
 * <p>{@link Storage} has no checked exceptions: a failed write or sync throws {@link
 * UncheckedIOException} and the log stays failed, so the replica can never acknowledge what it
 * could not persist. One thread owns an instance.
 */
public final class ChronicleStorage implements Storage, AutoCloseable {

  /** Snapshots kept on disk: the newest, and one older in case the newest is found damaged. */
  static final int SNAPSHOTS_KEPT = 2;

  /** Under the data directory: the snapshot files. */
  static final String SNAPSHOTS_DIRECTORY = "snapshots";

  private final SnapshotStore snapshots;
  private final List<String> recoveryNotes = new ArrayList<>();
  private final Deque<Pending> pending = new ArrayDeque<>();
  private final Deque<Long> snapshotIndexes = new ArrayDeque<>();
  private ChronicleLog log;

  /** The snapshot being received from another replica, or null. */
  private SnapshotWriter incoming;

  /** What has been written (durable or not): the preamble of every new segment carries it. */
  private Ballot writtenPromised = Ballot.ZERO;

  private Ballot writtenProposed = Ballot.ZERO;
  private long writtenSnapshotIndex;

  /** What is durable: what {@link #load()} returns. */
  private final AcceptorState durable = new AcceptorState();

  private long durableToken;

  private record Pending(long token, long lastSequence, List<StorageRecord> records) {}

  private ChronicleStorage(SnapshotStore snapshots) {
    this.snapshots = snapshots;
  }

  /**
   * Opens the storage in {@code dataDirectory}, reading back everything durable.
   *
   * @throws CorruptLogException if the log is damaged, or was compacted past the newest snapshot
   *     that can still be read (votes would be missing)
   */
  public static ChronicleStorage open(Path dataDirectory, LogOptions options) throws IOException {
    ChronicleStorage storage = new ChronicleStorage(snapshotFiles(dataDirectory));
    storage.recover(dataDirectory.resolve("log"), options);
    return storage;
  }

  /**
   * The snapshot files under {@code dataDirectory}, for the driver's own thread: writing the
   * application's snapshot, reading chunks to send, streaming one into the application. Safe beside
   * the thread that owns the storage (see {@link SnapshotStore}).
   */
  public static SnapshotStore snapshotFiles(Path dataDirectory) throws IOException {
    return new SnapshotStore(dataDirectory.resolve(SNAPSHOTS_DIRECTORY));
  }

  private void recover(Path logDirectory, LogOptions options) throws IOException {
    SnapshotStore.Scan scan = snapshots.scan();
    recoveryNotes.addAll(scan.rejected());
    if (scan.newest().isPresent()) {
      StoredSnapshot newest = scan.newest().get();
      // Noted first, so that the log's votes at or below it are ignored as they replay. Only its
      // reference: the driver streams the body into the application.
      durable.noteSnapshot(newest.ref());
      snapshotIndexes.addLast(newest.index());
    }
    long[] loggedSnapshotIndex = {0};
    log =
        ChronicleLog.open(
            logDirectory, options, this::preamble, record -> replay(record, loggedSnapshotIndex));
    log.recovery().tornTail().ifPresent(cut -> recoveryNotes.add("log torn tail: " + cut));
    long snapshotIndex = durable.snapshotIndex();
    if (loggedSnapshotIndex[0] > snapshotIndex) {
      log.close();
      throw new CorruptLogException(
          logDirectory
              + ": the log was compacted after a snapshot at index "
              + loggedSnapshotIndex[0]
              + ", but the newest readable snapshot is at "
              + snapshotIndex
              + "; votes in between are gone");
    }
    PersistentState recovered = durable.toPersistentState();
    writtenPromised = recovered.promised();
    writtenProposed = recovered.proposed();
    writtenSnapshotIndex = snapshotIndex;
  }

  private void replay(LogRecord record, long[] loggedSnapshotIndex) {
    StorageRecordCodec.LoggedRecord decoded;
    try {
      decoded = StorageRecordCodec.decode(record.payload());
    } catch (IllegalArgumentException e) {
      // The checksum passed, so these bytes are what was written: a writer bug or a newer format.
      throw new IllegalStateException(
          "log record " + record.sequence() + " has a good checksum but cannot be decoded", e);
    }
    if (decoded instanceof StorageRecordCodec.SnapshotTaken taken) {
      loggedSnapshotIndex[0] = Math.max(loggedSnapshotIndex[0], taken.index());
    } else if (decoded instanceof StorageRecordCodec.Acceptor acceptor) {
      durable.apply(acceptor.record());
    } else {
      throw new AssertionError("unknown logged record " + decoded);
    }
  }

  /** Notes from opening an operator should see: rejected snapshots, a cut torn tail. */
  public List<String> recoveryNotes() {
    return ImmutableList.copyOf(recoveryNotes);
  }

  @Override
  public void write(PersistRequest request) {
    checkArgument(
        request.token() > (pending.isEmpty() ? durableToken : pending.peekLast().token()),
        "tokens must increase: %s",
        request.token());
    try {
      for (StorageRecord record : request.records()) {
        if (record instanceof StorageRecord.SnapshotTaken taken) {
          noteSnapshot(taken.snapshot(), taken.retained());
        } else if (record instanceof StorageRecord.IncomingSnapshotChunk chunk) {
          writeIncoming(chunk);
        } else if (record instanceof StorageRecord.IncomingSnapshotComplete complete) {
          commitIncoming(complete);
        } else if (record instanceof StorageRecord.IncomingSnapshotDiscarded discarded) {
          if (incoming != null && incoming.index() == discarded.index()) {
            discardIncoming();
          }
        } else {
          long key =
              record instanceof StorageRecord.AcceptRecord accept
                  ? accept.entry().slot()
                  : LogRecord.NO_KEY;
          noteWritten(record);
          log.append(key, StorageRecordCodec.encode(record));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    pending.addLast(new Pending(request.token(), log.nextSequence() - 1, request.records()));
  }

  private void writeIncoming(StorageRecord.IncomingSnapshotChunk chunk) throws IOException {
    if (chunk.offset() == 0) {
      discardIncoming();
      // The header names the ballot promised when the snapshot was written, for operators and
      // diagnosis; loading does not depend on it.
      incoming = snapshots.beginIncoming(chunk.index(), SnapshotStore.metadataFor(writtenPromised));
    }
    checkState(
        incoming != null
            && incoming.index() == chunk.index()
            && incoming.bodyLength() == chunk.offset(),
        "chunk at %s of incoming snapshot %s does not continue what was written",
        chunk.offset(),
        chunk.index());
    incoming.write(chunk.bytes(), 0, chunk.bytes().length);
  }

  private void commitIncoming(StorageRecord.IncomingSnapshotComplete complete) throws IOException {
    SnapshotRef ref = complete.snapshot();
    checkState(
        incoming != null && incoming.index() == ref.index(),
        "no incoming snapshot %s to complete",
        ref.index());
    SnapshotWriter writer = incoming;
    incoming = null;
    // The core checked the checksum of the bytes it handed over; this checks what reached the
    // file. A mismatch means they changed in between, which no retry can fix: fail.
    writer.commitExpecting(ref);
    noteSnapshot(ref, complete.retained());
  }

  private void discardIncoming() throws IOException {
    if (incoming != null) {
      SnapshotWriter writer = incoming;
      incoming = null;
      writer.close();
    }
  }

  /** The durable snapshot file {@code snapshot} is the newest: note it, then compact. */
  private void noteSnapshot(SnapshotRef snapshot, Set<Long> retained) throws IOException {
    if (snapshot.index() <= writtenSnapshotIndex) {
      return; // an older snapshot than one already durable adds nothing
    }
    // The snapshot file is durable; from here on the log may forget the votes it covers.
    writtenSnapshotIndex = snapshot.index();
    log.append(LogRecord.NO_KEY, StorageRecordCodec.encodeSnapshotTaken(snapshot.index()));
    log.deleteSegmentsBelow(snapshot.index() + 1);
    snapshotIndexes.addLast(snapshot.index());
    while (snapshotIndexes.size() > SNAPSHOTS_KEPT) {
      snapshotIndexes.removeFirst();
    }
    Set<Long> keep = new HashSet<>(retained);
    keep.addAll(snapshotIndexes);
    snapshots.deleteOlderThan(snapshot.index(), keep);
  }

  private void noteWritten(StorageRecord record) {
    if (record instanceof StorageRecord.PromiseRecord promise
        && promise.ballot().isAbove(writtenPromised)) {
      writtenPromised = promise.ballot();
    } else if (record instanceof StorageRecord.BallotRecord ballot
        && ballot.ballot().isAbove(writtenProposed)) {
      writtenProposed = ballot.ballot();
    }
  }

  /** Every new log segment begins with the promise, the proposer ballot and the snapshot note. */
  private List<byte[]> preamble() {
    List<byte[]> records = new ArrayList<>();
    if (writtenPromised.isAbove(Ballot.ZERO)) {
      records.add(StorageRecordCodec.encode(new StorageRecord.PromiseRecord(writtenPromised)));
    }
    if (writtenProposed.isAbove(Ballot.ZERO)) {
      records.add(StorageRecordCodec.encode(new StorageRecord.BallotRecord(writtenProposed)));
    }
    if (writtenSnapshotIndex > 0) {
      records.add(StorageRecordCodec.encodeSnapshotTaken(writtenSnapshotIndex));
    }
    return records;
  }

  @Override
  public long sync() {
    long durableSequence;
    try {
      durableSequence = log.sync();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    while (!pending.isEmpty() && pending.peekFirst().lastSequence() <= durableSequence) {
      Pending request = pending.pollFirst();
      request.records().forEach(durable::apply);
      durableToken = request.token();
    }
    return durableToken;
  }

  @Override
  public PersistentState load() {
    return durable.toPersistentState();
  }

  @Override
  public void close() {
    try {
      discardIncoming();
    } catch (IOException e) {
      recoveryNotes.add("could not delete the incoming snapshot: " + e);
    } finally {
      log.close();
    }
  }
}
