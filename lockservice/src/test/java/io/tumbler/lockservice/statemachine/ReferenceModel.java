package io.tumbler.lockservice.statemachine;

import com.google.common.hash.Hashing;
import io.tumbler.lockservice.command.AclNames;
import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.ChildEntry;
import io.tumbler.lockservice.command.Command;
import io.tumbler.lockservice.command.ErrorCode;
import io.tumbler.lockservice.command.Event;
import io.tumbler.lockservice.command.EventDelivery;
import io.tumbler.lockservice.command.EventKind;
import io.tumbler.lockservice.command.LockMode;
import io.tumbler.lockservice.command.NodeKind;
import io.tumbler.lockservice.command.Request;
import io.tumbler.lockservice.command.Result;
import io.tumbler.lockservice.command.Stat;
import io.tumbler.lockservice.command.TxnOp;
import io.tumbler.lockservice.lock.Sequencer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A deliberately plain model of the lock service for the subset of requests the randomized test
 * sends (open cell, inherited ACLs): nodes in one map keyed by their full name, children found by
 * scanning, locks as lists, everything recomputed rather than indexed. Written from CHUBBY.md and
 * docs/lockservice.md, not from the state machine's code; where they disagree, one of them is
 * wrong.
 */
final class ReferenceModel {

  private static final AclNames ROOT_ACLS = new AclNames("everyone", "admin", "admin");
  private static final int MAX_UNACKED = 64;
  private static final long DEFAULT_LOCK_DELAY_MS = 60_000;
  private static final long MAX_LOCK_DELAY_MS = 60_000;

  static final class RNode {
    String path;
    boolean dir;
    boolean ephemeral;
    long instance;
    long contentGeneration;
    long lockGeneration;
    byte[] contents = new byte[0];
    List<long[]> holders = new ArrayList<>(); // {handle, mode ordinal}, sorted by handle
    List<long[]> waiters = new ArrayList<>(); // FIFO
    long delayUntil;

    RNode copy() {
      RNode c = new RNode();
      c.path = path;
      c.dir = dir;
      c.ephemeral = ephemeral;
      c.instance = instance;
      c.contentGeneration = contentGeneration;
      c.lockGeneration = lockGeneration;
      c.contents = contents;
      for (long[] h : holders) {
        c.holders.add(h.clone());
      }
      for (long[] w : waiters) {
        c.waiters.add(w.clone());
      }
      c.delayUntil = delayUntil;
      return c;
    }
  }

  record RHandle(
      long id, long session, String path, long instance, Set<EventKind> events, long lockDelay) {}

  static final class RSession {
    long acked;
    final TreeMap<Long, Result> results = new TreeMap<>();
  }

  private final String root;
  private final Map<String, RNode> nodes = new HashMap<>();
  private final TreeMap<Long, RHandle> handles = new TreeMap<>();
  private final Map<Long, RSession> sessions = new HashMap<>();
  private final java.util.Set<Long> poisoned = new java.util.HashSet<>();
  private final Map<Long, ByteString> tiedSequencers = new HashMap<>();
  private long nextInstance;
  private long nextHandle = 1;
  private long now;
  private List<EventDelivery> events;

  ReferenceModel(String cell) {
    root = "/ls/" + cell;
    RNode r = new RNode();
    r.path = root;
    r.dir = true;
    r.instance = 1;
    nodes.put(root, r);
    nextInstance = 5; // the bootstrap also made acl/, acl/everyone and acl/admin
  }

  List<EventDelivery> lastEvents() {
    return events;
  }

  Result apply(long index, Command command) {
    events = new ArrayList<>();
    now = Math.max(now, command.nowMs());
    if (command instanceof Command.CreateSession) {
      sessions.put(index, new RSession());
      return new Result.SessionCreated(index);
    }
    if (command instanceof Command.ExpireSession c) {
      return end(c.session(), true);
    }
    if (command instanceof Command.Tick) {
      List<RNode> all = new ArrayList<>(nodes.values());
      all.sort((x, y) -> Long.compare(x.instance, y.instance));
      for (RNode n : all) {
        if (n.delayUntil != 0) {
          settle(n);
        }
      }
      return new Result.Done();
    }
    Command.ClientRequest c = (Command.ClientRequest) command;
    RSession s = sessions.get(c.session());
    if (s == null) {
      return fail(ErrorCode.SESSION_EXPIRED);
    }
    long through = Math.min(c.ackedThrough(), c.requestNumber() - 1);
    if (through > s.acked) {
      s.acked = through;
      s.results.headMap(through, true).clear();
    }
    if (c.requestNumber() <= s.acked) {
      return fail(ErrorCode.STALE_REQUEST);
    }
    if (s.results.containsKey(c.requestNumber())) {
      return s.results.get(c.requestNumber());
    }
    if (s.results.size() >= MAX_UNACKED) {
      return fail(ErrorCode.LIMIT_EXCEEDED);
    }
    Result r = request(c.session(), c.request());
    if (!c.request().readOnly() && sessions.get(c.session()) == s) {
      s.results.put(c.requestNumber(), r);
    }
    return r;
  }

  private static Result fail(ErrorCode code) {
    return new Result.Failure(code, "");
  }

  private Result request(long session, Request request) {
    if (request instanceof Request.Open r) {
      return open(session, r);
    }
    if (request instanceof Request.EndSession) {
      return end(session, false);
    }
    if (request instanceof Request.CheckSequencer r) {
      return sequencerValid(r.sequencer()) ? new Result.Done() : fail(ErrorCode.INVALID_SEQUENCER);
    }
    if (request instanceof Request.Transaction t) {
      return transaction(t.ops());
    }
    long handleId = handleOf(request);
    RHandle h = handles.get(handleId);
    if (request instanceof Request.Close) {
      if (h != null && h.session() == session) {
        close(h, false);
      }
      return new Result.Done();
    }
    if (h == null || h.session() != session) {
      return fail(ErrorCode.HANDLE_INVALID);
    }
    if (request instanceof Request.Poison) {
      poisoned.add(handleId);
      return new Result.Done();
    }
    if (poisoned.contains(handleId)) {
      return fail(ErrorCode.POISONED);
    }
    RNode n = nodes.get(h.path());
    if (n == null || n.instance != h.instance()) {
      return fail(ErrorCode.HANDLE_INVALID);
    }
    ByteString tied = tiedSequencers.get(handleId);
    if (tied != null && !sequencerValid(tied)) {
      return fail(ErrorCode.INVALID_SEQUENCER);
    }
    if (request instanceof Request.SetSequencer r) {
      if (!sequencerValid(r.sequencer())) {
        return fail(ErrorCode.INVALID_SEQUENCER);
      }
      tiedSequencers.put(handleId, r.sequencer());
      return new Result.Done();
    }
    if (request instanceof Request.ReadDir r) {
      if (!n.dir) {
        return fail(ErrorCode.NOT_A_DIRECTORY);
      }
      List<String> names = new ArrayList<>();
      for (String child : children(n.path)) {
        String name = nameOf(child);
        if (r.startAfter().isEmpty() || name.compareTo(r.startAfter()) > 0) {
          names.add(name);
        }
      }
      names.sort(null);
      List<ChildEntry> page = new ArrayList<>();
      for (String name : names) {
        page.add(new ChildEntry(name, stat(nodes.get(n.path + "/" + name))));
      }
      return new Result.DirPage(page, false); // the test never fills a 1000-entry page
    }
    if (request instanceof Request.GetStat) {
      return new Result.StatResult(stat(n));
    }
    if (request instanceof Request.GetContentsAndStat) {
      return n.dir
          ? fail(ErrorCode.NOT_A_FILE)
          : new Result.Contents(ByteString.copyOf(n.contents), stat(n));
    }
    if (request instanceof Request.SetContents r) {
      if (n.dir) {
        return fail(ErrorCode.NOT_A_FILE);
      }
      if (r.contents().size() > 256 * 1024) {
        return fail(ErrorCode.TOO_LARGE);
      }
      if (r.expectedContentGeneration() >= 0
          && r.expectedContentGeneration() != n.contentGeneration) {
        return fail(ErrorCode.GENERATION_MISMATCH);
      }
      n.contents = r.contents().toByteArray();
      n.contentGeneration++;
      tell(n, new Event.ContentsModified(n.path, n.contentGeneration), -1);
      RNode parent = nodes.get(parentOf(n.path));
      tell(
          parent,
          new Event.ChildChanged(parent.path, nameOf(n.path), Event.ChildChange.MODIFIED),
          -1);
      return new Result.StatResult(stat(n));
    }
    if (request instanceof Request.Delete) {
      if (n.path.equals(root)) {
        return fail(ErrorCode.BAD_ARGUMENT);
      }
      if (!children(n.path).isEmpty()) {
        return fail(ErrorCode.NOT_EMPTY);
      }
      delete(n, handleId);
      return new Result.Done();
    }
    if (request instanceof Request.Acquire r) {
      return acquire(h, n, r.mode(), true);
    }
    if (request instanceof Request.TryAcquire r) {
      return acquire(h, n, r.mode(), false);
    }
    if (request instanceof Request.Release) {
      if (indexOf(n.holders, handleId) < 0 && indexOf(n.waiters, handleId) < 0) {
        return fail(ErrorCode.NOT_HELD);
      }
      leave(n, h, false);
      return new Result.Done();
    }
    if (request instanceof Request.GetSequencer) {
      int i = indexOf(n.holders, handleId);
      if (i < 0) {
        return fail(ErrorCode.NOT_HELD);
      }
      LockMode mode = LockMode.values()[(int) n.holders.get(i)[1]];
      return new Result.SequencerResult(
          new Sequencer(n.path, n.instance, mode, n.lockGeneration).encode());
    }
    throw new AssertionError("the model does not cover " + request);
  }

  /**
   * Runs the ops against the live maps after taking a deep copy of the nodes; on the first failure
   * the copy replaces them. (The state machine undoes step by step instead.)
   */
  private Result transaction(List<TxnOp> ops) {
    Map<String, RNode> saved = new HashMap<>();
    for (RNode n : nodes.values()) {
      saved.put(n.path, n.copy());
    }
    long savedInstance = nextInstance;
    List<EventDelivery> before = events;
    events = new ArrayList<>();
    List<String> removedParents = new ArrayList<>();
    for (TxnOp op : ops) {
      ErrorCode error = txnStep(op, removedParents);
      if (error != null) {
        nodes.clear();
        nodes.putAll(saved);
        nextInstance = savedInstance;
        events = before;
        return fail(error);
      }
    }
    before.addAll(events);
    events = before;
    for (String parent : removedParents) {
      RNode p = nodes.get(parent);
      if (p != null && !p.path.equals(root)) {
        collect(p);
      }
    }
    return new Result.Done();
  }

  private ErrorCode txnStep(TxnOp op, List<String> removedParents) {
    RNode n = nodes.get(op.path());
    if (op instanceof TxnOp.CheckExists c) {
      if ((n != null) != c.exists()) {
        return c.exists() ? ErrorCode.NOT_FOUND : ErrorCode.EXISTS;
      }
      return null;
    }
    if (op instanceof TxnOp.CheckContentGeneration c) {
      if (n == null) {
        return ErrorCode.NOT_FOUND;
      }
      return n.contentGeneration == c.contentGeneration() ? null : ErrorCode.GENERATION_MISMATCH;
    }
    if (op instanceof TxnOp.PutContents p) {
      if (n == null) {
        return ErrorCode.NOT_FOUND;
      }
      if (n.dir) {
        return ErrorCode.NOT_A_FILE;
      }
      n.contents = p.contents().toByteArray();
      n.contentGeneration++;
      tell(n, new Event.ContentsModified(n.path, n.contentGeneration), -1);
      RNode parent = nodes.get(parentOf(n.path));
      tell(
          parent,
          new Event.ChildChanged(parent.path, nameOf(n.path), Event.ChildChange.MODIFIED),
          -1);
      return null;
    }
    if (op instanceof TxnOp.Create c) {
      if (n != null) {
        return ErrorCode.EXISTS;
      }
      RNode parent = nodes.get(parentOf(op.path()));
      if (parent == null) {
        return ErrorCode.NOT_FOUND;
      }
      if (!parent.dir) {
        return ErrorCode.NOT_A_DIRECTORY;
      }
      if (c.kind() == NodeKind.DIRECTORY && c.contents().size() > 0) {
        return ErrorCode.NOT_A_FILE;
      }
      RNode created = new RNode();
      created.path = op.path();
      created.dir = c.kind() == NodeKind.DIRECTORY;
      created.instance = nextInstance++;
      created.contents = c.contents().toByteArray();
      nodes.put(created.path, created);
      tell(
          parent,
          new Event.ChildChanged(parent.path, nameOf(created.path), Event.ChildChange.ADDED),
          -1);
      return null;
    }
    if (op instanceof TxnOp.Remove) {
      if (n == null) {
        return ErrorCode.NOT_FOUND;
      }
      if (n.path.equals(root)) {
        return ErrorCode.BAD_ARGUMENT;
      }
      if (!children(n.path).isEmpty()) {
        return ErrorCode.NOT_EMPTY;
      }
      nodes.remove(n.path);
      for (RHandle h : openOn(n)) {
        events.add(new EventDelivery(h.session(), h.id(), new Event.HandleInvalid(n.path)));
      }
      RNode parent = nodes.get(parentOf(n.path));
      tell(
          parent,
          new Event.ChildChanged(parent.path, nameOf(n.path), Event.ChildChange.REMOVED),
          -1);
      removedParents.add(parent.path);
      return null;
    }
    throw new AssertionError(op);
  }

  private static long handleOf(Request r) {
    if (r instanceof Request.Close x) return x.handle();
    if (r instanceof Request.Poison x) return x.handle();
    if (r instanceof Request.ReadDir x) return x.handle();
    if (r instanceof Request.SetSequencer x) return x.handle();
    if (r instanceof Request.GetStat x) return x.handle();
    if (r instanceof Request.GetContentsAndStat x) return x.handle();
    if (r instanceof Request.SetContents x) return x.handle();
    if (r instanceof Request.Delete x) return x.handle();
    if (r instanceof Request.Acquire x) return x.handle();
    if (r instanceof Request.TryAcquire x) return x.handle();
    if (r instanceof Request.Release x) return x.handle();
    if (r instanceof Request.GetSequencer x) return x.handle();
    throw new AssertionError("the model does not cover " + r);
  }

  private Result open(long session, Request.Open r) {
    long lockDelay = r.lockDelayMs() <= 0 ? DEFAULT_LOCK_DELAY_MS : r.lockDelayMs();
    if (lockDelay > MAX_LOCK_DELAY_MS) {
      return fail(ErrorCode.BAD_ARGUMENT);
    }
    RNode n = nodes.get(r.path());
    boolean created = false;
    if (n != null) {
      if (r.create().mustCreate()) {
        return fail(ErrorCode.EXISTS);
      }
    } else {
      if (!r.create().creates()) {
        return fail(ErrorCode.NOT_FOUND);
      }
      RNode parent = nodes.get(parentOf(r.path()));
      if (parent == null) {
        return fail(ErrorCode.NOT_FOUND);
      }
      if (!parent.dir) {
        return fail(ErrorCode.NOT_A_DIRECTORY);
      }
      n = new RNode();
      n.path = r.path();
      n.dir = r.create().kind() == NodeKind.DIRECTORY;
      n.ephemeral = r.create().ephemeral();
      n.instance = nextInstance++;
      n.contents = r.create().initialContents().toByteArray();
      nodes.put(n.path, n);
      tell(
          parent, new Event.ChildChanged(parent.path, nameOf(n.path), Event.ChildChange.ADDED), -1);
      created = true;
    }
    RHandle h = new RHandle(nextHandle++, session, n.path, n.instance, r.events(), lockDelay);
    handles.put(h.id(), h);
    return new Result.Opened(h.id(), n.path, created, stat(n));
  }

  private Result end(long session, boolean expired) {
    if (!sessions.containsKey(session)) {
      return fail(ErrorCode.SESSION_EXPIRED);
    }
    for (RHandle h : new ArrayList<>(handles.values())) {
      if (h.session() == session) {
        close(h, expired);
      }
    }
    sessions.remove(session);
    return new Result.Done();
  }

  private void close(RHandle h, boolean expired) {
    handles.remove(h.id());
    RNode n = nodes.get(h.path());
    if (n != null && n.instance == h.instance()) {
      leave(n, h, expired);
      collect(n);
    }
  }

  private void collect(RNode n) {
    if (n.ephemeral && openOn(n).isEmpty() && children(n.path).isEmpty()) {
      delete(n, -1);
    }
  }

  private void delete(RNode n, long deleter) {
    nodes.remove(n.path);
    for (RHandle h : openOn(n)) {
      if (h.id() != deleter) {
        events.add(new EventDelivery(h.session(), h.id(), new Event.HandleInvalid(n.path)));
      }
    }
    RNode parent = nodes.get(parentOf(n.path));
    tell(
        parent, new Event.ChildChanged(parent.path, nameOf(n.path), Event.ChildChange.REMOVED), -1);
    if (!parent.path.equals(root)) {
      collect(parent);
    }
  }

  private Result acquire(RHandle h, RNode n, LockMode mode, boolean queue) {
    if (indexOf(n.holders, h.id()) >= 0 || indexOf(n.waiters, h.id()) >= 0) {
      return fail(ErrorCode.ALREADY_REQUESTED);
    }
    settle(n);
    boolean delayed = now < n.delayUntil;
    if (!delayed && n.waiters.isEmpty() && fits(n, mode)) {
      grant(n, h, mode);
      return new Result.LockGranted(mode, n.lockGeneration);
    }
    if (!queue) {
      return fail(delayed && n.holders.isEmpty() ? ErrorCode.LOCK_DELAY : ErrorCode.LOCK_CONFLICT);
    }
    n.waiters.add(new long[] {h.id(), mode.ordinal()});
    for (long[] holder : n.holders) {
      RHandle held = handles.get(holder[0]);
      if (held.events().contains(EventKind.CONFLICTING_LOCK_REQUEST)) {
        events.add(
            new EventDelivery(
                held.session(), held.id(), new Event.ConflictingLockRequest(n.path, mode)));
      }
    }
    return new Result.LockQueued();
  }

  private static boolean fits(RNode n, LockMode mode) {
    if (n.holders.isEmpty()) {
      return true;
    }
    return mode == LockMode.SHARED && n.holders.get(0)[1] == LockMode.SHARED.ordinal();
  }

  private void grant(RNode n, RHandle h, LockMode mode) {
    if (n.holders.isEmpty()) {
      n.lockGeneration++;
    }
    n.holders.add(new long[] {h.id(), mode.ordinal()});
    n.holders.sort((x, y) -> Long.compare(x[0], y[0]));
    Event e = new Event.LockAcquired(n.path, h.id(), mode, n.lockGeneration);
    for (RHandle other : openOn(n)) {
      if (other.id() == h.id() || other.events().contains(EventKind.LOCK_ACQUIRED)) {
        events.add(new EventDelivery(other.session(), other.id(), e));
      }
    }
  }

  private void leave(RNode n, RHandle h, boolean expired) {
    int i = indexOf(n.holders, h.id());
    if (i >= 0) {
      n.holders.remove(i);
      if (expired && n.holders.isEmpty()) {
        n.delayUntil = Math.max(n.delayUntil, now + h.lockDelay());
      }
    } else {
      int w = indexOf(n.waiters, h.id());
      if (w >= 0) {
        n.waiters.remove(w);
      }
    }
    settle(n);
  }

  private void settle(RNode n) {
    if (n.delayUntil != 0 && now >= n.delayUntil) {
      n.delayUntil = 0;
    }
    if (now < n.delayUntil) {
      return;
    }
    while (!n.waiters.isEmpty() && fits(n, LockMode.values()[(int) n.waiters.get(0)[1]])) {
      long[] next = n.waiters.remove(0);
      grant(n, handles.get(next[0]), LockMode.values()[(int) next[1]]);
    }
  }

  private boolean sequencerValid(ByteString bytes) {
    Sequencer s = Sequencer.decode(bytes).orElse(null);
    if (s == null) {
      return false;
    }
    RNode n = nodes.get(s.path());
    return n != null
        && n.instance == s.instanceNumber()
        && !n.holders.isEmpty()
        && n.holders.get(0)[1] == s.mode().ordinal()
        && n.lockGeneration == s.lockGeneration();
  }

  private static int indexOf(List<long[]> list, long handle) {
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i)[0] == handle) {
        return i;
      }
    }
    return -1;
  }

  private List<RHandle> openOn(RNode n) {
    List<RHandle> out = new ArrayList<>();
    for (RHandle h : handles.values()) {
      if (h.path().equals(n.path) && h.instance() == n.instance) {
        out.add(h);
      }
    }
    return out;
  }

  private List<String> children(String path) {
    List<String> out = new ArrayList<>();
    for (String p : nodes.keySet()) {
      if (p.startsWith(path + "/") && p.indexOf('/', path.length() + 1) < 0) {
        out.add(p);
      }
    }
    return out;
  }

  private void tell(RNode n, Event e, long except) {
    for (RHandle h : openOn(n)) {
      if (h.id() != except && h.events().contains(e.kind())) {
        events.add(new EventDelivery(h.session(), h.id(), e));
      }
    }
  }

  private Stat stat(RNode n) {
    return new Stat(
        n.dir ? NodeKind.DIRECTORY : NodeKind.FILE,
        n.ephemeral,
        n.instance,
        n.contentGeneration,
        n.lockGeneration,
        0,
        Hashing.farmHashFingerprint64().hashBytes(n.contents).asLong(),
        n.contents.length,
        ROOT_ACLS);
  }

  private static String parentOf(String path) {
    return path.substring(0, path.lastIndexOf('/'));
  }

  private static String nameOf(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }
}
