package io.tumbler.paxos.durable;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import io.tumbler.paxos.Ballot;
import io.tumbler.paxos.storage.AcceptorState;
import io.tumbler.paxos.storage.PersistRequest;
import io.tumbler.paxos.storage.PersistentState;
import io.tumbler.paxos.storage.Storage;
import io.tumbler.paxos.storage.StorageRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The acceptor's durable state on disk: promises, proposer ballots and votes in a {@link
 * ChronicleLog}, snapshots in a {@link SnapshotStore}, under one data directory ({@code log/} and
 * {@code snapshots/}; docs/operations.md describes them).
 *
 * <p>{@link #write} appends a request's records; {@link #sync} makes everything written durable
 * with one sync and returns the highest token whose records are all durable. A snapshot is made
 * durable inside {@code write} (its file is fsynced and renamed there), then noted in the log, and
 * the log segments it covers are deleted.
 *
 * <p>{@link Storage} has no checked exceptions: a failed write or sync throws {@link
 * UncheckedIOException} and the log stays failed, so the replica can never acknowledge what it
 * could not persist. One thread owns an instance.
 */
public final class ChronicleStorage implements Storage, AutoCloseable {

  /** Snapshots kept on disk: the newest, and one older in case the newest is found damaged. */
  static final int SNAPSHOTS_KEPT = 2;

  private final SnapshotStore snapshots;
  private final List<String> recoveryNotes = new ArrayList<>();
  private final Deque<Pending> pending = new ArrayDeque<>();
  private final Deque<Long> snapshotIndexes = new ArrayDeque<>();
  private ChronicleLog log;

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
    ChronicleStorage storage =
        new ChronicleStorage(new SnapshotStore(dataDirectory.resolve("snapshots")));
    storage.recover(dataDirectory.resolve("log"), options);
    return storage;
  }

  private void recover(Path logDirectory, LogOptions options) throws IOException {
    SnapshotStore.Scan scan = snapshots.scan();
    recoveryNotes.addAll(scan.rejected());
    if (scan.newest().isPresent()) {
      StoredSnapshot newest = scan.newest().get();
      try (InputStream body = newest.openBody()) {
        // Applied first, so that the log's votes at or below it are ignored as they replay.
        durable.apply(new StorageRecord.SnapshotRecord(newest.index(), body.readAllBytes()));
      }
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
        if (record instanceof StorageRecord.SnapshotRecord snapshot) {
          writeSnapshot(snapshot);
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

  private void writeSnapshot(StorageRecord.SnapshotRecord snapshot) throws IOException {
    if (snapshot.index() <= writtenSnapshotIndex) {
      return; // an older snapshot than one already durable adds nothing
    }
    // The header names the ballot promised when the snapshot was written, for operators and
    // diagnosis; loading does not depend on it.
    byte[] metadata =
        ByteBuffer.allocate(8 + 4)
            .putLong(writtenPromised.counter())
            .putInt(writtenPromised.replicaId())
            .array();
    try (SnapshotWriter writer = snapshots.begin(snapshot.index(), metadata)) {
      writer.write(snapshot.bytes(), 0, snapshot.bytes().length);
      writer.commit();
    }
    // The snapshot file is durable; from here on the log may forget the votes it covers.
    writtenSnapshotIndex = snapshot.index();
    log.append(LogRecord.NO_KEY, StorageRecordCodec.encodeSnapshotTaken(snapshot.index()));
    log.deleteSegmentsBelow(snapshot.index() + 1);
    snapshotIndexes.addLast(snapshot.index());
    while (snapshotIndexes.size() > SNAPSHOTS_KEPT) {
      snapshotIndexes.removeFirst();
    }
    snapshots.deleteBefore(snapshotIndexes.peekFirst());
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
    log.close();
  }
}
