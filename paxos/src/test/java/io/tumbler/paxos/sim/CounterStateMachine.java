package io.tumbler.paxos.sim;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import io.tumbler.paxos.ChosenEntry;
import io.tumbler.paxos.Command;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * The simulator's replicated application: a counter that adds each command's delta, plus a hash
 * chained over every entry applied, so two replicas with equal hashes at index i applied the same
 * entries up to i.
 */
final class CounterStateMachine {

  /** Padding so snapshots span several chunks. */
  static final int SNAPSHOT_BYTES = 200;

  private long appliedIndex;
  private long counter;
  private long hash;

  long appliedIndex() {
    return appliedIndex;
  }

  long hash() {
    return hash;
  }

  long counter() {
    return counter;
  }

  void apply(ChosenEntry entry) {
    checkState(
        entry.slot() == appliedIndex + 1, "applying %s after %s", entry.slot(), appliedIndex);
    appliedIndex = entry.slot();
    long h = hash * 0x9E3779B97F4A7C15L + entry.slot();
    for (Command command : entry.value().commands()) {
      ByteBuffer bytes = ByteBuffer.wrap(command.bytes());
      long id = bytes.getLong(0);
      int delta = bytes.getInt(8);
      counter += delta;
      h = Long.rotateLeft(h ^ id, 17) * 0xBF58476D1CE4E5B9L + delta;
    }
    if (entry.value().isNoop()) {
      h ^= 0x5555;
    }
    hash = h;
  }

  void snapshotTo(OutputStream out) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(SNAPSHOT_BYTES);
    buffer.putLong(appliedIndex).putLong(counter).putLong(hash);
    for (int i = 24; i < SNAPSHOT_BYTES; i++) {
      buffer.put((byte) (hash >>> (i % 8)));
    }
    out.write(buffer.array());
  }

  void restore(long index, InputStream in) throws IOException {
    byte[] bytes = in.readNBytes(SNAPSHOT_BYTES + 1);
    checkArgument(bytes.length == SNAPSHOT_BYTES, "snapshot of %s bytes", bytes.length);
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    long snapshotIndex = buffer.getLong();
    checkArgument(
        snapshotIndex == index, "snapshot says %s, installed as %s", snapshotIndex, index);
    appliedIndex = snapshotIndex;
    counter = buffer.getLong();
    hash = buffer.getLong();
  }

  /** A command: unique id, then a delta. */
  static Command command(long id, int delta) {
    return new Command(ByteBuffer.allocate(12).putLong(id).putInt(delta).array());
  }

  static long commandId(Command command) {
    return ByteBuffer.wrap(command.bytes()).getLong(0);
  }
}
