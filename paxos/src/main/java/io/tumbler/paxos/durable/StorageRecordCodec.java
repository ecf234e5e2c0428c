package io.tumbler.paxos.durable;

import io.tumbler.paxos.AcceptedEntry;
import io.tumbler.paxos.Ballot;
import io.tumbler.paxos.Command;
import io.tumbler.paxos.Value;
import io.tumbler.paxos.storage.StorageRecord;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of the acceptor's log records. Big-endian; the first byte is the record type.
 *
 * <pre>
 * 1 promise        | ballot counter (long) | ballot replica (int)
 * 2 ballot         | ballot counter (long) | ballot replica (int)
 * 3 accept         | slot (long) | ballot counter (long) | ballot replica (int)
 *                  | command count (int) | per command: length (int), bytes
 * 4 snapshot taken | index (long)
 * </pre>
 *
 * Snapshots themselves are files ({@link SnapshotStore}); the log only notes that one was taken, so
 * that a log compacted past a snapshot is never paired with an older one.
 */
final class StorageRecordCodec {

  private static final byte PROMISE = 1;
  private static final byte BALLOT = 2;
  private static final byte ACCEPT = 3;
  private static final byte SNAPSHOT_TAKEN = 4;

  private StorageRecordCodec() {}

  /** A log record: an acceptor's {@link StorageRecord}, or the note that a snapshot was taken. */
  sealed interface LoggedRecord {}

  record Acceptor(StorageRecord record) implements LoggedRecord {}

  record SnapshotTaken(long index) implements LoggedRecord {}

  static byte[] encodeSnapshotTaken(long index) {
    return ByteBuffer.allocate(1 + 8).put(SNAPSHOT_TAKEN).putLong(index).array();
  }

  static byte[] encode(StorageRecord record) {
    if (record instanceof StorageRecord.PromiseRecord promise) {
      return encodeBallot(PROMISE, promise.ballot());
    } else if (record instanceof StorageRecord.BallotRecord ballot) {
      return encodeBallot(BALLOT, ballot.ballot());
    } else if (record instanceof StorageRecord.AcceptRecord accept) {
      AcceptedEntry entry = accept.entry();
      List<Command> commands = entry.value().commands();
      int size = 1 + 8 + 8 + 4 + 4;
      for (Command command : commands) {
        size += 4 + command.sizeBytes();
      }
      ByteBuffer buffer = ByteBuffer.allocate(size);
      buffer
          .put(ACCEPT)
          .putLong(entry.slot())
          .putLong(entry.ballot().counter())
          .putInt(entry.ballot().replicaId())
          .putInt(commands.size());
      for (Command command : commands) {
        buffer.putInt(command.bytes().length).put(command.bytes());
      }
      return buffer.array();
    } else if (record instanceof StorageRecord.SnapshotTaken
        || record instanceof StorageRecord.IncomingSnapshotChunk
        || record instanceof StorageRecord.IncomingSnapshotComplete
        || record instanceof StorageRecord.IncomingSnapshotDiscarded) {
      throw new IllegalArgumentException("snapshots are files, not log records");
    }
    throw new AssertionError("unknown storage record " + record);
  }

  private static byte[] encodeBallot(byte type, Ballot ballot) {
    return ByteBuffer.allocate(1 + 8 + 4)
        .put(type)
        .putLong(ballot.counter())
        .putInt(ballot.replicaId())
        .array();
  }

  /**
   * Decodes a record whose checksum already passed.
   *
   * @throws IllegalArgumentException if the bytes are not a well-formed record; with a good
   *     checksum that means a writer bug or a format this build does not read
   */
  static LoggedRecord decode(byte[] bytes) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    try {
      byte type = buffer.get();
      LoggedRecord record;
      switch (type) {
        case PROMISE -> record = new Acceptor(new StorageRecord.PromiseRecord(readBallot(buffer)));
        case BALLOT -> record = new Acceptor(new StorageRecord.BallotRecord(readBallot(buffer)));
        case ACCEPT -> record = new Acceptor(new StorageRecord.AcceptRecord(readAccept(buffer)));
        case SNAPSHOT_TAKEN -> record = new SnapshotTaken(buffer.getLong());
        default -> throw new IllegalArgumentException("unknown log record type " + type);
      }
      if (buffer.hasRemaining()) {
        throw new IllegalArgumentException(
            buffer.remaining() + " bytes left over after a record of type " + type);
      }
      return record;
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("log record ends early", e);
    }
  }

  private static Ballot readBallot(ByteBuffer buffer) {
    return new Ballot(buffer.getLong(), buffer.getInt());
  }

  private static AcceptedEntry readAccept(ByteBuffer buffer) {
    long slot = buffer.getLong();
    Ballot ballot = readBallot(buffer);
    int count = buffer.getInt();
    // Each command takes at least its 4-byte length: bound the count before allocating for it.
    if (count < 0 || count > buffer.remaining() / 4) {
      throw new IllegalArgumentException("impossible command count " + count);
    }
    List<Command> commands = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int length = buffer.getInt();
      if (length < 0 || length > buffer.remaining()) {
        throw new IllegalArgumentException("impossible command length " + length);
      }
      byte[] command = new byte[length];
      buffer.get(command);
      commands.add(new Command(command));
    }
    return new AcceptedEntry(slot, ballot, commands.isEmpty() ? Value.NOOP : new Value(commands));
  }
}
