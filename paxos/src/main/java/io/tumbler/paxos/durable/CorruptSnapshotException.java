package io.tumbler.paxos.durable;

import java.io.IOException;
import java.nio.file.Path;

/** A snapshot file that fails a structural or checksum check; it must never be loaded. */
public final class CorruptSnapshotException extends IOException {

  private static final long serialVersionUID = 1L;

  CorruptSnapshotException(Path file, String problem) {
    super(file + ": corrupt snapshot: " + problem);
  }
}
