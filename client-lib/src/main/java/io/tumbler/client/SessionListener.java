package io.tumbler.client;

/**
 * Told of the session's changes of state, in order, on the client's event thread (never a network
 * thread). Every method has a default that does nothing.
 */
public interface SessionListener {

  /** The local lease ran out; the cache is off; calls wait for a master for the grace period. */
  default void onJeopardy() {}

  /** A master renewed the lease after jeopardy: the session, its handles and locks are intact. */
  default void onSafe() {}

  /** The session is gone, with its locks and ephemeral nodes. Open a new client to go on. */
  default void onExpired() {}

  /**
   * A new master took over, or the master could not say which events the session missed: events may
   * have been lost, and the cache was flushed. Re-read what you watch.
   */
  default void onEventsMayBeLost() {}
}
