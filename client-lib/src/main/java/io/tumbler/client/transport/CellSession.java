package io.tumbler.client.transport;

import com.google.common.base.Throwables;
import com.google.common.collect.ImmutableList;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.tumbler.lockservice.Limits;
import io.tumbler.lockservice.command.ErrorCode;
import io.tumbler.lockservice.command.Request;
import io.tumbler.lockservice.command.Result;
import io.tumbler.lockservice.protocol.FrameCodec;
import io.tumbler.lockservice.protocol.Message;
import io.tumbler.lockservice.protocol.SessionNotice;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session with a cell, at the protocol level: finds the master, creates the session, keeps one
 * KeepAlive outstanding at all times, numbers requests and resends them — with the same number —
 * after a redirect, a stale epoch or a lost connection, so each is applied at most once (see
 * docs/protocol.md). It tracks the lease conservatively and moves to {@link State#JEOPARDY} when it
 * runs out, then to {@link State#EXPIRED} after the grace period.
 *
 * <p>All state is owned by one thread (the session's executor); Netty threads hand results to it.
 * Listeners are called on that thread, in order, before the next KeepAlive acknowledges what they
 * were told: a listener that flushes a cache has flushed it before the master hears so.
 */
public final class CellSession implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(CellSession.class);

  /** The name of the {@link #trace} logger. */
  public static final String CACHE_TRACE_LOGGER = "io.tumbler.client.transport.CacheTrace";

  /**
   * At DEBUG, every answer the cache may keep, every KeepAlive and its answer, and every change of
   * epoch or connection, with the monotonic time ({@code System.nanoTime}, comparable with the
   * replicas' own trace on one machine): what it takes to explain a stale cached read. Off unless a
   * logging configuration turns it on (the chaos harness does, docs/testing.md).
   */
  private static final Logger trace = LoggerFactory.getLogger(CACHE_TRACE_LOGGER);

  /** Default time to find a master again after the lease ran out before the session is lost. */
  public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofSeconds(45);

  /**
   * Subtracted from every lease the master grants: the master's and the client's clocks may run at
   * slightly different rates, and the client must never believe in a lease the master has already
   * ended.
   */
  public static final double LEASE_DRIFT_MARGIN = 0.02;

  /**
   * How long a request waits for its answer before it is sent again, with the same number. Long
   * enough for a write that waits for cache invalidations (at most a session lease); a resend of a
   * request still under way is harmless, since the cell applies each number once.
   */
  public static final Duration DEFAULT_RESEND_AFTER = Duration.ofSeconds(15);

  /** First and largest pause between attempts to find the master. */
  static final long LOCATE_BACKOFF_MIN_MILLIS = 50;

  static final long LOCATE_BACKOFF_MAX_MILLIS = 1_000;

  /** How often the local lease is checked. */
  static final long LEASE_CHECK_MILLIS = 100;

  /**
   * How long one attempt to find the master may take — connect, ask, connect to the replica named —
   * before the next replica is asked: at first, and at most after consecutive failures (each
   * doubles it, so a machine too slow for the first bound still gets through). A replica that is
   * frozen (SIGSTOP, a long GC pause) still accepts connections but answers nothing; without a
   * bound, locating would wait on it for ever.
   */
  static final long LOCATE_ATTEMPT_TIMEOUT_MIN_MILLIS = 1_000;

  static final long LOCATE_ATTEMPT_TIMEOUT_MAX_MILLIS = 8_000;

  /**
   * In jeopardy the master has let the lease run out, so its connection is no longer trusted: the
   * session drops it and looks for the master again at once, and again this often while the
   * jeopardy lasts. A master that froze with its connections open would otherwise keep the session
   * waiting until the new master ended it.
   */
  static final long JEOPARDY_RELOCATE_MILLIS = 2_000;

  /** Session states, as CHUBBY.md names them. */
  public enum State {
    CONNECTING,
    HEALTHY,
    /** The local lease ran out: caches must not be trusted; calls wait for a master. */
    JEOPARDY,
    /** The grace period passed without reaching a master, or the master said so. */
    EXPIRED,
    CLOSED
  }

  /** What the master tells the session besides answers. Called on the session's thread. */
  public interface Listener {
    default void onEvents(List<Message.NumberedEvent> events) {}

    /** Drop these nodes from any cache before returning. */
    default void onInvalidations(List<Message.Invalidation> invalidations) {}

    /** A new master took over, or events were lost: drop every cached entry before returning. */
    default void onNotices(Set<SessionNotice> notices) {}

    default void onStateChanged(State state) {}

    /**
     * The master answered {@code request}; called before the caller's future completes, and before
     * any message that came after this answer is looked at, so a cache filled here can never
     * outlive an invalidation sent after the answer.
     */
    default void onAnswer(Request request, Message.Response response) {}
  }

  private static final class Outstanding {
    final Request request;
    final CompletableFuture<Result> answer;

    /** Which sending this is; a timeout resends only if no later one happened. */
    int attempt;

    /** The epoch the latest sending named: only the master of that epoch can have answered it. */
    long sentEpoch;

    Outstanding(Request request, CompletableFuture<Result> answer) {
      this.request = request;
      this.answer = answer;
    }
  }

  /**
   * How a session behaves.
   *
   * @param gracePeriod time to reach a master again after the lease ran out
   * @param resendAfter how long a request waits for its answer before it is sent again
   * @param faults test-only faults; {@link FaultInjection#NONE} otherwise
   */
  public record Settings(Duration gracePeriod, Duration resendAfter, FaultInjection faults) {
    public static final Settings DEFAULTS =
        new Settings(DEFAULT_GRACE_PERIOD, DEFAULT_RESEND_AFTER, FaultInjection.NONE);

    public Settings withGracePeriod(Duration grace) {
      return new Settings(grace, resendAfter, faults);
    }
  }

  private final List<String> addresses;
  private final Duration gracePeriod;
  private final Duration resendAfter;
  private final FaultInjection faults;
  private final Listener listener;
  private final FrameCodec codec = new FrameCodec(Limits.DEFAULTS);
  private final EventLoopGroup group;
  private final ScheduledExecutorService executor;

  /** The executor's one thread: answers are completed on it (see CellConnection's delivery). */
  private volatile Thread sessionThread;

  private final Map<Long, Outstanding> outstanding = new TreeMap<>();
  private final TreeSet<Long> answeredAboveAck = new TreeSet<>();
  private volatile State state = State.CONNECTING;
  private CellConnection connection;
  private CompletableFuture<CellConnection> locating;
  private long epoch;
  private long session;
  private long lastRequestNumber;
  private long ackedThrough;
  private long eventsSeen;
  private long invalidationsSeen;
  private Set<SessionNotice> noticesToAck = EnumSet.noneOf(SessionNotice.class);

  /** The epoch of the master that told of {@link #noticesToAck}: only it may hear them acked. */
  private long noticesEpoch;

  /** Written on the session's thread; read by any thread through {@link #leaseValid()}. */
  private volatile long leaseEndNanos;

  /** An EndSession was sent: the master's "expired" that follows is the end asked for. */
  private boolean ending;

  private long locateBackoffMillis = LOCATE_BACKOFF_MIN_MILLIS;
  private long locateAttemptTimeoutMillis = LOCATE_ATTEMPT_TIMEOUT_MIN_MILLIS;

  /** The replica asked first next time: the last one that helped, or the one after a failure. */
  private int locateCursor;

  /** When the session last dropped its connection because of jeopardy. */
  private long jeopardyRelocatedNanos;

  private CellSession(List<String> addresses, Settings settings, Listener listener) {
    this.addresses = ImmutableList.copyOf(addresses);
    this.gracePeriod = settings.gracePeriod();
    this.resendAfter = settings.resendAfter();
    this.faults = settings.faults();
    this.listener = listener;
    this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "tumbler-session");
              t.setDaemon(true);
              sessionThread = t;
              return t;
            });
  }

  /** Opens a session with the cell at {@code addresses} (any replicas, in order of preference). */
  public static CompletableFuture<CellSession> open(
      List<String> addresses, Duration gracePeriod, Listener listener) {
    return open(addresses, Settings.DEFAULTS.withGracePeriod(gracePeriod), listener);
  }

  /** Opens a session with the cell at {@code addresses}, behaving as {@code settings} say. */
  public static CompletableFuture<CellSession> open(
      List<String> addresses, Settings settings, Listener listener) {
    CellSession s = new CellSession(addresses, settings, listener);
    CompletableFuture<CellSession> opened = new CompletableFuture<>();
    s.executor.execute(() -> s.create(opened, System.nanoTime()));
    // create() checks the grace period only between attempts, and an attempt waits for master(),
    // which keeps looking for as long as no replica answers: give up on time regardless.
    s.executor.schedule(
        () -> {
          if (opened.completeExceptionally(
              new ConnectionLostException("no master found within " + settings.gracePeriod()))) {
            s.close();
          }
        },
        settings.gracePeriod().toNanos(),
        TimeUnit.NANOSECONDS);
    return opened;
  }

  /** Sends a request; the answer comes once, however many times it had to be resent. */
  public CompletableFuture<Result> call(Request request) {
    CompletableFuture<Result> answer = new CompletableFuture<>();
    Runnable numberAndSend =
        () -> {
          if (state == State.EXPIRED || state == State.CLOSED) {
            answer.complete(
                Result.failure(ErrorCode.SESSION_EXPIRED, "session %d is %s", session, state));
            return;
          }
          long number = ++lastRequestNumber;
          ending |= request instanceof Request.EndSession;
          outstanding.put(number, new Outstanding(request, answer));
          send(number);
        };
    if (Thread.currentThread() == sessionThread) {
      numberAndSend.run(); // called from a listener or from execute(): no need for another hop
    } else {
      executor.execute(numberAndSend);
    }
    return answer;
  }

  /**
   * Runs {@code task} on the session's thread, after everything submitted before it (calls
   * included): state that the listener also touches can be prepared there before a call is sent.
   */
  public void execute(Runnable task) {
    executor.execute(task);
  }

  /**
   * True while the local lease runs: a cache may serve what it holds only then. Checked on every
   * read rather than left to the periodic jeopardy check, which a busy machine may run late.
   */
  public boolean leaseValid() {
    return state == State.HEALTHY && System.nanoTime() - leaseEndNanos < 0;
  }

  public long sessionId() {
    return session;
  }

  /** The session's state; read from any thread (it may be out of date by the time it returns). */
  public State state() {
    return state;
  }

  /** The master this session talks to now, or empty. */
  public String masterAddress() {
    CellConnection c = connection;
    return c == null ? "" : c.address();
  }

  // ---------------------------------------------------------------------------------------------
  // Finding the master

  /** The connection to the master, found afresh if there is none. On the session's thread. */
  private CompletableFuture<CellConnection> master() {
    if (connection != null && connection.isOpen()) {
      return CompletableFuture.completedFuture(connection);
    }
    if (connection != null) {
      connection.close();
      connection = null;
    }
    if (locating == null) {
      locating = new CompletableFuture<>();
      locate();
    }
    return locating;
  }

  /** Drops the current connection (the master moved or it broke) and finds the master again. */
  private void relocate() {
    if (connection != null) {
      trace.debug("t={} s={} drops {}", System.nanoTime(), session, connection.address());
      connection.close();
      connection = null;
    }
  }

  private void locate() {
    if (state == State.CLOSED || state == State.EXPIRED) {
      locating.completeExceptionally(new ConnectionLostException("session is " + state));
      locating = null;
      return;
    }
    String address = addresses.get(Math.floorMod(locateCursor, addresses.size()));
    LocateAttempt attempt = new LocateAttempt();
    CellConnection.open(group, address, codec, executor)
        .thenApply(attempt::track)
        .thenCompose(c -> c.request(new Message.FindMaster()).thenApply(m -> whereIsMaster(c, m)))
        .thenCompose(found -> found.thenApply(attempt::track))
        .orTimeout(locateAttemptTimeoutMillis, TimeUnit.MILLISECONDS)
        .whenCompleteAsync(
            (master, failure) -> {
              if (failure == null && master != null && master.isOpen()) {
                locateBackoffMillis = LOCATE_BACKOFF_MIN_MILLIS;
                locateAttemptTimeoutMillis = LOCATE_ATTEMPT_TIMEOUT_MIN_MILLIS;
                connection = master;
                trace.debug("t={} s={} found {}", System.nanoTime(), session, master.address());
                CompletableFuture<CellConnection> done = locating;
                locating = null;
                done.complete(master);
                return;
              }
              attempt.abandon();
              // Nobody knows a master yet (an election is running), or the replica is down or
              // frozen: try the next one, backing off with jitter so that many clients do not
              // storm a new master together.
              locateCursor++;
              long pause = locateBackoffMillis + ThreadLocalRandom.current().nextLong(25);
              locateBackoffMillis = Math.min(LOCATE_BACKOFF_MAX_MILLIS, locateBackoffMillis * 2);
              if (failure != null && Throwables.getRootCause(failure) instanceof TimeoutException) {
                locateAttemptTimeoutMillis =
                    Math.min(LOCATE_ATTEMPT_TIMEOUT_MAX_MILLIS, locateAttemptTimeoutMillis * 2);
              }
              executor.schedule(this::locate, pause, TimeUnit.MILLISECONDS);
            },
            executor);
  }

  /**
   * The connections one attempt to locate the master opened, so that an attempt given up on (timed
   * out) closes them, including one that only opens after it was given up.
   */
  private static final class LocateAttempt {
    private final Queue<CellConnection> opened = new ConcurrentLinkedQueue<>();
    private volatile boolean abandoned;

    CellConnection track(CellConnection c) {
      if (c != null) {
        opened.add(c);
        if (abandoned) {
          c.close();
        }
      }
      return c;
    }

    void abandon() {
      abandoned = true;
      for (CellConnection c : opened) {
        c.close();
      }
    }
  }

  /** A connection to the master named by {@code answer}, or null if none is known. */
  private CompletableFuture<CellConnection> whereIsMaster(CellConnection asked, Message answer) {
    if (!(answer instanceof Message.MasterLocation location) || location.master().isEmpty()) {
      asked.close();
      return CompletableFuture.completedFuture(null);
    }
    executor.execute(() -> adoptEpoch(location.epoch()));
    if (location.master().equals(asked.address())) {
      return CompletableFuture.completedFuture(asked);
    }
    asked.close();
    return CellConnection.open(group, location.master(), codec, executor);
  }

  // ---------------------------------------------------------------------------------------------
  // Creating the session and keeping it alive

  private void create(CompletableFuture<CellSession> opened, long startedNanos) {
    if (System.nanoTime() - startedNanos > gracePeriod.toNanos()) {
      opened.completeExceptionally(
          new ConnectionLostException("no master found within " + gracePeriod));
      close();
      return;
    }
    master()
        .thenCompose(c -> c.request(new Message.CreateSession(epoch)))
        .whenCompleteAsync(
            (answer, failure) -> {
              if (opened.isDone()) {
                return; // gave up (grace period over): an unused session expires at the master
              }
              if (answer instanceof Message.SessionCreated created) {
                session = created.session();
                adoptEpoch(created.epoch());
                leaseEndNanos = leaseEnd(startedNanos, created.leaseMs());
                changeState(State.HEALTHY);
                opened.complete(this);
                sendKeepAlive();
                executor.scheduleWithFixedDelay(
                    this::checkLease,
                    LEASE_CHECK_MILLIS,
                    LEASE_CHECK_MILLIS,
                    TimeUnit.MILLISECONDS);
              } else if (answer instanceof Message.Response r && !r.result().ok()) {
                opened.completeExceptionally(
                    new IllegalStateException("cannot create a session: " + r.result()));
                close();
              } else {
                followRedirect(answer);
                executor.schedule(
                    () -> create(opened, startedNanos),
                    LOCATE_BACKOFF_MIN_MILLIS,
                    TimeUnit.MILLISECONDS);
              }
            },
            executor);
  }

  private void sendKeepAlive() {
    if (state == State.CLOSED || state == State.EXPIRED) {
      return;
    }
    long sentNanos = System.nanoTime();
    // Notices are acknowledged once, right after the answer that told of them: repeated, an
    // acknowledgement could reach a new master (or outlive a new loss of events) and vouch for
    // something this client never acted on. If this one is lost, the notice comes again.
    Set<SessionNotice> told = noticesToAck;
    long toldBy = noticesEpoch;
    noticesToAck = EnumSet.noneOf(SessionNotice.class);
    master()
        .thenCompose(
            c -> {
              // Only to the master that told of them: a newer master's notice asks for a flush
              // after it took over, which acknowledging an older master's would vouch for.
              Set<SessionNotice> acked = toldBy == epoch ? told : Set.of();
              if (trace.isDebugEnabled()) {
                trace.debug(
                    "t={} s={} keepalive e={} invalidationsSeen={} noticesAcked={} via={}",
                    System.nanoTime(),
                    session,
                    epoch,
                    invalidationsSeen,
                    acked,
                    c.address());
              }
              return c.request(
                  new Message.KeepAlive(epoch, session, eventsSeen, invalidationsSeen, acked));
            })
        .whenComplete(
            onSessionThread(
                (answer, failure) -> {
                  if (answer instanceof Message.KeepAliveResponse r) {
                    keepAliveAnswered(r, sentNanos);
                    sendKeepAlive();
                  } else if (answer instanceof Message.Response r && !r.result().ok()) {
                    if (ending) {
                      log.debug("session {} ended", session);
                    } else {
                      log.warn("session {} lost: {}", session, r.result());
                    }
                    expire();
                  } else {
                    followRedirect(answer);
                    executor.schedule(
                        this::sendKeepAlive, pauseAfterFailure(), TimeUnit.MILLISECONDS);
                  }
                }));
  }

  /**
   * Moves to a newer epoch. Invalidation numbers belong to one mastership (a new master numbers a
   * session's invalidations from 1 again), so what this session acknowledged under an older master
   * must not be acknowledged to the new one: it would acknowledge invalidations the new master has
   * queued but not sent yet, and a write would go ahead while this client still caches what it
   * changes. The failover notice that follows makes the client drop its whole cache anyway.
   */
  private void adoptEpoch(long newer) {
    if (newer > epoch) {
      trace.debug("t={} s={} epoch {} -> {}", System.nanoTime(), session, epoch, newer);
      epoch = newer;
      invalidationsSeen = 0;
    }
  }

  private void keepAliveAnswered(Message.KeepAliveResponse r, long sentNanos) {
    // A late answer from an older master still drops what it invalidates, but its numbers are not
    // the current master's to acknowledge.
    boolean current = r.epoch() >= epoch;
    if (trace.isDebugEnabled()) {
      trace.debug(
          "t={} s={} keepalive answered e={} current={} notices={} invalidations={}",
          System.nanoTime(),
          session,
          r.epoch(),
          current,
          r.notices(),
          r.invalidations());
    }
    adoptEpoch(r.epoch());
    // Counted from when it was sent, which is before the master received it: never too long.
    leaseEndNanos = Math.max(leaseEndNanos, leaseEnd(sentNanos, r.leaseMs()));
    if (state == State.JEOPARDY || state == State.CONNECTING) {
      changeState(State.HEALTHY);
    }
    if (!r.notices().isEmpty()) {
      listener.onNotices(r.notices());
    }
    noticesToAck =
        r.notices().isEmpty() ? EnumSet.noneOf(SessionNotice.class) : EnumSet.copyOf(r.notices());
    noticesEpoch = r.epoch();
    if (!r.invalidations().isEmpty()) {
      listener.onInvalidations(r.invalidations());
      if (current) {
        for (Message.Invalidation i : r.invalidations()) {
          invalidationsSeen = Math.max(invalidationsSeen, i.number());
        }
      }
    }
    if (!r.events().isEmpty()) {
      List<Message.NumberedEvent> fresh = new ArrayList<>();
      for (Message.NumberedEvent e : r.events()) {
        if (e.index() > eventsSeen) {
          fresh.add(e); // at least once from the master; exactly once to the listener
        }
      }
      if (!fresh.isEmpty()) {
        listener.onEvents(fresh);
      }
      eventsSeen = Math.max(eventsSeen, r.events().get(r.events().size() - 1).index());
    }
  }

  /**
   * Runs an answer's handler where it is completed — the session's thread, in arrival order,
   * without a second hop — or, should it ever complete elsewhere, hands it to that thread.
   */
  private <T> BiConsumer<T, Throwable> onSessionThread(BiConsumer<T, Throwable> handler) {
    return (value, failure) -> {
      if (Thread.currentThread() == sessionThread) {
        handler.accept(value, failure);
      } else {
        executor.execute(() -> handler.accept(value, failure));
      }
    };
  }

  private long leaseEnd(long fromNanos, long leaseMs) {
    return fromNanos + (long) (TimeUnit.MILLISECONDS.toNanos(leaseMs) * (1 - LEASE_DRIFT_MARGIN));
  }

  private void checkLease() {
    long now = System.nanoTime();
    if (state == State.HEALTHY && now - leaseEndNanos > 0) {
      log.warn("session {} in jeopardy: its lease ran out before the master renewed it", session);
      changeState(State.JEOPARDY);
      dropSilentMaster(now);
    } else if (state == State.JEOPARDY && now - leaseEndNanos > gracePeriod.toNanos()) {
      log.warn("session {} expired: no master reached within the grace period", session);
      expire();
    } else if (state == State.JEOPARDY
        && now - jeopardyRelocatedNanos > TimeUnit.MILLISECONDS.toNanos(JEOPARDY_RELOCATE_MILLIS)) {
      dropSilentMaster(now);
    }
  }

  /**
   * Drops the connection of a master that let the lease run out. Every request waiting on it fails
   * over to a fresh search for the master and is resent with its own number, the KeepAlive
   * included, so the session reaches a new master while its grace period lasts.
   */
  private void dropSilentMaster(long now) {
    jeopardyRelocatedNanos = now;
    if (connection != null) {
      String silent = connection.address();
      log.info("session {}: {} is silent; looking for the master again", session, silent);
      int known = addresses.indexOf(silent);
      if (known >= 0) {
        locateCursor = known + 1; // ask another replica first: this one may be frozen
      }
      relocate();
    }
  }

  private void expire() {
    if (state == State.EXPIRED || state == State.CLOSED) {
      return;
    }
    changeState(State.EXPIRED);
    for (Outstanding o : outstanding.values()) {
      o.answer.complete(Result.failure(ErrorCode.SESSION_EXPIRED, "session %d expired", session));
    }
    outstanding.clear();
    relocate();
  }

  private void changeState(State next) {
    trace.debug("t={} s={} {} -> {}", System.nanoTime(), session, state, next);
    state = next;
    listener.onStateChanged(next);
  }

  // ---------------------------------------------------------------------------------------------
  // Requests

  private void send(long number) {
    Outstanding o = outstanding.get(number);
    if (o == null || state == State.EXPIRED || state == State.CLOSED) {
      return;
    }
    int attempt = ++o.attempt;
    master()
        .thenCompose(
            c -> {
              o.sentEpoch = epoch;
              return c.request(
                  new Message.SessionRequest(epoch, session, number, ackedThrough, o.request));
            })
        .whenComplete(
            onSessionThread(
                (answer, failure) -> {
                  if (!outstanding.containsKey(number) || faults.loseAnswer(o.request, answer)) {
                    return; // answered already, or (a test says) lost: the timeout resends it
                  }
                  if (answer instanceof Message.Response r) {
                    if (o.request.readOnly() && trace.isDebugEnabled()) {
                      trace.debug(
                          "t={} s={} answer n={} {} sentEpoch={} epoch={} via={} cachable={} {}",
                          System.nanoTime(),
                          session,
                          number,
                          o.request.getClass().getSimpleName(),
                          o.sentEpoch,
                          epoch,
                          masterAddress(),
                          r.cachable(),
                          r.result());
                    }
                    outstanding.remove(number);
                    acknowledge(number);
                    // Only the master of the epoch it was sent under answered it. If a newer one
                    // took over since, the answer's master no longer tracks this cache, and the
                    // new master's failover notice may have been acted on already: keep nothing.
                    listener.onAnswer(
                        o.request,
                        o.sentEpoch == epoch ? r : new Message.Response(r.result(), false));
                    o.answer.complete(r.result());
                  } else if (answer instanceof Message.ProtocolError p) {
                    // The cell could not even read it, so it was not applied: sending it again
                    // would
                    // fail the same way, for ever.
                    outstanding.remove(number);
                    acknowledge(number);
                    o.answer.complete(
                        Result.failure(
                            ErrorCode.BAD_ARGUMENT,
                            "the cell refused the request: %s",
                            p.detail()));
                  } else if (o.attempt == attempt) {
                    // Resent with the same number: the cell applies it once whatever happened.
                    followRedirect(answer);
                    executor.schedule(
                        () -> send(number), pauseAfterFailure(), TimeUnit.MILLISECONDS);
                  }
                }));
    executor.schedule(
        () -> {
          if (outstanding.get(number) == o && o.attempt == attempt) {
            log.debug("session {}: no answer to request {}; sending it again", session, number);
            send(number);
          }
        },
        resendAfter.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private void acknowledge(long number) {
    answeredAboveAck.add(number);
    while (answeredAboveAck.contains(ackedThrough + 1)) {
      answeredAboveAck.remove(++ackedThrough);
    }
  }

  /** Acts on a redirect or a failure to get any answer. */
  private void followRedirect(Message answer) {
    if (answer instanceof Message.Redirect r && r.reason() == ErrorCode.STALE_EPOCH) {
      adoptEpoch(r.epoch());
    } else {
      relocate(); // NOT_MASTER, a lost connection, or nothing at all: find the master again
    }
  }

  private long pauseAfterFailure() {
    return connection != null ? 0 : LOCATE_BACKOFF_MIN_MILLIS;
  }

  @Override
  public void close() {
    executor.execute(
        () -> {
          if (state != State.CLOSED) {
            changeState(State.CLOSED);
            relocate();
            for (Outstanding o : outstanding.values()) {
              o.answer.completeExceptionally(new ConnectionLostException("session closed"));
            }
            outstanding.clear();
          }
        });
    executor.shutdown();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
