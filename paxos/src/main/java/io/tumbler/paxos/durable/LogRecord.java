package io.tumbler.paxos.durable;

/**
 * One record of the durable log, as replayed.
 *
 * @param sequence position in the log: consecutive, starting at 1, never reused
 * @param key what compaction orders records by (a Paxos slot), or {@link #NO_KEY} for records that
 *     compaction may drop whenever a newer segment exists (a promise, carried into every new
 *     segment)
 * @param payload the caller's bytes
 */
public record LogRecord(long sequence, long key, byte[] payload) {

  /** The key of a record that no compaction bound keeps alive on its own. */
  public static final long NO_KEY = -1;
}
