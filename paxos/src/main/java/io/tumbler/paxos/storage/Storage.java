package io.tumbler.paxos.storage;

/**
 * The acceptor's durable state. The driver writes each {@link PersistRequest} the core emits, makes
 * it durable (one sync may cover many requests), and reports the highest durable token back to the
 * core. Only after that does the core release the answers that depend on it.
 */
public interface Storage {

  /** Buffers a request; not durable until a later {@link #sync()} covers it. */
  void write(PersistRequest request);

  /** Makes everything written so far durable; returns the highest durable token (0 if none). */
  long sync();

  /** The durable state, as a restarted replica reads it back. */
  PersistentState load();
}
