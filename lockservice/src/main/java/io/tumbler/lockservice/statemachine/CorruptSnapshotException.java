package io.tumbler.lockservice.statemachine;

import java.io.IOException;

/** A snapshot that fails its checksum, version or structure checks; it was not loaded. */
public final class CorruptSnapshotException extends IOException {
  private static final long serialVersionUID = 1L;

  public CorruptSnapshotException(String message) {
    super(message);
  }

  public CorruptSnapshotException(String message, Throwable cause) {
    super(message, cause);
  }
}
