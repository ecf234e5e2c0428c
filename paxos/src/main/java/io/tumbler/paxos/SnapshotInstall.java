package io.tumbler.paxos;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * The application must replace its state with this snapshot, taken at {@code index} on another
 * replica, before it applies the chosen entries that follow it.
 */
public record SnapshotInstall(long index, byte[] bytes) {

  public SnapshotInstall {
    checkArgument(index >= 1, "index must be >= 1, was %s", index);
    checkNotNull(bytes, "bytes");
  }
}
