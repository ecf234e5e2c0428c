package io.tumbler.client;

/**
 * Where a client's session stands (CHUBBY.md, sessions): healthy → jeopardy → healthy again
 * ("safe") or expired. Closed is the client's own doing.
 */
public enum SessionState {
  /** The session has a lease: the cache serves reads, locks and ephemeral nodes are held. */
  HEALTHY,
  /**
   * The local lease ran out and no master has renewed it yet: the cache is emptied and off, calls
   * wait (up to the grace period) for a master instead of failing.
   */
  JEOPARDY,
  /** The session is over: locks released, ephemeral nodes deleted; every call fails. */
  EXPIRED,
  CLOSED
}
