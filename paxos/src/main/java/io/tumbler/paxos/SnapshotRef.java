package io.tumbler.paxos;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * A snapshot named, never held: the log index it covers, the length of its body and the body's
 * CRC32C. The bytes live in the driver's storage (a file, or memory in the simulator); the core
 * deals only in these references and in chunk positions, so no step of it ever needs a whole
 * snapshot.
 *
 * @param index every slot up to and including it is in the snapshot
 * @param lengthBytes the body's length
 * @param checksum the body's CRC32C (as {@code (int) CRC32C.getValue()})
 */
public record SnapshotRef(long index, long lengthBytes, int checksum) {

  public SnapshotRef {
    checkArgument(index >= 1, "index must be >= 1, was %s", index);
    checkArgument(lengthBytes >= 0, "lengthBytes must be >= 0, was %s", lengthBytes);
  }
}
