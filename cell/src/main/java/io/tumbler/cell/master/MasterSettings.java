package io.tumbler.cell.master;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * How the master treats sessions: lease lengths, how long it holds a KeepAlive, and the limits on
 * what it keeps per session. Every value is documented in docs/operations.md.
 *
 * @param sessionLeaseMs the session lease the master grants and extends on each KeepAlive; never
 *     shortened. A new master extends every session by this much (the longest the old one could
 *     have granted)
 * @param keepAliveAnswerAheadMs a KeepAlive is held until the lease has this much left (or until
 *     there are events, invalidations or notices to deliver), so one is almost always outstanding
 * @param maxSessionsPerClientHost sessions one client IP address may have open on this master
 * @param maxTrackedCacheEntriesPerSession nodes the master remembers a session may cache; beyond
 *     it, reads are answered "do not cache"
 * @param maxPendingEventsPerSession events kept for a session until it acknowledges them; beyond it
 *     they are dropped and the session is told that events were lost (it must re-read)
 * @param maxQueuedRequestsPerSession requests of one session waiting behind an earlier one
 */
public record MasterSettings(
    long sessionLeaseMs,
    long keepAliveAnswerAheadMs,
    int maxSessionsPerClientHost,
    int maxTrackedCacheEntriesPerSession,
    int maxPendingEventsPerSession,
    int maxQueuedRequestsPerSession) {

  public static final long DEFAULT_SESSION_LEASE_MS = 12_000;
  public static final long DEFAULT_KEEP_ALIVE_ANSWER_AHEAD_MS = 3_000;
  public static final int DEFAULT_MAX_SESSIONS_PER_CLIENT_HOST = 10_000;
  public static final int DEFAULT_MAX_TRACKED_CACHE_ENTRIES_PER_SESSION = 10_000;
  public static final int DEFAULT_MAX_PENDING_EVENTS_PER_SESSION = 10_000;
  public static final int DEFAULT_MAX_QUEUED_REQUESTS_PER_SESSION = 1_000;

  /** Longest lease a master may grant: Chubby lets an overloaded master go up to about a minute. */
  public static final long MAX_SESSION_LEASE_MS = 60_000;

  public static final MasterSettings DEFAULTS =
      new MasterSettings(
          DEFAULT_SESSION_LEASE_MS,
          DEFAULT_KEEP_ALIVE_ANSWER_AHEAD_MS,
          DEFAULT_MAX_SESSIONS_PER_CLIENT_HOST,
          DEFAULT_MAX_TRACKED_CACHE_ENTRIES_PER_SESSION,
          DEFAULT_MAX_PENDING_EVENTS_PER_SESSION,
          DEFAULT_MAX_QUEUED_REQUESTS_PER_SESSION);

  public MasterSettings {
    checkArgument(
        sessionLeaseMs >= 1_000 && sessionLeaseMs <= MAX_SESSION_LEASE_MS,
        "sessionLeaseMs must be in [1000, %s], was %s",
        MAX_SESSION_LEASE_MS,
        sessionLeaseMs);
    checkArgument(
        keepAliveAnswerAheadMs > 0 && keepAliveAnswerAheadMs < sessionLeaseMs,
        "keepAliveAnswerAheadMs must be in (0, sessionLeaseMs), was %s",
        keepAliveAnswerAheadMs);
    checkArgument(maxSessionsPerClientHost >= 1, "maxSessionsPerClientHost must be >= 1");
    checkArgument(
        maxTrackedCacheEntriesPerSession >= 0, "maxTrackedCacheEntriesPerSession must be >= 0");
    checkArgument(maxPendingEventsPerSession >= 1, "maxPendingEventsPerSession must be >= 1");
    checkArgument(maxQueuedRequestsPerSession >= 1, "maxQueuedRequestsPerSession must be >= 1");
  }
}
