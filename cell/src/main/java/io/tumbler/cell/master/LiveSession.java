package io.tumbler.cell.master;

import io.tumbler.cell.client.ClientConnection;
import io.tumbler.lockservice.protocol.Message;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/**
 * What the master keeps about one session beyond the replicated state: its lease on the master's
 * clock, the KeepAlive it is holding, events and invalidations not yet acknowledged, what the
 * session may cache, and its requests waiting their turn. Lost with the mastership; a new master
 * rebuilds it from the replicated sessions (failover, CHUBBY.md steps 3–6).
 */
final class LiveSession {

  /** A KeepAlive the master holds until there is news or the lease nears its end. */
  record HeldKeepAlive(ClientConnection connection, long correlationId, long receivedAtNanos) {}

  /** A request waiting for earlier ones of the same session, or for cache invalidations. */
  static final class QueuedRequest {
    final ClientConnection connection;
    final long correlationId;
    final Message.SessionRequest message;
    final long receivedAtNanos;

    /** Set once the request's invalidations have been sent. */
    PendingWrite write;

    QueuedRequest(
        ClientConnection connection,
        long correlationId,
        Message.SessionRequest message,
        long receivedAtNanos) {
      this.connection = connection;
      this.correlationId = correlationId;
      this.message = message;
      this.receivedAtNanos = receivedAtNanos;
    }
  }

  final long id;

  /** The client host that created the session on this master, or empty if unknown (failover). */
  final String host;

  long leaseEndNanos;
  HeldKeepAlive held;

  /** The master's timer queue holds an entry for this session at {@link #timerAtNanos}. */
  boolean timerScheduled;

  long timerAtNanos;
  final ArrayDeque<Message.NumberedEvent> events = new ArrayDeque<>();

  /** Events were dropped (over the limit) and the session has not acknowledged being told. */
  boolean eventsLost;

  /**
   * Counts losses of events, and which count the last answer telling of one was sent at: an
   * acknowledgement clears {@link #eventsLost} only if no loss happened after that answer, so a
   * late acknowledgement of an earlier loss can never hide a new one.
   */
  long eventLosses;

  long eventLossesTold;

  final ArrayDeque<Message.Invalidation> invalidations = new ArrayDeque<>();
  long nextInvalidationNumber = 1;

  /** Nodes this session may cache: every write to one must invalidate it here first. */
  final Set<String> cached = new HashSet<>();

  /** False until the session acknowledges this master's failover notice. */
  boolean failoverAcknowledged;

  final ArrayDeque<QueuedRequest> queue = new ArrayDeque<>();

  /** Writes of this session proposed and not yet applied; its reads wait for them. */
  int writesInFlight;

  /** The master has proposed this session's expiry. */
  boolean expiring;

  LiveSession(long id, String host, long leaseEndNanos, boolean failoverAcknowledged) {
    this.id = id;
    this.host = host;
    this.leaseEndNanos = leaseEndNanos;
    this.failoverAcknowledged = failoverAcknowledged;
  }

  /** Something the client must hear about now rather than when the lease nears its end. */
  boolean hasNews() {
    return !events.isEmpty() || !invalidations.isEmpty() || eventsLost || !failoverAcknowledged;
  }
}
