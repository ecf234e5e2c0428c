package io.tumbler.client;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;
import static io.tumbler.client.SessionCore.await;
import static io.tumbler.client.SessionCore.ok;

import io.tumbler.client.TumblerException.BadNameException;
import io.tumbler.client.TumblerException.CellUnreachableException;
import io.tumbler.client.TumblerException.NotFoundException;
import io.tumbler.client.transport.CellSession;
import io.tumbler.client.transport.FaultInjection;
import io.tumbler.lockservice.NodePath;
import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.ErrorCode;
import io.tumbler.lockservice.command.Request;
import io.tumbler.lockservice.command.Result;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A client of a Tumbler cell: one session, its handles, its cache. Build one per process and share
 * it; it is thread-safe.
 *
 * <pre>{@code
 * try (TumblerClient client = TumblerClient.builder().cell("host1:7101,host2:7101,host3:7101").build();
 *     Handle config = client.open("/ls/local/service/config", OpenOptions.read())) {
 *   String text = config.getContentsAndStat().text(); // cached until the master invalidates it
 * }
 * }</pre>
 *
 * <p>Closing the client ends its session: its locks are released at once (no lock-delay) and its
 * ephemeral nodes are deleted.
 */
public final class TumblerClient implements AutoCloseable {

  /** How long {@link #close()} waits for the master to end the session before it lets go. */
  public static final Duration END_SESSION_TIMEOUT = Duration.ofSeconds(5);

  private final SessionCore core;
  private final CellSession session;
  private final ExecutorService events;
  private final Executor callbacks;
  private final String cellName;
  private final AtomicBoolean closed = new AtomicBoolean();

  private TumblerClient(
      SessionCore core,
      CellSession session,
      ExecutorService events,
      Executor callbacks,
      String cellName) {
    this.core = core;
    this.session = session;
    this.events = events;
    this.callbacks = callbacks;
    this.cellName = cellName;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Opens a handle on {@code path}; {@code /ls/local/...} names this client's cell. */
  public Handle open(String path, OpenOptions options) {
    return await(openAsync0(path, options));
  }

  public CompletableFuture<Handle> openAsync(String path, OpenOptions options) {
    return openAsync0(path, options).whenCompleteAsync((h, e) -> {}, callbacks);
  }

  private CompletableFuture<Handle> openAsync0(String path, OpenOptions options) {
    String name;
    try {
      name = canonical(path);
    } catch (BadNameException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (!options.create().creates() && core.cache().knownAbsent(name)) {
      return CompletableFuture.failedFuture(
          new NotFoundException("NOT_FOUND: " + name + " does not exist (cached)"));
    }
    // The protocol reads 0 (or less) as "the cell's default" (60 s): a lock-delay of zero, or of
    // less than a millisecond, is sent as 1 ms, not turned into the longest delay there is.
    long lockDelayMs =
        options.lockDelay() == null ? 0 : Math.max(1, options.lockDelay().toMillis());
    Request.Open open =
        new Request.Open(name, options.mode(), options.events(), lockDelayMs, options.create());
    return core.call(
        open,
        () -> core.dropWrittenPaths(open),
        r -> {
          Result.Opened o = (Result.Opened) ok(r);
          Handle h =
              new Handle(
                  core,
                  callbacks,
                  o.handle(),
                  o.path(),
                  o.stat().instanceNumber(),
                  o.created(),
                  options);
          core.register(h); // on the session thread, before any event for the handle is read
          return h;
        });
  }

  /** True if {@code sequencer} names its lock's current holder (asked of the master). */
  public boolean checkSequencer(ByteString sequencer) {
    return await(core.call(new Request.CheckSequencer(sequencer), TumblerClient::sequencerValid));
  }

  static boolean sequencerValid(Result r) {
    if (r instanceof Result.Failure f && f.code() == ErrorCode.INVALID_SEQUENCER) {
      return false;
    }
    ok(r);
    return true;
  }

  /**
   * Adds a listener of the session's changes of state, told after the builder's one, on the
   * client's event thread. For code that is handed a built client (the recipes): it cannot set the
   * builder's listener. Check {@link #sessionState()} after adding: a change before it is not told.
   */
  public void addSessionListener(SessionListener listener) {
    checkArgument(listener != null, "listener must be set");
    core.addSessionListener(listener);
  }

  public void removeSessionListener(SessionListener listener) {
    core.removeSessionListener(listener);
  }

  public SessionState sessionState() {
    return core.state();
  }

  public long sessionId() {
    return session.sessionId();
  }

  /** The master's address this client talks to now, or empty while it looks for one. */
  public String masterAddress() {
    return session.masterAddress();
  }

  public CacheStats cacheStats() {
    return core.cache().stats();
  }

  /**
   * The full name of {@code path}: checked, with {@code local} replaced by this client's cell, so
   * that the cache and the master name every node the same way.
   */
  String canonical(String path) {
    NodePath p;
    try {
      p = NodePath.parse(path);
    } catch (IllegalArgumentException e) { // InvalidNameException among them
      throw new BadNameException("BAD_NAME: " + e.getMessage());
    }
    if (p.cell().equals("local") && !cellName.equals("local")) {
      return "/ls/" + cellName + p.toString().substring("/ls/local".length());
    }
    return p.toString();
  }

  /** Ends the session (releasing its locks, deleting its ephemeral nodes) and stops its threads. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    core.closing();
    try {
      if (core.state() == SessionState.HEALTHY || core.state() == SessionState.JEOPARDY) {
        core.call(
                new Request.EndSession(),
                () -> core.dropWrittenPaths(new Request.EndSession()),
                r -> r)
            .get(END_SESSION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // the master will end the session when its lease runs out
    } finally {
      session.close();
      events.shutdown();
    }
  }

  /** Builds a client; {@link #cell} is required. */
  public static final class Builder {
    private List<String> addresses;
    private String cellName = "local";
    private Duration gracePeriod = CellSession.DEFAULT_GRACE_PERIOD;
    private SessionListener sessionListener = new SessionListener() {};
    private Executor callbacks = ForkJoinPool.commonPool();
    private int maxCacheEntries = ClientCache.DEFAULT_MAX_ENTRIES;
    private FaultInjection faults = FaultInjection.NONE;

    private Builder() {}

    /** Replica addresses, {@code host:port,host:port,...}; any of them leads to the master. */
    public Builder cell(String replicas) {
      this.addresses =
          CellAddresses.parse(replicas).replicas().stream().map(Object::toString).toList();
      return this;
    }

    /** The cell's name, which {@code /ls/local/} stands for; {@code local} by default. */
    public Builder cellName(String name) {
      checkArgument(name != null && !name.isEmpty() && !name.contains("/"), "bad cell name");
      this.cellName = name;
      return this;
    }

    /** How long a session in jeopardy looks for a master before it expires (default 45 s). */
    public Builder gracePeriod(Duration grace) {
      checkArgument(grace != null && !grace.isNegative() && !grace.isZero(), "grace > 0");
      this.gracePeriod = grace;
      return this;
    }

    public Builder sessionListener(SessionListener listener) {
      this.sessionListener = listener;
      return this;
    }

    /** Where {@code ...Async} futures complete (default: the common fork-join pool). */
    public Builder callbackExecutor(Executor executor) {
      this.callbacks = executor;
      return this;
    }

    /** At most this many nodes cached (default 10 000); reads beyond it go to the master. */
    public Builder maxCacheEntries(int entries) {
      checkArgument(entries >= 0, "max cache entries must be zero or more");
      this.maxCacheEntries = entries;
      return this;
    }

    /** Test-only faults in the transport. */
    Builder faults(FaultInjection faults) {
      this.faults = faults;
      return this;
    }

    /**
     * Connects and creates the session, waiting up to the grace period for a master.
     *
     * @throws CellUnreachableException if no master answered in time
     */
    public TumblerClient build() {
      checkState(addresses != null, "cell(...) must be set");
      ExecutorService events =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, "tumbler-events");
                t.setDaemon(true);
                return t;
              });
      SessionCore core = new SessionCore(new ClientCache(maxCacheEntries), events, sessionListener);
      CellSession session;
      try {
        session =
            CellSession.open(
                    addresses,
                    new CellSession.Settings(gracePeriod, CellSession.DEFAULT_RESEND_AFTER, faults),
                    core)
                .get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        events.shutdown();
        throw new CellUnreachableException("interrupted while connecting to " + addresses);
      } catch (ExecutionException e) {
        events.shutdown();
        throw new CellUnreachableException(
            "no master of the cell " + addresses + " answered: " + e.getCause().getMessage());
      }
      core.attach(session);
      return new TumblerClient(core, session, events, callbacks, cellName);
    }
  }
}
