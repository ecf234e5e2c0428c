package io.tumbler.lockservice.protocol;

/** Session-wide news a KeepAlive answer carries besides numbered events. Bit i = ordinal i. */
public enum SessionNotice {
  /** A new master took over: flush the cache and tell the application; acknowledge it. */
  MASTER_FAILED_OVER,
  /**
   * The master can no longer say which events the client missed (it resumed from an index the
   * master no longer has): drop every cached entry and re-read; never a silent gap.
   */
  EVENTS_LOST
}
