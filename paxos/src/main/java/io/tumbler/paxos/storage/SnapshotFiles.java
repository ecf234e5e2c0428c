package io.tumbler.paxos.storage;

import io.tumbler.paxos.Ballot;
import io.tumbler.paxos.SnapshotRef;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;

/**
 * A replica's stored snapshots as its driver reads and writes them outside the stream of persist
 * requests, so that no one needs a snapshot as one array:
 *
 * <ul>
 *   <li>the application's own snapshot is streamed into storage with {@link #write} and made
 *       durable there, then reported to the core with {@code Replica.onSnapshotTaken};
 *   <li>a chunk of a stored snapshot is read with {@link #read} to serve another replica ({@code
 *       Outputs.snapshotChunksToSend});
 *   <li>a stored snapshot is streamed into the application with {@link #open}: one received from
 *       another replica ({@code Outputs.snapshotToInstall}), or the newest one on restart.
 * </ul>
 *
 * A snapshot received from another replica enters storage through persist requests instead ({@link
 * StorageRecord.IncomingSnapshotChunk} and its completion), in order with the rest.
 */
public interface SnapshotFiles {

  /** Writes a snapshot body to a stream. */
  @FunctionalInterface
  interface BodyWriter {
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * Writes the snapshot covering the log up to {@code index}, streamed by {@code body}, and makes
   * it durable before returning its reference. {@code promised} is kept beside it for diagnosis.
   */
  SnapshotRef write(long index, Ballot promised, BodyWriter body) throws IOException;

  /**
   * Reads {@code length} bytes at {@code offset} of the body of {@code snapshot}, or empty if
   * storage no longer holds that snapshot (or holds another one under its index).
   */
  Optional<byte[]> read(SnapshotRef snapshot, long offset, int length) throws IOException;

  /**
   * Streams the body of {@code snapshot}. The stream fails, at the latest when it reaches the end,
   * if the body does not match the reference's length and checksum.
   *
   * @throws IOException also if storage does not hold that snapshot
   */
  InputStream open(SnapshotRef snapshot) throws IOException;
}
