package io.tumbler.paxos.durable;

import java.io.IOException;

/**
 * A write or sync failed (disk full, I/O error). The log stops: nothing appended after the last
 * successful sync may be acknowledged, and every later call fails with this, naming the first
 * cause.
 */
public final class LogFailedException extends IOException {

  private static final long serialVersionUID = 1L;

  LogFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
