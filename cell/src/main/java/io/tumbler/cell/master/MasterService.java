package io.tumbler.cell.master;

import com.google.common.collect.ImmutableList;
import io.tumbler.cell.client.ClientConnection;
import io.tumbler.cell.config.CellConfig;
import io.tumbler.cell.config.ReplicaAddresses;
import io.tumbler.cell.replica.ReplicaControl;
import io.tumbler.cell.replica.ReplicatedApplication;
import io.tumbler.lockservice.command.Applied;
import io.tumbler.lockservice.command.Command;
import io.tumbler.lockservice.command.ErrorCode;
import io.tumbler.lockservice.command.EventDelivery;
import io.tumbler.lockservice.command.Request;
import io.tumbler.lockservice.command.Result;
import io.tumbler.lockservice.protocol.Frame;
import io.tumbler.lockservice.protocol.FrameCodec;
import io.tumbler.lockservice.protocol.FrameError;
import io.tumbler.lockservice.protocol.Message;
import io.tumbler.lockservice.protocol.SessionNotice;
import io.tumbler.lockservice.statemachine.LockServiceStateMachine;
import io.tumbler.lockservice.statemachine.LockServiceStateMachine.Inspection;
import io.tumbler.paxos.ChosenEntry;
import io.tumbler.paxos.Event;
import io.tumbler.paxos.Role;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lock service as one replica runs it: the replicated state machine, fed with chosen entries on
 * every replica, and — on the master only — everything CHUBBY.md asks of the master besides:
 * sessions and their leases, held KeepAlives, events, cache invalidation before writes, and the
 * failover steps of a new master. A replica that is not master answers clients with a redirect.
 *
 * <p>Everything here runs on the replica's applier thread; network threads hand frames over with
 * {@code ReplicaNode.execute}. Master-only state lives in a {@link Mastership}, dropped the moment
 * the replica stops leading; a new master rebuilds it from the replicated sessions.
 */
public final class MasterService implements ReplicatedApplication {

  private static final Logger log = LoggerFactory.getLogger(MasterService.class);

  /** The name of the {@link #trace} logger. */
  public static final String CACHE_TRACE_LOGGER = "io.tumbler.cell.master.CacheTrace";

  /**
   * At DEBUG, every answer a client may cache, every invalidation and every acknowledgement, with
   * the monotonic time ({@code System.nanoTime}, comparable across processes on one machine): what
   * it takes to explain a stale cached read after the fact. Off by default; chaos runs turn it on
   * with {@code -Dtumbler.cacheTrace=DEBUG} (docs/testing.md).
   */
  private static final Logger trace = LoggerFactory.getLogger(CACHE_TRACE_LOGGER);

  /** Frames held while a new master recovers; beyond it, clients are told to retry. */
  public static final int MAX_PARKED_FRAMES = 100_000;

  /** How often lease, KeepAlive and lock-delay timers are checked, at most. */
  static final long TIMER_SCAN_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  /**
   * How often the status the admin page and metrics read is refreshed. Counting held locks walks
   * every node, which the applier should not do every timer scan.
   */
  static final long STATUS_PUBLISH_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  /** Children and content bytes the admin tree browser shows. */
  static final int BROWSE_MAX_CHILDREN = 200;

  static final int BROWSE_MAX_CONTENT_BYTES = 4096;

  /** Where a mastership stands; see CHUBBY.md, "Master failover". */
  enum Phase {
    /** Leading, but has not yet applied everything chosen before it (steps 1–2). */
    RECOVERING,
    /** Sessions rebuilt and extended; only KeepAlives served until each acknowledged (3–6). */
    AWAITING_FAILOVER_ACKS,
    /** Serving everything (7). */
    SERVING
  }

  /** What the client waiting for a proposed command needs to get its answer. */
  private record Proposal(
      ClientConnection connection,
      long correlationId,
      String type,
      long startedNanos,
      LiveSession owner,
      PendingWrite write,
      String cachePath,
      String host) {}

  private record Parked(ClientConnection connection, Frame frame) {}

  /** A session's entry in the timer queue: look at it at {@code atNanos}. */
  private record Deadline(long atNanos, LiveSession session) {}

  private final CellConfig cell;
  private final MasterSettings settings;
  private final LockServiceStateMachine stateMachine;
  private final LongSupplier wallClockMs;
  private final LongSupplier nanoClock;
  private final ServiceMetrics metrics;
  private final TaggedCommand.Codec codec;
  private final Map<Long, ClientConnection> connections = new HashMap<>();
  private ReplicaControl replica;
  private Mastership mastership;
  private long lastTimerScanNanos;
  private boolean timersScanned;
  private long lastStatusNanos;
  private boolean statusPublished;
  private volatile ServiceStatus status = ServiceStatus.STARTING;

  public MasterService(
      CellConfig cell,
      MasterSettings settings,
      LockServiceStateMachine stateMachine,
      LongSupplier wallClockMs,
      ServiceMetrics metrics) {
    this(cell, settings, stateMachine, wallClockMs, System::nanoTime, metrics);
  }

  /** With the monotonic clock given too, so tests can step time. */
  MasterService(
      CellConfig cell,
      MasterSettings settings,
      LockServiceStateMachine stateMachine,
      LongSupplier wallClockMs,
      LongSupplier nanoClock,
      ServiceMetrics metrics) {
    this.cell = cell;
    this.settings = settings;
    this.stateMachine = stateMachine;
    this.wallClockMs = wallClockMs;
    this.nanoClock = nanoClock;
    this.metrics = metrics;
    this.codec = new TaggedCommand.Codec(stateMachine.limits());
  }

  // ---------------------------------------------------------------------------------------------
  // Replicated state (every replica)

  @Override
  public void attach(ReplicaControl replica) {
    this.replica = replica;
  }

  @Override
  public void apply(ChosenEntry entry) {
    metrics.slotApplied(entry.value().commands().size());
    for (io.tumbler.paxos.Command command : entry.value().commands()) {
      TaggedCommand tagged = codec.decode(command);
      long index = stateMachine.lastAppliedIndex() + 1;
      Applied applied = stateMachine.apply(index, tagged.command());
      if (mastership != null) {
        mastership.applied(index, tagged, applied, nanoClock.getAsLong());
      }
    }
  }

  @Override
  public void install(long index, InputStream snapshot) throws IOException {
    log.info("installing the snapshot at slot {}", index);
    stateMachine.restore(snapshot);
  }

  @Override
  public void snapshot(OutputStream out) throws IOException {
    stateMachine.snapshot(out);
  }

  @Override
  public void refused(List<io.tumbler.paxos.Command> commands, int leaderHint) {
    if (mastership == null) {
      return; // its proposals were answered when it stopped leading
    }
    for (io.tumbler.paxos.Command command : commands) {
      mastership.refused(codec.decode(command));
    }
  }

  @Override
  public void onEvent(long nowNanos, Event event) {
    syncMastership(nowNanos);
  }

  @Override
  public void onTick(long nowNanos) {
    syncMastership(nowNanos);
    if (timersScanned && nowNanos - lastTimerScanNanos < TIMER_SCAN_INTERVAL_NANOS) {
      return;
    }
    timersScanned = true;
    lastTimerScanNanos = nowNanos;
    if (mastership != null) {
      mastership.timers(nowNanos);
    }
    if (!statusPublished || nowNanos - lastStatusNanos >= STATUS_PUBLISH_INTERVAL_NANOS) {
      statusPublished = true;
      lastStatusNanos = nowNanos;
      publishStatus();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Clients

  /**
   * A frame from a client. Applier thread only. A failure while serving it is a bug, but one a
   * client's frame triggered: that client is disconnected and the replica keeps serving the rest
   * (the replicated state is not touched here; only apply() changes it, and a failure there stops
   * the replica).
   */
  public void onFrame(ClientConnection connection, Frame frame, long nowNanos) {
    try {
      serve(connection, frame, nowNanos);
    } catch (RuntimeException e) {
      log.error(
          "closing client {}: serving its {} failed",
          connection.remoteHost(),
          frame.message().type(),
          e);
      connection.send(
          new Frame(
              frame.correlationId(),
              new Message.ProtocolError(
                  FrameError.MALFORMED_BODY, "the replica could not serve it")));
      connection.close();
    }
  }

  private void serve(ClientConnection connection, Frame frame, long nowNanos) {
    connections.putIfAbsent(connection.id(), connection);
    syncMastership(nowNanos);
    Message message = frame.message();
    if (message instanceof Message.FindMaster) {
      // Only the master names its epoch. A follower's is the ballot it last promised, which may
      // be a candidate's that never won: a client adopting it would send the master requests of
      // an epoch above the master's, each refused as stale, until some newer master arrived. With
      // 0 the client learns the epoch from the master itself (a stale-epoch redirect names it).
      long epoch = replica.role() == Role.LEADER ? replica.epoch() : 0;
      connection.send(
          new Frame(
              frame.correlationId(),
              new Message.MasterLocation(masterAddress(), epoch, clientAddresses())));
    } else if (message instanceof Message.CreateSession
        || message instanceof Message.SessionRequest
        || message instanceof Message.KeepAlive) {
      if (mastership == null) {
        connection.send(
            new Frame(
                frame.correlationId(),
                new Message.Redirect(ErrorCode.NOT_MASTER, masterAddress(), replica.epoch())));
      } else {
        mastership.onFrame(connection, frame, nowNanos);
      }
    } else {
      log.warn(
          "closing client {}: it sent {}, which only a cell sends",
          connection.remoteHost(),
          message.type());
      connection.send(
          new Frame(
              frame.correlationId(),
              new Message.ProtocolError(
                  FrameError.UNKNOWN_MESSAGE_TYPE, "clients may not send " + message.type())));
      connection.close();
    }
  }

  /** A client connection closed. Applier thread only. */
  public void onClosed(ClientConnection connection) {
    connections.remove(connection.id());
    if (mastership != null) {
      mastership.connectionClosed(connection);
    }
  }

  /** The node at {@code path}, for the admin tree browser. Applier thread only. */
  public Optional<Inspection> browse(String path) {
    return stateMachine.inspect(path, BROWSE_MAX_CHILDREN, BROWSE_MAX_CONTENT_BYTES);
  }

  /** Any thread. */
  public ServiceStatus status() {
    return status;
  }

  private void publishStatus() {
    status =
        new ServiceStatus(
            mastership == null ? "FOLLOWER" : mastership.phase.name(),
            stateMachine.sessionCount(),
            stateMachine.heldLockCount(),
            stateMachine.nodeCount(),
            stateMachine.lastAppliedIndex(),
            connections.size(),
            mastership == null ? 0 : mastership.cache.nodesBeingWritten());
  }

  private void syncMastership(long nowNanos) {
    boolean leads = replica.role() == Role.LEADER;
    if (mastership != null && (!leads || mastership.epoch != replica.epoch())) {
      log.info("mastership of epoch {} ends", mastership.epoch);
      mastership.end();
      mastership = null;
    }
    if (leads && mastership == null) {
      log.info("mastership of epoch {} begins; recovering", replica.epoch());
      mastership = new Mastership(replica.epoch());
    }
    if (mastership != null) {
      mastership.advance(nowNanos);
    }
  }

  private String masterAddress() {
    int master = replica.masterId();
    return master < 0 ? "" : cell.replica(master).map(ReplicaAddresses::client).orElse("");
  }

  private List<String> clientAddresses() {
    return cell.replicas().stream()
        .map(ReplicaAddresses::client)
        .collect(ImmutableList.toImmutableList());
  }

  private static void reply(ClientConnection connection, long correlationId, Message message) {
    connection.send(new Frame(correlationId, message));
  }

  /** The content generation an answer reports, or -1: for the cache trace. */
  private static long generationOf(Result result) {
    if (result instanceof Result.Contents c) {
      return c.stat().contentGeneration();
    } else if (result instanceof Result.StatResult r) {
      return r.stat().contentGeneration();
    }
    return -1;
  }

  private static String typeOf(Message message) {
    return message instanceof Message.SessionRequest r
        ? r.request().getClass().getSimpleName()
        : message.getClass().getSimpleName();
  }

  // ---------------------------------------------------------------------------------------------
  // The master's state for one epoch

  private final class Mastership {
    final long epoch;
    Phase phase = Phase.RECOVERING;
    final Map<Long, LiveSession> sessions = new LinkedHashMap<>();
    final Map<Long, Proposal> proposals = new HashMap<>();
    final List<Parked> parked = new ArrayList<>();
    final List<PendingWrite> blocked = new ArrayList<>();
    final Map<PendingWrite, Runnable> whenUnblocked = new HashMap<>();
    final CacheTracker cache = new CacheTracker(settings.maxTrackedCacheEntriesPerSession());
    final Map<String, Integer> sessionsByHost = new HashMap<>();

    /**
     * When each session next needs the timers: its lease's end, or, with a KeepAlive held, the
     * moment to answer it. Entries are never removed early; one whose time no longer matches its
     * session's {@link LiveSession#timerAtNanos} is stale and skipped. So a timer scan costs the
     * sessions that are due, not all of them: a master holds 100 000 idle sessions cheaply.
     */
    final PriorityQueue<Deadline> deadlines =
        new PriorityQueue<>((a, b) -> Long.compare(a.atNanos() - b.atNanos(), 0));

    /** Sessions whose queue is not empty after a pump: the ones a later pump may move on. */
    final Set<LiveSession> waiting = new LinkedHashSet<>();

    /** Sessions holding a KeepAlive, by connection id: what a closed connection affects. */
    final Map<Long, Set<LiveSession>> heldOnConnection = new HashMap<>();

    /** Sessions that have neither acknowledged this master's failover nor started to expire. */
    int awaitingFailoverAcks;

    long nextTag = 1;
    long lockDelayTickProposedFor = -1;

    Mastership(long epoch) {
      this.epoch = epoch;
    }

    /** Moves through the failover steps as far as the replica's state allows. */
    void advance(long now) {
      if (phase == Phase.RECOVERING && replica.canServeReads(now)) {
        // Step 3: every session the old master had gets the longest lease it could have granted.
        long leaseEnd = now + leaseNanos();
        for (long id : stateMachine.sessionIds()) {
          LiveSession s = new LiveSession(id, "", leaseEnd, false);
          sessions.put(id, s);
          schedule(s);
        }
        awaitingFailoverAcks = sessions.size();
        phase = Phase.AWAITING_FAILOVER_ACKS;
        log.info(
            "epoch {}: recovered; {} sessions must acknowledge the failover",
            epoch,
            sessions.size());
        replayParked(now);
      }
      if (phase == Phase.AWAITING_FAILOVER_ACKS && awaitingFailoverAcks == 0) {
        phase = Phase.SERVING;
        log.info("epoch {}: serving", epoch);
        replayParked(now);
        for (LiveSession s : List.copyOf(sessions.values())) {
          pump(s, now);
        }
      }
    }

    private void replayParked(long now) {
      List<Parked> again = List.copyOf(parked);
      parked.clear();
      for (Parked p : again) {
        // A client that gave up on the wait (in jeopardy it looks for the master again) has
        // resent its request on a new connection; the copy on the closed one has nobody to answer.
        if (p.connection().isOpen()) {
          onFrame(p.connection(), p.frame(), now);
        }
      }
    }

    void onFrame(ClientConnection connection, Frame frame, long now) {
      Message message = frame.message();
      long correlationId = frame.correlationId();
      boolean waitForRecovery = phase == Phase.RECOVERING;
      boolean waitForFailoverAcks =
          phase == Phase.AWAITING_FAILOVER_ACKS && message instanceof Message.CreateSession;
      if (waitForRecovery || waitForFailoverAcks) {
        if (parked.size() >= MAX_PARKED_FRAMES) {
          reply(connection, correlationId, overloaded("the new master is still recovering"));
        } else {
          parked.add(new Parked(connection, frame));
        }
        return;
      }
      if (message instanceof Message.CreateSession m) {
        if (m.epoch() != 0 && m.epoch() != epoch) {
          reply(connection, correlationId, staleEpoch());
          return;
        }
        createSession(connection, correlationId, now);
      } else if (message instanceof Message.SessionRequest m) {
        LiveSession s = liveSession(connection, correlationId, m.epoch(), m.session());
        if (s == null) {
          return;
        }
        if (s.queue.size() >= settings.maxQueuedRequestsPerSession()) {
          reply(
              connection,
              correlationId,
              new Message.Response(
                  Result.failure(
                      ErrorCode.LIMIT_EXCEEDED,
                      "%d requests of session %d already queued",
                      s.queue.size(),
                      s.id)));
          return;
        }
        s.queue.add(new LiveSession.QueuedRequest(connection, correlationId, m, now));
        pump(s, now);
      } else if (message instanceof Message.KeepAlive m) {
        LiveSession s = liveSession(connection, correlationId, m.epoch(), m.session());
        if (s == null) {
          return;
        }
        keepAlive(s, connection, correlationId, m, now);
      }
    }

    /** The session a request names, or null after answering why it cannot be served. */
    private LiveSession liveSession(
        ClientConnection connection, long correlationId, long requestEpoch, long session) {
      if (requestEpoch != epoch) {
        reply(connection, correlationId, staleEpoch());
        return null;
      }
      LiveSession s = sessions.get(session);
      if (s == null || s.expiring) {
        reply(connection, correlationId, sessionExpired(session));
        return null;
      }
      return s;
    }

    private Message staleEpoch() {
      return new Message.Redirect(ErrorCode.STALE_EPOCH, "", epoch);
    }

    private Message sessionExpired(long session) {
      return new Message.Response(
          Result.failure(ErrorCode.SESSION_EXPIRED, "session %d has expired or ended", session));
    }

    private Message overloaded(String why) {
      return new Message.Response(Result.failure(ErrorCode.LIMIT_EXCEEDED, "%s; retry", why));
    }

    // --- sessions ------------------------------------------------------------------------------

    private void createSession(ClientConnection connection, long correlationId, long now) {
      String host = connection.remoteHost();
      int fromHost = sessionsByHost.getOrDefault(host, 0);
      if (fromHost >= settings.maxSessionsPerClientHost()) {
        reply(
            connection,
            correlationId,
            new Message.Response(
                Result.failure(
                    ErrorCode.LIMIT_EXCEEDED,
                    "%s already has %d sessions (maxSessionsPerClientHost)",
                    host,
                    fromHost)));
        return;
      }
      // Counted from the proposal, so a burst of creations cannot overshoot the limit.
      sessionsByHost.merge(host, 1, Integer::sum);
      propose(
          new Command.CreateSession(wallClockMs.getAsLong(), LockServiceStateMachine.ANONYMOUS),
          new Proposal(connection, correlationId, "CreateSession", now, null, null, null, host));
    }

    private void keepAlive(
        LiveSession s,
        ClientConnection connection,
        long correlationId,
        Message.KeepAlive m,
        long now) {
      if (trace.isDebugEnabled()) {
        trace.debug(
            "t={} e={} keepalive s={} conn={} invalidationsAcked={} noticesAcked={}",
            nanoClock.getAsLong(),
            epoch,
            s.id,
            connection.id(),
            m.invalidationsAckedThrough(),
            m.noticesAcked());
      }
      while (!s.events.isEmpty() && s.events.peekFirst().index() <= m.eventsAckedThrough()) {
        s.events.pollFirst();
      }
      while (!s.invalidations.isEmpty()
          && s.invalidations.peekFirst().number() <= m.invalidationsAckedThrough()) {
        s.invalidations.pollFirst();
      }
      if (m.noticesAcked().contains(SessionNotice.MASTER_FAILED_OVER) && !s.failoverAcknowledged) {
        s.failoverAcknowledged = true;
        if (!s.expiring) {
          awaitingFailoverAcks--; // an expiring session was counted off when it began to expire
        }
      }
      if (m.noticesAcked().contains(SessionNotice.EVENTS_LOST)
          && s.eventLossesTold == s.eventLosses) {
        s.eventsLost = false;
      }
      unblock(s.id, m.invalidationsAckedThrough(), now);
      boolean mayExtend = replica.holdsLease(now);
      if (s.held != null && mayExtend) {
        answerKeepAlive(s, now); // superseded: answer the older one with what there is
      }
      hold(s, new LiveSession.HeldKeepAlive(connection, correlationId, now));
      if (mayExtend && (s.hasNews() || s.leaseEndNanos - now <= answerAheadNanos())) {
        answerKeepAlive(s, now);
      } else {
        schedule(s);
      }
      advance(now);
    }

    private void answerKeepAlive(LiveSession s, long now) {
      LiveSession.HeldKeepAlive held = s.held;
      unhold(s);
      // Extended, never shortened. The client counts the lease from when it sent the KeepAlive,
      // which was before the master received it, so it never believes in more than this.
      s.leaseEndNanos = Math.max(s.leaseEndNanos, now + leaseNanos());
      long leaseMs = TimeUnit.NANOSECONDS.toMillis(s.leaseEndNanos - held.receivedAtNanos());
      Set<SessionNotice> notices = EnumSet.noneOf(SessionNotice.class);
      if (!s.failoverAcknowledged) {
        notices.add(SessionNotice.MASTER_FAILED_OVER);
      }
      if (s.eventsLost) {
        notices.add(SessionNotice.EVENTS_LOST);
        s.eventLossesTold = s.eventLosses;
      }
      List<Message.NumberedEvent> events =
          s.events.stream().limit(FrameCodec.MAX_EVENTS_PER_KEEP_ALIVE).toList();
      List<Message.Invalidation> invalidations =
          s.invalidations.stream().limit(FrameCodec.MAX_EVENTS_PER_KEEP_ALIVE).toList();
      reply(
          held.connection(),
          held.correlationId(),
          new Message.KeepAliveResponse(epoch, leaseMs, notices, events, invalidations));
      if (trace.isDebugEnabled()) {
        trace.debug(
            "t={} e={} answer s={} conn={} leaseMs={} notices={} invalidations={}",
            now,
            epoch,
            s.id,
            held.connection().id(),
            leaseMs,
            notices,
            invalidations);
      }
      metrics.requestServed("KeepAlive", now - held.receivedAtNanos(), true);
    }

    /** Tells a session now if it has news and a KeepAlive is waiting. */
    private void wake(LiveSession s, long now) {
      if (s.held != null && s.hasNews() && replica.holdsLease(now)) {
        answerKeepAlive(s, now);
      }
    }

    void connectionClosed(ClientConnection connection) {
      Set<LiveSession> held = heldOnConnection.remove(connection.id());
      if (held != null) {
        held.forEach(s -> s.held = null);
      }
    }

    private void hold(LiveSession s, LiveSession.HeldKeepAlive keepAlive) {
      unhold(s);
      s.held = keepAlive;
      heldOnConnection.computeIfAbsent(keepAlive.connection().id(), c -> new HashSet<>()).add(s);
    }

    private void unhold(LiveSession s) {
      if (s.held == null) {
        return;
      }
      long connection = s.held.connection().id();
      Set<LiveSession> onConnection = heldOnConnection.get(connection);
      if (onConnection != null && onConnection.remove(s) && onConnection.isEmpty()) {
        heldOnConnection.remove(connection);
      }
      s.held = null;
    }

    /**
     * When the session next needs the timers: to answer its held KeepAlive, or to expire — which it
     * does once the lease is strictly past its end, hence the one nanosecond.
     */
    private long dueNanos(LiveSession s) {
      return s.held != null ? s.leaseEndNanos - answerAheadNanos() : s.leaseEndNanos + 1;
    }

    /** Makes sure the timers look at the session by {@link #dueNanos}; earlier is harmless. */
    private void schedule(LiveSession s) {
      long due = dueNanos(s);
      if (s.timerScheduled && s.timerAtNanos - due <= 0) {
        return; // an entry at or before it will come up and reschedule
      }
      s.timerScheduled = true;
      s.timerAtNanos = due;
      deadlines.add(new Deadline(due, s));
    }

    // --- requests ------------------------------------------------------------------------------

    /**
     * Serves a session's requests in the order they came: a read once the session's earlier writes
     * are applied (so it reads its writes), a write once the sessions caching what it changes
     * acknowledged their invalidations. Writes of a session go to Paxos in order, and the log keeps
     * that order, so several may be in flight.
     */
    private void pump(LiveSession s, long now) {
      pumpQueue(s, now);
      if (!s.queue.isEmpty() && !s.expiring) {
        waiting.add(s);
      }
    }

    private void pumpQueue(LiveSession s, long now) {
      while (phase == Phase.SERVING && !s.queue.isEmpty() && !s.expiring) {
        LiveSession.QueuedRequest q = s.queue.peekFirst();
        Request request = q.message.request();
        if (request.readOnly()) {
          if (s.writesInFlight > 0 || !replica.canServeReads(now)) {
            return; // retried when the writes are applied, or on a later tick
          }
          s.queue.pollFirst();
          Result result = stateMachine.read(s.id, request);
          String path = readPath(s, request);
          boolean cachable = result.ok() && path != null && cache.track(s, path);
          reply(q.connection, q.correlationId, new Message.Response(result, cachable));
          if (path != null && trace.isDebugEnabled()) {
            trace.debug(
                "t={} e={} read s={} n={} conn={} path={} gen={} cachable={}",
                nanoClock.getAsLong(),
                epoch,
                s.id,
                q.message.requestNumber(),
                q.connection.id(),
                path,
                generationOf(result),
                cachable);
          }
          metrics.requestServed(typeOf(q.message), now - q.receivedAtNanos, result.ok());
          continue;
        }
        Command command = clientCommand(s, q);
        if (q.write == null) {
          q.write = beginWrite(command, s.id, now);
        }
        if (!q.write.ready()) {
          return; // unblock() pumps again once the invalidations are acknowledged
        }
        s.queue.pollFirst();
        s.writesInFlight++;
        String cachePath =
            request instanceof Request.Open open && !open.create().creates() ? open.path() : null;
        propose(
            command,
            new Proposal(
                q.connection,
                q.correlationId,
                typeOf(q.message),
                q.receivedAtNanos,
                s,
                q.write,
                cachePath,
                null));
      }
    }

    private Command clientCommand(LiveSession s, LiveSession.QueuedRequest q) {
      Message.SessionRequest m = q.message;
      return new Command.ClientRequest(
          wallClockMs.getAsLong(), s.id, m.requestNumber(), m.ackedThrough(), m.request());
    }

    /** The node whose cached facts a read's answer describes, or null. */
    private String readPath(LiveSession s, Request request) {
      long handle;
      if (request instanceof Request.GetContentsAndStat r) {
        handle = r.handle();
      } else if (request instanceof Request.GetStat r) {
        handle = r.handle();
      } else {
        // Listings are not cached: each entry carries a child's metadata (CachedPaths).
        return null;
      }
      return stateMachine.handlePath(s.id, handle).orElse(null);
    }

    /**
     * Starts a write: invalidations go to every session that may cache what it changes, except
     * {@code writer} (0 for the master's own writes), which drops those entries itself when it
     * sends a write (docs/protocol.md, caching) and whose later reads wait for the write anyway.
     */
    private PendingWrite beginWrite(Command command, long writer, long now) {
      Set<String> paths = stateMachine.cachedPathsChangedBy(command);
      PendingWrite write = cache.begin(paths, writer, sessions::get);
      if (!paths.isEmpty() && trace.isDebugEnabled()) {
        trace.debug(
            "t={} e={} begin writer={} paths={} invalidating={}",
            nanoClock.getAsLong(),
            epoch,
            writer,
            paths,
            write.awaiting);
      }
      if (!write.awaiting.isEmpty()) {
        metrics.invalidationsSent(write.awaiting.size());
        blocked.add(write);
        for (long id : write.awaiting.keySet()) {
          wake(sessions.get(id), now);
        }
      }
      return write;
    }

    /** A session acknowledged invalidations through {@code number} (or stopped mattering). */
    private void unblock(long session, long number, long now) {
      if (blocked.isEmpty()) {
        return;
      }
      List<LiveSession> toPump = new ArrayList<>();
      for (Iterator<PendingWrite> it = blocked.iterator(); it.hasNext(); ) {
        PendingWrite write = it.next();
        write.acknowledged(session, number);
        if (write.ready()) {
          it.remove();
          Runnable then = whenUnblocked.remove(write);
          if (then != null) {
            then.run();
          }
        }
      }
      for (LiveSession s : waiting) {
        if (!s.queue.isEmpty() && s.queue.peekFirst().write != null) {
          toPump.add(s);
        }
      }
      for (LiveSession s : toPump) {
        pump(s, now);
      }
    }

    /** A write the master itself makes (expiry, lock-delay tick): invalidate, then propose. */
    private void masterWrite(Command command, String type, long now) {
      PendingWrite write = beginWrite(command, 0, now);
      Runnable proposeIt =
          () -> propose(command, new Proposal(null, 0, type, now, null, write, null, null));
      if (write.ready()) {
        proposeIt.run();
      } else {
        whenUnblocked.put(write, proposeIt);
      }
    }

    private void propose(Command command, Proposal proposal) {
      long tag = nextTag++;
      io.tumbler.paxos.Command entry = codec.encode(new TaggedCommand(epoch, tag, command));
      if (entry.sizeBytes() > cell.paxos().maxCommandBytes()) {
        // Refused here with a clear error, before Paxos would refuse it as an oversized command.
        complete(
            proposal,
            Result.failure(
                ErrorCode.TOO_LARGE,
                "the request encodes to %d bytes; a log entry holds at most %d (paxos.maxCommandBytes)",
                entry.sizeBytes(),
                cell.paxos().maxCommandBytes()),
            nanoClock.getAsLong());
        return;
      }
      proposals.put(tag, proposal);
      replica.propose(entry);
    }

    // --- applied entries -----------------------------------------------------------------------

    void applied(long index, TaggedCommand tagged, Applied applied, long now) {
      for (EventDelivery delivery : applied.events()) {
        LiveSession s = sessions.get(delivery.session());
        if (s == null) {
          continue;
        }
        if (s.events.size() >= settings.maxPendingEventsPerSession()) {
          // Never a silent gap: the session is told it lost events and must re-read.
          s.events.clear();
          s.eventsLost = true;
          s.eventLosses++;
        } else {
          s.events.add(new Message.NumberedEvent(index, delivery.handle(), delivery.event()));
        }
      }
      Proposal proposal = tagged.epoch() == epoch ? proposals.remove(tagged.tag()) : null;
      Command command = tagged.command();
      Result result = applied.result();
      if (command instanceof Command.CreateSession && result instanceof Result.SessionCreated c) {
        // Every new session gets a lease here, even one whose creator is gone, so it expires.
        // Its host was counted when it was proposed; one proposed by an earlier master has none.
        String host = proposal == null ? "" : proposal.host();
        LiveSession s = new LiveSession(c.session(), host, now + leaseNanos(), true);
        sessions.put(c.session(), s);
        schedule(s);
      } else if (command instanceof Command.CreateSession && proposal != null) {
        sessionsByHost.computeIfPresent(proposal.host(), (h, n) -> n == 1 ? null : n - 1);
      }
      if (proposal != null) {
        complete(proposal, result, now);
      }
      long session = sessionOf(command);
      if (session != 0 && sessions.containsKey(session) && !stateMachine.hasSession(session)) {
        drop(sessions.get(session), now);
      }
      for (EventDelivery delivery : applied.events()) {
        LiveSession s = sessions.get(delivery.session());
        if (s != null) {
          wake(s, now);
        }
      }
    }

    private void complete(Proposal proposal, Result result, long now) {
      if (proposal.write() != null) {
        cache.finish(proposal.write());
        if (!proposal.write().paths.isEmpty() && trace.isDebugEnabled()) {
          trace.debug(
              "t={} e={} finish {} s={} paths={} ok={} gen={}",
              now,
              epoch,
              proposal.type(),
              proposal.owner() == null ? 0 : proposal.owner().id,
              proposal.write().paths,
              result.ok(),
              generationOf(result));
        }
      }
      LiveSession owner = proposal.owner();
      if (proposal.connection() != null) {
        Message answer;
        if (result instanceof Result.SessionCreated c) {
          answer = new Message.SessionCreated(epoch, c.session(), settings.sessionLeaseMs());
        } else {
          // Absence is cached from an Open that found nothing. Tracked only now, when it is
          // applied: a write to the node begun earlier is still in progress (so this answer is
          // not cachable), and one begun later will invalidate it. Opened nodes are not tracked,
          // so that merely opening a lock file does not make every Acquire wait for the opener;
          // a client caches metadata from GetStat or GetContentsAndStat.
          boolean cachable =
              owner != null
                  && proposal.cachePath() != null
                  && result instanceof Result.Failure f
                  && f.code() == ErrorCode.NOT_FOUND
                  && cache.track(owner, proposal.cachePath());
          answer = new Message.Response(result, cachable);
        }
        reply(proposal.connection(), proposal.correlationId(), answer);
      }
      metrics.requestServed(proposal.type(), now - proposal.startedNanos(), result.ok());
      if (owner != null) {
        owner.writesInFlight--;
        pump(owner, now);
      }
    }

    private long sessionOf(Command command) {
      if (command instanceof Command.ExpireSession c) {
        return c.session();
      } else if (command instanceof Command.ClientRequest c) {
        return c.session();
      }
      return 0;
    }

    /** The session ended or expired in the replicated state: forget it here too. */
    private void drop(LiveSession s, long now) {
      trace.debug("t={} e={} drop s={}", now, epoch, s.id);
      sessions.remove(s.id);
      waiting.remove(s);
      if (!s.failoverAcknowledged && !s.expiring) {
        awaitingFailoverAcks--;
      }
      cache.forget(s);
      sessionsByHost.computeIfPresent(s.host, (h, n) -> n == 1 ? null : n - 1);
      Message expired = sessionExpired(s.id);
      for (LiveSession.QueuedRequest q : s.queue) {
        if (q.write != null) {
          cache.finish(q.write);
          blocked.remove(q.write);
        }
        reply(q.connection, q.correlationId, expired);
      }
      s.queue.clear();
      if (s.held != null) {
        reply(s.held.connection(), s.held.correlationId(), expired);
        unhold(s);
      }
      unblock(s.id, Long.MAX_VALUE, now);
      advance(now);
    }

    void refused(TaggedCommand tagged) {
      Proposal proposal = tagged.epoch() == epoch ? proposals.remove(tagged.tag()) : null;
      if (proposal == null) {
        return;
      }
      if (tagged.command() instanceof Command.ExpireSession c) {
        LiveSession s = sessions.get(c.session());
        if (s != null) {
          s.expiring = false;
          schedule(s); // its lease is over: the next timer scan proposes the expiry again
          if (!s.failoverAcknowledged) {
            // Counted off when it began to expire; counted again, or the next expiry (or its
            // acknowledgement) would count it off twice and let the failover end too soon.
            awaitingFailoverAcks++;
          }
        }
      } else if (tagged.command() instanceof Command.Tick) {
        lockDelayTickProposedFor = -1;
      }
      complete(
          proposal,
          Result.failure(ErrorCode.LIMIT_EXCEEDED, "the master's proposal queue is full; retry"),
          nanoClock.getAsLong());
    }

    // --- timers --------------------------------------------------------------------------------

    void timers(long now) {
      // Without its master lease — frozen past it, or cut off from a majority — this master may
      // already have a successor, whose recovery counted every session lease from the end of this
      // master's: it extends no lease (an answered KeepAlive would let a client trust its cache
      // and its locks for longer than the successor does), and it expires nobody either, since
      // its own silence is why the leases ran out. Both wait until the lease is back, if ever.
      boolean mayExtend = replica.holdsLease(now);
      while (mayExtend && !deadlines.isEmpty() && deadlines.peek().atNanos() - now <= 0) {
        Deadline d = deadlines.poll();
        LiveSession s = d.session();
        if (s.expiring || sessions.get(s.id) != s || s.timerAtNanos != d.atNanos()) {
          continue; // ended, or a stale entry: a later one stands for the session
        }
        s.timerScheduled = false;
        if (now - s.leaseEndNanos > 0) {
          expire(s, now);
        } else if (s.held != null && s.leaseEndNanos - now <= answerAheadNanos()) {
          answerKeepAlive(s, now);
          schedule(s);
        } else {
          schedule(s); // the lease was extended since this entry was made
        }
      }
      // Reads wait for canServeReads, which comes back with time.
      for (LiveSession s : List.copyOf(waiting)) {
        waiting.remove(s);
        pump(s, now);
      }
      long lockDelayEnd = stateMachine.nextLockDelayEndMs();
      long wallNow = wallClockMs.getAsLong();
      if (lockDelayEnd >= 0
          && wallNow >= lockDelayEnd
          && lockDelayTickProposedFor != lockDelayEnd) {
        lockDelayTickProposedFor = lockDelayEnd;
        masterWrite(new Command.Tick(wallNow), "Tick", now);
      }
      advance(now);
    }

    private void expire(LiveSession s, long now) {
      log.info("epoch {}: session {} expired: no KeepAlive within its lease", epoch, s.id);
      s.expiring = true;
      if (!s.failoverAcknowledged) {
        awaitingFailoverAcks--;
      }
      metrics.sessionExpired();
      // Its invalidations can no longer be acknowledged, and need not be: its lease is over.
      unblock(s.id, Long.MAX_VALUE, now);
      masterWrite(new Command.ExpireSession(wallClockMs.getAsLong(), s.id), "ExpireSession", now);
    }

    /** Stopped leading: every waiting client is sent to the new master and retries there. */
    void end() {
      Message redirect = new Message.Redirect(ErrorCode.NOT_MASTER, masterAddress(), epoch);
      for (Proposal p : proposals.values()) {
        if (p.connection() != null) {
          reply(p.connection(), p.correlationId(), redirect);
        }
      }
      for (LiveSession s : sessions.values()) {
        for (LiveSession.QueuedRequest q : s.queue) {
          reply(q.connection, q.correlationId, redirect);
        }
        if (s.held != null) {
          reply(s.held.connection(), s.held.correlationId(), redirect);
        }
      }
      for (Parked p : parked) {
        reply(p.connection(), p.frame().correlationId(), redirect);
      }
    }

    private long leaseNanos() {
      return TimeUnit.MILLISECONDS.toNanos(settings.sessionLeaseMs());
    }

    private long answerAheadNanos() {
      return TimeUnit.MILLISECONDS.toNanos(settings.keepAliveAnswerAheadMs());
    }
  }
}
