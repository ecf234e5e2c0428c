package io.tumbler.paxos;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.tumbler.paxos.message.Envelope;
import io.tumbler.paxos.message.Message;

/**
 * The core asks its driver to read {@code length} bytes at {@code offset} of its stored snapshot
 * {@code snapshot} and send them to replica {@code to}: {@link #envelope} builds the message from
 * the bytes read. The core never holds the snapshot it serves. If the driver no longer has that
 * snapshot (or cannot read it), it reports so through {@link Replica#onSnapshotUnavailable}
 * instead, and the transfer restarts on a snapshot the driver does have.
 */
public record SnapshotChunkSend(int from, int to, SnapshotRef snapshot, long offset, int length) {

  public SnapshotChunkSend {
    checkNotNull(snapshot, "snapshot");
    checkArgument(offset >= 0 && length >= 0, "offset %s, length %s", offset, length);
    checkArgument(
        offset + length <= snapshot.lengthBytes(),
        "chunk [%s, +%s) beyond the %s-byte snapshot",
        offset,
        length,
        snapshot.lengthBytes());
  }

  /** The chunk message carrying {@code bytes}, which the driver read as asked. */
  public Envelope envelope(byte[] bytes) {
    checkArgument(
        bytes.length == length, "read %s bytes for a %s-byte chunk", bytes.length, length);
    return new Envelope(
        from,
        to,
        new Message.SnapshotChunk(
            snapshot.index(), offset, bytes, snapshot.lengthBytes(), snapshot.checksum()));
  }
}
