package io.tumbler.lockservice.protocol;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.Sets;
import io.tumbler.lockservice.command.ErrorCode;
import io.tumbler.lockservice.command.Event;
import io.tumbler.lockservice.command.Request;
import io.tumbler.lockservice.command.Result;
import java.util.List;
import java.util.Set;

/**
 * Everything a client and a cell say to each other. Requests carry the epoch the client believes
 * current; a master of a later epoch answers with a {@link Redirect}, never by acting on them.
 */
public sealed interface Message {

  MessageType type();

  /** Client → master: open a session. The principal comes from the TLS handshake, not from here. */
  record CreateSession(long epoch) implements Message {
    @Override
    public MessageType type() {
      return MessageType.CREATE_SESSION;
    }
  }

  /** Client → master: one numbered request of a session (see DESIGN.md, exactly once). */
  record SessionRequest(
      long epoch, long session, long requestNumber, long ackedThrough, Request request)
      implements Message {
    public SessionRequest {
      checkArgument(request != null, "request must be set");
    }

    @Override
    public MessageType type() {
      return MessageType.SESSION_REQUEST;
    }
  }

  /**
   * Client → master: extend the lease. {@code eventsAckedThrough} and {@code
   * invalidationsAckedThrough} say what the client has received, so the master may drop it and let
   * blocked writes proceed; {@code noticesAcked} says which notices of this epoch it has acted on
   * (a new master serves nothing else until every session acknowledged its failover notice).
   */
  record KeepAlive(
      long epoch,
      long session,
      long eventsAckedThrough,
      long invalidationsAckedThrough,
      Set<SessionNotice> noticesAcked)
      implements Message {
    public KeepAlive {
      noticesAcked = Sets.immutableEnumSet(noticesAcked);
    }

    @Override
    public MessageType type() {
      return MessageType.KEEP_ALIVE;
    }
  }

  /** Client → any replica: who is master? */
  record FindMaster() implements Message {
    @Override
    public MessageType type() {
      return MessageType.FIND_MASTER;
    }
  }

  record SessionCreated(long epoch, long session, long leaseMs) implements Message {
    @Override
    public MessageType type() {
      return MessageType.SESSION_CREATED;
    }
  }

  /**
   * Master → client: the result of the request with the same correlation id. {@code cachable}: the
   * client may cache what this answer says about its node (contents, metadata, absence, or a
   * directory listing) until the master invalidates it; false while a write to the node is pending
   * or when the master tracks too many cached entries for the session.
   */
  record Response(Result result, boolean cachable) implements Message {
    public Response {
      checkArgument(result != null, "result must be set");
    }

    /** An answer the client must not cache. */
    public Response(Result result) {
      this(result, false);
    }

    @Override
    public MessageType type() {
      return MessageType.RESPONSE;
    }
  }

  /**
   * Master → client: the lease now runs {@code leaseMs} from when the client sent its KeepAlive;
   * with it, session notices, and the events and cache invalidations not yet acknowledged, each
   * numbered so the client can resume after a reconnect and see gaps.
   */
  record KeepAliveResponse(
      long epoch,
      long leaseMs,
      Set<SessionNotice> notices,
      List<NumberedEvent> events,
      List<Invalidation> invalidations)
      implements Message {
    public KeepAliveResponse {
      notices = Sets.immutableEnumSet(notices);
      events = ImmutableList.copyOf(events);
      invalidations = ImmutableList.copyOf(invalidations);
    }

    @Override
    public MessageType type() {
      return MessageType.KEEP_ALIVE_RESPONSE;
    }
  }

  /** An event for one handle, numbered by the log index of the command that caused it. */
  record NumberedEvent(long index, long handle, Event event) {
    public NumberedEvent {
      checkArgument(event != null, "event must be set");
    }
  }

  /** Drop {@code path} (contents and metadata) from the cache; acknowledge {@code number}. */
  record Invalidation(long number, String path) {
    public Invalidation {
      checkArgument(path != null, "path must be set");
    }
  }

  /**
   * This replica will not serve the request. {@code reason} is NOT_MASTER (ask {@code master}, if
   * known; empty if not) or STALE_EPOCH (retry with {@code epoch}).
   */
  record Redirect(ErrorCode reason, String master, long epoch) implements Message {
    public Redirect {
      checkArgument(
          reason == ErrorCode.NOT_MASTER || reason == ErrorCode.STALE_EPOCH,
          "a redirect is for NOT_MASTER or STALE_EPOCH, not %s",
          reason);
      checkArgument(master != null, "master must be set (empty if unknown)");
    }

    @Override
    public MessageType type() {
      return MessageType.REDIRECT;
    }
  }

  /** The peer sent a frame that could not be decoded; the connection is closed after this. */
  record ProtocolError(FrameError error, String detail) implements Message {
    public ProtocolError {
      checkArgument(error != null && detail != null, "error and detail must be set");
    }

    @Override
    public MessageType type() {
      return MessageType.PROTOCOL_ERROR;
    }
  }

  /** Answer to FindMaster: the master's address (empty if none is known) and the cell members. */
  record MasterLocation(String master, long epoch, List<String> replicas) implements Message {
    public MasterLocation {
      checkArgument(master != null, "master must be set (empty if unknown)");
      replicas = ImmutableList.copyOf(replicas);
    }

    @Override
    public MessageType type() {
      return MessageType.MASTER_LOCATION;
    }
  }
}
