package io.tumbler.client.recipes;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import io.tumbler.client.Handle;
import io.tumbler.client.HandleListener;
import io.tumbler.client.OpenOptions;
import io.tumbler.client.SessionListener;
import io.tumbler.client.SessionState;
import io.tumbler.client.TumblerClient;
import io.tumbler.client.TumblerException;
import io.tumbler.client.TumblerException.ClientClosedException;
import io.tumbler.client.TumblerException.HandleInvalidException;
import io.tumbler.client.TumblerException.SessionExpiredException;
import io.tumbler.lockservice.command.Event;
import io.tumbler.lockservice.command.EventKind;
import io.tumbler.lockservice.command.LockMode;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Primary/backup election on a lock file, the way Chubby's users elect a master: every candidate
 * asks for the file's lock in exclusive mode; the cell grants it to one at a time, in the order
 * asked. The one that holds it is the leader: it writes its identity into the file, so that
 * everyone can find it, and gets a {@link Fence} to send with every request to the servers it
 * directs, which check it ({@link SequencerChecker}) and so refuse a deposed leader that has not
 * noticed yet.
 *
 * <pre>{@code
 * LeaderElection election =
 *     LeaderElection.builder(client, "/ls/local/svc/leader")
 *         .identity("10.0.0.7:8080")
 *         .listener(new LeaderElection.Listener() {
 *           public void onElected(Fence fence) { startServing(fence); }
 *           public void onLost(LeaderElection.LossReason why) { stopServing(); }
 *         })
 *         .start();
 * Optional<String> primary = election.leader(); // from the file, kept fresh by events
 * }</pre>
 *
 * <p>Leadership is lost by {@link #resign()}, by {@link #close()}, when the session expires (its
 * lock is freed after the lock-delay), and when the lock file is deleted (the handle goes invalid;
 * the election then campaigns again on a new file). Jeopardy alone does not end leadership: the
 * session, and so the lock, may well survive it; a leader that must not act while in doubt listens
 * to its client's {@link SessionListener#onJeopardy()}. Either way, the fence is what protects the
 * servers.
 *
 * <p>{@link #leader()} is what the last elected leader wrote: after a leader dies without resigning
 * it names the dead leader until the next one is elected (a resigning leader clears it first).
 *
 * <p>Thread-safe. The listener is called on the election's own thread, one call at a time, in order
 * (elected, lost, elected...). It may call {@link #resign()}.
 */
public final class LeaderElection implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LeaderElection.class);

  /** Why a leader stopped being one. */
  public enum LossReason {
    /** {@link #resign()} was called. */
    RESIGNED,
    /** The session expired: its lock is released (after the lock-delay) for another candidate. */
    SESSION_EXPIRED,
    /** The lock file was deleted, or the lock was found no longer held after events were lost. */
    LOCK_LOST,
    /** {@link #close()} was called, or the client was closed. */
    CLOSED
  }

  /** Told of the election's changes, on its own thread, in order. */
  public interface Listener {
    /** This candidate is the leader; send {@code fence} with every request to the servers. */
    void onElected(Fence fence);

    /** This candidate was the leader and is not any more: stop acting as one at once. */
    void onLost(LossReason reason);

    /** The identity in the lock file changed (empty: no leader has written one). */
    default void onLeaderChanged(Optional<String> leader) {}
  }

  private final TumblerClient client;
  private final String path;
  private final String identity;
  private final Duration lockDelay;
  private final Listener listener;
  private final RecipeThread thread;
  private final SessionListener sessionListener;

  // Changed only on the election's thread.
  private Handle handle;
  private int handleNumber;
  private long attempt;
  private boolean campaigning;
  private boolean ended;

  // Read from any thread.
  private volatile boolean leading;
  private volatile Fence fence;
  private volatile Optional<String> leader = Optional.empty();

  private LeaderElection(Builder b) {
    this.client = b.client;
    this.path = b.path;
    this.identity = b.identity;
    this.lockDelay = b.lockDelay;
    this.listener = b.listener;
    this.thread = new RecipeThread("election");
    this.sessionListener =
        new SessionListener() {
          @Override
          public void onExpired() {
            thread.run(() -> end(LossReason.SESSION_EXPIRED));
          }
        };
  }

  public static Builder builder(TumblerClient client, String path) {
    return new Builder(client, path);
  }

  /** True while this candidate holds the lock and has written its identity. */
  public boolean isLeader() {
    return leading;
  }

  /** The fence of this leadership, while leading. */
  public Optional<Fence> fence() {
    return Optional.ofNullable(leading ? fence : null);
  }

  /** The identity the current (or last) leader wrote into the file. */
  public Optional<String> leader() {
    return leader;
  }

  /** The lock file's name. */
  public String path() {
    return path;
  }

  /**
   * Stops leading (clearing the identity in the file, releasing the lock) or stops waiting to lead.
   * The candidate then stays out until {@link #campaign()}.
   */
  public void resign() {
    thread.callVoid(() -> stepDown(LossReason.RESIGNED));
  }

  /** Joins the election again after {@link #resign()}, behind the candidates already waiting. */
  public void campaign() {
    thread.callVoid(
        () -> {
          checkState(!ended, "the election has ended (session expired or closed)");
          campaign0();
        });
  }

  /** Resigns and closes the handle; the client stays open. */
  @Override
  public void close() {
    client.removeSessionListener(sessionListener);
    try {
      thread.callVoid(
          () -> {
            stepDown(LossReason.CLOSED);
            ended = true;
            if (handle != null) {
              handle.close();
            }
          });
    } catch (IllegalStateException alreadyClosed) {
      // closed before
    }
    thread.close();
  }

  // --- on the election's thread ------------------------------------------------------------------

  private void start() {
    client.addSessionListener(sessionListener);
    thread.callVoid(
        () -> {
          open();
          readLeader();
          campaign0();
        });
    if (client.sessionState() == SessionState.EXPIRED) {
      thread.run(() -> end(LossReason.SESSION_EXPIRED));
    }
  }

  private void open() {
    int number = ++handleNumber;
    OpenOptions options =
        OpenOptions.lock()
            .createIfAbsent()
            .events(EventKind.CONTENTS_MODIFIED)
            .listener(
                new HandleListener() {
                  @Override
                  public void onEvent(Event event) {
                    thread.run(() -> onHandleEvent(number, event));
                  }

                  @Override
                  public void onEventsMayBeLost() {
                    thread.run(() -> resync(number));
                  }
                });
    handle = client.open(path, lockDelay == null ? options : options.lockDelay(lockDelay));
  }

  private void campaign0() {
    if (ended || campaigning) {
      return;
    }
    campaigning = true;
    long mine = ++attempt;
    handle
        .acquireAsync(LockMode.EXCLUSIVE)
        .whenComplete((granted, failure) -> thread.run(() -> granted(mine, failure)));
  }

  private void granted(long mine, Throwable failure) {
    if (mine != attempt || !campaigning || ended) {
      if (failure == null) {
        releaseQuietly(); // granted after we withdrew
      }
      return;
    }
    if (failure != null) {
      onFailure(unwrap(failure));
      return;
    }
    try {
      handle.setContents(identity);
      fence = Fence.of(handle.getSequencer());
    } catch (TumblerException e) {
      onFailure(e);
      return;
    }
    leading = true;
    log.info("elected leader of {} as {} ({})", path, identity, fence);
    setLeader(Optional.of(identity));
    listener.onElected(fence);
  }

  private void onFailure(Throwable e) {
    if (e instanceof SessionExpiredException) {
      end(LossReason.SESSION_EXPIRED);
    } else if (e instanceof ClientClosedException) {
      end(LossReason.CLOSED);
    } else if (e instanceof HandleInvalidException) {
      reopen();
    } else {
      log.warn("the election on {} stopped campaigning after a failure", path, e);
      campaigning = false;
      lose(LossReason.LOCK_LOST);
    }
  }

  private void onHandleEvent(int number, Event event) {
    if (number != handleNumber || ended) {
      return; // of a handle closed since
    }
    if (event instanceof Event.ContentsModified) {
      readLeader();
    } else if (event instanceof Event.HandleInvalid) {
      reopen();
    }
  }

  /** Events may be lost: re-read the leader and, if leading, make sure the lock is still held. */
  private void resync(int number) {
    if (number != handleNumber || ended) {
      return;
    }
    if (leading) {
      try {
        handle.getSequencer();
      } catch (HandleInvalidException e) {
        reopen();
        return;
      } catch (TumblerException e) {
        onFailure(e);
        return;
      }
    }
    readLeader();
  }

  /** The lock file was deleted: leadership (if any) is gone; campaign on the new file. */
  private void reopen() {
    lose(LossReason.LOCK_LOST);
    boolean wasCampaigning = campaigning;
    campaigning = false;
    attempt++;
    handle.close();
    try {
      open();
      readLeader();
    } catch (TumblerException e) {
      log.warn("could not open {} again; the election stops", path, e);
      end(e instanceof SessionExpiredException ? LossReason.SESSION_EXPIRED : LossReason.CLOSED);
      return;
    }
    if (wasCampaigning) {
      campaign0();
    }
  }

  private void stepDown(LossReason reason) {
    if (ended) {
      return;
    }
    campaigning = false;
    attempt++;
    if (leading) {
      try {
        handle.setContents(""); // nobody leads now; the next leader writes its identity
      } catch (TumblerException e) {
        // the lock or the session is gone already
      }
    }
    releaseQuietly();
    lose(reason);
  }

  private void end(LossReason reason) {
    if (ended) {
      return;
    }
    ended = true;
    campaigning = false;
    attempt++;
    lose(reason);
  }

  private void lose(LossReason reason) {
    if (leading) {
      leading = false;
      fence = null;
      log.info("lost the leadership of {}: {}", path, reason);
      listener.onLost(reason);
    }
  }

  private void readLeader() {
    try {
      String text = handle.getContentsAndStat().text();
      setLeader(text.isEmpty() ? Optional.empty() : Optional.of(text));
    } catch (TumblerException e) {
      log.debug("could not read the leader from {}", path, e);
    }
  }

  private void setLeader(Optional<String> now) {
    if (!now.equals(leader)) {
      leader = now;
      listener.onLeaderChanged(now);
    }
  }

  private void releaseQuietly() {
    if (handle == null) {
      return;
    }
    try {
      handle.release();
    } catch (TumblerException notHeld) {
      // neither held nor awaited
    }
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  /** Configures an election; {@link #identity} and {@link #listener} are required. */
  public static final class Builder {
    private final TumblerClient client;
    private final String path;
    private String identity;
    private Duration lockDelay;
    private Listener listener;

    private Builder(TumblerClient client, String path) {
      checkArgument(client != null && path != null, "client and path must be set");
      this.client = client;
      this.path = path;
    }

    /** What the leader writes into the lock file: how others reach it (an address, a name). */
    public Builder identity(String identity) {
      checkArgument(identity != null && !identity.isEmpty(), "identity must be non-empty");
      this.identity = identity;
      return this;
    }

    /**
     * How long nobody else may lead after this candidate's session dies while leading (default: the
     * cell's, 60 s): time for requests it sent to drain before a new leader acts.
     */
    public Builder lockDelay(Duration lockDelay) {
      this.lockDelay = lockDelay;
      return this;
    }

    public Builder listener(Listener listener) {
      this.listener = listener;
      return this;
    }

    /** Opens the lock file (creating it if absent) and starts campaigning. */
    public LeaderElection start() {
      checkState(identity != null && listener != null, "identity and listener must be set");
      LeaderElection election = new LeaderElection(this);
      try {
        election.start();
      } catch (RuntimeException e) {
        election.close();
        throw e;
      }
      return election;
    }
  }
}
