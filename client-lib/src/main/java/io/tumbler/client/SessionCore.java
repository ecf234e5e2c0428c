package io.tumbler.client;

import io.tumbler.client.TumblerException.ClientClosedException;
import io.tumbler.client.TumblerException.HandleInvalidException;
import io.tumbler.client.TumblerException.SessionExpiredException;
import io.tumbler.client.transport.CellSession;
import io.tumbler.lockservice.NodePath;
import io.tumbler.lockservice.command.ErrorCode;
import io.tumbler.lockservice.command.Event;
import io.tumbler.lockservice.command.Request;
import io.tumbler.lockservice.command.Result;
import io.tumbler.lockservice.command.TxnOp;
import io.tumbler.lockservice.protocol.Message;
import io.tumbler.lockservice.protocol.SessionNotice;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's side of a session above the protocol: open handles, pending lock acquisitions, the
 * cache, and where events go. Its state is owned by the session's thread: everything that reads or
 * changes it runs there, in the order the master's messages arrive. Application code is called on
 * the client's event thread, never here.
 */
final class SessionCore implements CellSession.Listener {

  private static final Logger log = LoggerFactory.getLogger(SessionCore.class);

  /** What the session thread knows of one open handle. */
  private static final class HandleEntry {
    final Handle handle;

    /** The Acquire waiting for its grant, if any. */
    CompletableFuture<Void> pendingAcquire;

    HandleEntry(Handle handle) {
      this.handle = handle;
    }
  }

  private final ClientCache cache;
  private final ExecutorService events;

  /**
   * The builder's listener first, then those added later ({@link
   * TumblerClient#addSessionListener}).
   */
  private final List<SessionListener> sessionListeners = new CopyOnWriteArrayList<>();

  private final Map<Long, HandleEntry> handles = new HashMap<>();
  private volatile CellSession session;
  private volatile SessionState state = SessionState.HEALTHY;

  /** Set when the application closes the client: the session's end is then not an expiry. */
  private volatile boolean closing;

  SessionCore(ClientCache cache, ExecutorService events, SessionListener sessionListener) {
    this.cache = cache;
    this.events = events;
    this.sessionListeners.add(sessionListener);
  }

  void attach(CellSession session) {
    this.session = session;
    cache.guardWith(session::leaseValid);
  }

  void closing() {
    closing = true;
  }

  void addSessionListener(SessionListener listener) {
    sessionListeners.add(listener);
  }

  void removeSessionListener(SessionListener listener) {
    sessionListeners.remove(listener);
  }

  ClientCache cache() {
    return cache;
  }

  SessionState state() {
    return state;
  }

  // ---------------------------------------------------------------------------------------------
  // Calls

  /**
   * Sends {@code request}; {@code beforeSend} runs on the session thread before it is queued, and
   * {@code onResult} on the session thread when it is answered (a failure result becomes the
   * matching {@link TumblerException} unless {@code onResult} handles it).
   */
  <T> CompletableFuture<T> call(
      Request request, Runnable beforeSend, Function<Result, T> onResult) {
    CompletableFuture<T> out = new CompletableFuture<>();
    try {
      session.execute(
          () -> {
            beforeSend.run();
            session
                .call(request)
                .whenComplete(
                    (result, failure) -> {
                      if (failure != null) {
                        out.completeExceptionally(
                            new ClientClosedException("the client is closed: " + failure));
                        return;
                      }
                      try {
                        out.complete(onResult.apply(result));
                      } catch (RuntimeException e) {
                        out.completeExceptionally(e);
                      }
                    });
          });
    } catch (RejectedExecutionException e) {
      out.completeExceptionally(new ClientClosedException("the client is closed"));
    }
    return out;
  }

  <T> CompletableFuture<T> call(Request request, Function<Result, T> onResult) {
    return call(request, () -> {}, onResult);
  }

  /** The result itself if it succeeded; the matching exception if not. */
  static Result ok(Result result) {
    if (result instanceof Result.Failure f) {
      throw TumblerException.of(f);
    }
    return result;
  }

  /** Waits for a call, throwing its {@link TumblerException} as is. */
  static <T> T await(CompletableFuture<T> call) {
    try {
      return call.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Handles and locks (each on the session thread)

  void register(Handle handle) {
    handles.put(handle.id(), new HandleEntry(handle));
  }

  void forget(long handle) {
    HandleEntry e = handles.remove(handle);
    if (e != null) {
      failAcquire(e, new HandleInvalidException(ErrorCode.HANDLE_INVALID, "the handle is closed"));
    }
  }

  void acquireSent(long handle, CompletableFuture<Void> granted) {
    HandleEntry e = handles.get(handle);
    if (e == null) {
      granted.completeExceptionally(
          new HandleInvalidException(ErrorCode.HANDLE_INVALID, "the handle is closed"));
    } else {
      e.pendingAcquire = granted;
    }
  }

  void acquireAnswered(long handle, CompletableFuture<Void> granted, Result result) {
    HandleEntry e = handles.get(handle);
    if (result instanceof Result.Failure f) {
      granted.completeExceptionally(TumblerException.of(f));
    } else if (result instanceof Result.LockGranted) {
      granted.complete(null);
    } // LockQueued: the LOCK_ACQUIRED event completes it, possibly already has
    if (e != null && e.pendingAcquire == granted && granted.isDone()) {
      e.pendingAcquire = null;
    }
  }

  /** A Release withdraws a queued Acquire: whoever waits for it is told it will not come. */
  void acquireWithdrawn(long handle) {
    HandleEntry e = handles.get(handle);
    if (e != null) {
      failAcquire(e, new TumblerException(ErrorCode.NOT_HELD, "the acquire was withdrawn"));
    }
  }

  private void failAcquire(HandleEntry e, TumblerException why) {
    if (e.pendingAcquire != null) {
      e.pendingAcquire.completeExceptionally(why);
      e.pendingAcquire = null;
    }
  }

  /** Drops from the cache what a write of this session may change, with the ancestors. */
  void dropWrittenPaths(Request request) {
    if (request instanceof Request.EndSession) {
      cache.flush();
      return;
    }
    List<String> paths = new ArrayList<>();
    if (request instanceof Request.Open o) {
      if (o.create().creates()) {
        paths.add(o.path());
      }
    } else if (request instanceof Request.Transaction t) {
      for (TxnOp op : t.ops()) {
        paths.add(op.path());
      }
    } else {
      long handle = handleOf(request);
      HandleEntry e = handles.get(handle);
      if (e != null) {
        paths.add(e.handle.path());
      }
    }
    for (String path : paths) {
      withAncestors(path);
    }
  }

  private void withAncestors(String path) {
    try {
      for (NodePath p = NodePath.parse(path); ; p = p.parent().orElseThrow()) {
        cache.invalidate(p.toString());
        if (p.isRoot()) {
          return;
        }
      }
    } catch (RuntimeException badName) {
      cache.invalidate(path); // the cell refuses it; nothing else can have changed
    }
  }

  /** The handle a request names, or -1 for Open, CheckSequencer, Transaction, EndSession. */
  private static long handleOf(Request request) {
    if (request instanceof Request.Close r) {
      return r.handle();
    } else if (request instanceof Request.Poison r) {
      return r.handle();
    } else if (request instanceof Request.SetContents r) {
      return r.handle();
    } else if (request instanceof Request.SetAcl r) {
      return r.handle();
    } else if (request instanceof Request.Delete r) {
      return r.handle();
    } else if (request instanceof Request.Acquire r) {
      return r.handle();
    } else if (request instanceof Request.TryAcquire r) {
      return r.handle();
    } else if (request instanceof Request.Release r) {
      return r.handle();
    } else if (request instanceof Request.SetSequencer r) {
      return r.handle();
    } else if (request instanceof Request.GetContentsAndStat r) {
      return r.handle();
    } else if (request instanceof Request.GetStat r) {
      return r.handle();
    } else if (request instanceof Request.ReadDir r) {
      return r.handle();
    } else if (request instanceof Request.GetSequencer r) {
      return r.handle();
    }
    return -1;
  }

  // ---------------------------------------------------------------------------------------------
  // What the master says (CellSession.Listener, on the session thread)

  @Override
  public void onAnswer(Request request, Message.Response response) {
    Result result = response.result();
    if (request.readOnly()) {
      if (!response.cachable()) {
        return;
      }
      HandleEntry e = handles.get(handleOf(request));
      if (e == null) {
        return;
      }
      if (result instanceof Result.Contents c) {
        cache.rememberContents(e.handle.path(), new NodeContents(c.contents(), c.stat()));
      } else if (result instanceof Result.StatResult s) {
        cache.rememberStat(e.handle.path(), s.stat());
      }
    } else if (request instanceof Request.Open o && !o.create().creates()) {
      if (response.cachable()
          && result instanceof Result.Failure f
          && f.code() == ErrorCode.NOT_FOUND) {
        cache.rememberAbsent(o.path());
      }
    } else {
      // Again now it is applied: a read answered before the write was sent may have come back
      // after it was sent, and the master does not invalidate a writer's own entries.
      dropWrittenPaths(request);
    }
  }

  @Override
  public void onEvents(List<Message.NumberedEvent> numbered) {
    for (Message.NumberedEvent n : numbered) {
      HandleEntry e = handles.get(n.handle());
      if (e == null) {
        continue; // closed meanwhile
      }
      Event event = n.event();
      if (event instanceof Event.LockAcquired && e.pendingAcquire != null) {
        e.pendingAcquire.complete(null);
        e.pendingAcquire = null;
      } else if (event instanceof Event.HandleInvalid) {
        e.handle.markInvalid();
        failAcquire(
            e, new HandleInvalidException(ErrorCode.HANDLE_INVALID, "the node was deleted"));
      }
      HandleListener listener = e.handle.options().listener();
      if (listener != null
          && (event instanceof Event.HandleInvalid
              || e.handle.options().events().contains(event.kind()))) {
        deliver(() -> listener.onEvent(event));
      }
    }
  }

  @Override
  public void onInvalidations(List<Message.Invalidation> invalidations) {
    for (Message.Invalidation i : invalidations) {
      cache.invalidate(i.path());
    }
  }

  @Override
  public void onNotices(Set<SessionNotice> notices) {
    cache.flush();
    tellSessionListeners(SessionListener::onEventsMayBeLost);
    for (HandleEntry e : handles.values()) {
      HandleListener listener = e.handle.options().listener();
      if (listener != null) {
        deliver(listener::onEventsMayBeLost);
      }
      if (e.pendingAcquire != null) {
        recheckAcquire(e);
      }
    }
  }

  /** The grant's event may be among those lost: ask whether the lock is held now. */
  private void recheckAcquire(HandleEntry e) {
    CompletableFuture<Void> waiting = e.pendingAcquire;
    session
        .call(new Request.GetSequencer(e.handle.id()))
        .thenAccept(
            result -> {
              if (result.ok() && e.pendingAcquire == waiting) {
                waiting.complete(null);
                e.pendingAcquire = null;
              }
            });
  }

  @Override
  public void onStateChanged(CellSession.State stateOfSession) {
    // Once the client ends its session the master answers SESSION_EXPIRED; that is the close.
    CellSession.State next =
        closing && stateOfSession == CellSession.State.EXPIRED
            ? CellSession.State.CLOSED
            : stateOfSession;
    switch (next) {
      case CONNECTING -> {}
      case HEALTHY -> {
        if (state == SessionState.JEOPARDY) {
          cache.enable();
          state = SessionState.HEALTHY;
          tellSessionListeners(SessionListener::onSafe);
        }
      }
      case JEOPARDY -> {
        cache.disable();
        state = SessionState.JEOPARDY;
        tellSessionListeners(SessionListener::onJeopardy);
      }
      case EXPIRED -> {
        cache.disable();
        state = SessionState.EXPIRED;
        for (HandleEntry e : handles.values()) {
          e.handle.markInvalid();
          failAcquire(e, new SessionExpiredException("the session expired"));
        }
        tellSessionListeners(SessionListener::onExpired);
      }
      case CLOSED -> {
        cache.disable();
        state = SessionState.CLOSED;
        for (HandleEntry e : handles.values()) {
          failAcquire(e, new ClientClosedException("the client is closed"));
        }
      }
    }
  }

  private void tellSessionListeners(Consumer<SessionListener> call) {
    for (SessionListener l : sessionListeners) {
      deliver(() -> call.accept(l));
    }
  }

  /** Runs application code on the event thread, keeping order; a throwing listener is logged. */
  private void deliver(Runnable listenerCall) {
    try {
      events.execute(
          () -> {
            try {
              listenerCall.run();
            } catch (RuntimeException e) {
              log.warn("a Tumbler listener threw; going on with the next event", e);
            }
          });
    } catch (RejectedExecutionException closed) {
      // the client is closed: nobody listens any more
    }
  }
}
