package io.tumbler.lockservice.statemachine;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Verify.verify;

import com.google.common.collect.ImmutableList;
import io.tumbler.lockservice.InvalidNameException;
import io.tumbler.lockservice.Limits;
import io.tumbler.lockservice.NodePath;
import io.tumbler.lockservice.command.AclNames;
import io.tumbler.lockservice.command.Applied;
import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.ChildEntry;
import io.tumbler.lockservice.command.Command;
import io.tumbler.lockservice.command.CreateOptions;
import io.tumbler.lockservice.command.ErrorCode;
import io.tumbler.lockservice.command.EventDelivery;
import io.tumbler.lockservice.command.LockMode;
import io.tumbler.lockservice.command.NodeKind;
import io.tumbler.lockservice.command.Permission;
import io.tumbler.lockservice.command.Request;
import io.tumbler.lockservice.command.Result;
import io.tumbler.lockservice.command.Stat;
import io.tumbler.lockservice.lock.Sequencer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The lock service as a deterministic state machine: the namespace, sessions, handles and locks of
 * one cell. {@link #apply} is called with each chosen log entry in index order on every replica;
 * the same entries give the same state and the same results and events everywhere, because nothing
 * here reads a clock, a random source, or anything outside its arguments.
 *
 * <p>Not thread-safe: one thread (the cell's apply loop) owns it.
 */
public final class LockServiceStateMachine {

  /**
   * The ACL file that a new cell's root and {@code acl/} directory name for write and change-ACL.
   */
  public static final String BOOTSTRAP_ADMIN_ACL = "admin";

  /** The ACL file that a new cell's root and {@code acl/} directory name for read. */
  public static final String BOOTSTRAP_READ_ACL = "everyone";

  /** In an ACL file, a line that admits every principal, {@code anonymous} included. */
  public static final String ANY_PRINCIPAL = "*";

  public static final String ANONYMOUS = "anonymous";

  static final String ACL_DIRECTORY = "acl";

  private final Limits limits;
  private final PlantedBug bug;
  private final Locks locks = new Locks(this);
  private final Acls aclChecks = new Acls(this);
  private final Namespace namespace = new Namespace(this);
  private State state;

  /**
   * A new cell: root directory, {@code acl/} directory, {@code acl/everyone} admitting anyone and
   * {@code acl/admin} listing {@code adminPrincipals}. Root and {@code acl/} are readable by
   * everyone and writable by admin.
   */
  public LockServiceStateMachine(String cell, Limits limits, List<String> adminPrincipals) {
    this(cell, limits, adminPrincipals, PlantedBug.NONE);
  }

  /** For tests that show a planted bug is caught; production code uses the other constructor. */
  public LockServiceStateMachine(
      String cell, Limits limits, List<String> adminPrincipals, PlantedBug bug) {
    checkArgument(!adminPrincipals.isEmpty(), "a cell needs at least one admin principal");
    this.limits = limits;
    this.bug = bug;
    this.state = bootstrap(cell, limits, adminPrincipals);
  }

  /** A cell that admits everyone to everything: for development and tests. */
  public static LockServiceStateMachine openCell(String cell) {
    return new LockServiceStateMachine(cell, Limits.DEFAULTS, List.of(ANY_PRINCIPAL));
  }

  private static State bootstrap(String cell, Limits limits, List<String> admins) {
    NodePath rootPath = NodePath.parse("/ls/" + cell, limits);
    State s = new State(cell);
    AclNames acls = new AclNames(BOOTSTRAP_READ_ACL, BOOTSTRAP_ADMIN_ACL, BOOTSTRAP_ADMIN_ACL);
    s.root =
        new Node(rootPath, NodeKind.DIRECTORY, false, s.nextInstanceNumber++, new byte[0], acls);
    s.nodesByInstance.put(s.root.instanceNumber, s.root);
    Node aclDir =
        new Node(
            rootPath.child(ACL_DIRECTORY, limits),
            NodeKind.DIRECTORY,
            false,
            s.nextInstanceNumber++,
            new byte[0],
            acls);
    s.addNode(s.root, aclDir);
    s.addNode(
        aclDir,
        new Node(
            aclDir.path.child(BOOTSTRAP_READ_ACL, limits),
            NodeKind.FILE,
            false,
            s.nextInstanceNumber++,
            (ANY_PRINCIPAL + "\n").getBytes(StandardCharsets.UTF_8),
            acls));
    s.addNode(
        aclDir,
        new Node(
            aclDir.path.child(BOOTSTRAP_ADMIN_ACL, limits),
            NodeKind.FILE,
            false,
            s.nextInstanceNumber++,
            (String.join("\n", admins) + "\n").getBytes(StandardCharsets.UTF_8),
            acls));
    return s;
  }

  public String cell() {
    return state.cell;
  }

  public Limits limits() {
    return limits;
  }

  public long lastAppliedIndex() {
    return state.lastAppliedIndex;
  }

  /** The earliest end of a running lock-delay, or -1: the master proposes a Tick for it. */
  public long nextLockDelayEndMs() {
    long earliest = -1;
    for (long instance : state.delayedLocks) {
      long until = state.nodesByInstance.get(instance).lock.lockDelayUntilMs;
      earliest = earliest < 0 ? until : Math.min(earliest, until);
    }
    return earliest;
  }

  // ---------------------------------------------------------------------------------------------
  // Applying commands

  /**
   * Applies the log entry at {@code index}. Indexes must increase; gaps are allowed (no-ops and
   * entries of other kinds occupy slots too).
   */
  public Applied apply(long index, Command command) {
    checkArgument(
        index > state.lastAppliedIndex,
        "index %s is not above the last applied %s",
        index,
        state.lastAppliedIndex);
    state.lastAppliedIndex = index;
    // A new master's clock may be behind the old one's; time never goes back inside the state.
    state.nowMs = Math.max(state.nowMs, command.nowMs());
    List<EventDelivery> events = new ArrayList<>();
    Result result;
    if (command instanceof Command.CreateSession c) {
      result = createSession(index, c);
    } else if (command instanceof Command.ExpireSession c) {
      result = endSession(c.session(), true, events);
    } else if (command instanceof Command.ClientRequest c) {
      result = clientRequest(c, events);
    } else if (command instanceof Command.Tick) {
      for (Long instance : ImmutableList.copyOf(state.delayedLocks)) {
        locks.settle(state.nodesByInstance.get(instance), events);
      }
      result = new Result.Done();
    } else {
      throw new AssertionError("unknown command " + command);
    }
    return new Applied(result, events);
  }

  /**
   * Answers a read-only request from the current state, without logging it: what a master holding
   * its lease does for reads. Changes nothing.
   */
  public Result read(long session, Request request) {
    checkArgument(request.readOnly(), "not a read-only request: %s", request);
    Session s = state.sessions.get(session);
    if (s == null) {
      return Result.failure(ErrorCode.SESSION_EXPIRED, "no session %d", session);
    }
    try {
      return handle(s, request, new ArrayList<>());
    } catch (Refusal r) {
      return r.failure;
    }
  }

  private Result createSession(long index, Command.CreateSession c) {
    if (c.principal().getBytes(StandardCharsets.UTF_8).length > limits.maxPrincipalBytes()) {
      return Result.failure(ErrorCode.TOO_LARGE, "principal longer than the limit");
    }
    verify(!state.sessions.containsKey(index), "session %s exists", index);
    state.sessions.put(index, new Session(index, c.principal()));
    return new Result.SessionCreated(index);
  }

  private Result clientRequest(Command.ClientRequest c, List<EventDelivery> events) {
    Session s = state.sessions.get(c.session());
    if (s == null) {
      return Result.failure(ErrorCode.SESSION_EXPIRED, "no session %d", c.session());
    }
    if (c.requestNumber() <= 0) {
      return Result.failure(ErrorCode.BAD_ARGUMENT, "request numbers start at 1");
    }
    // The client cannot have seen the result of this request yet, so the ack stops below it.
    s.acknowledge(Math.min(c.ackedThrough(), c.requestNumber() - 1));
    if (bug != PlantedBug.RETRY_APPLIED_TWICE) {
      if (c.requestNumber() <= s.ackedThrough) {
        return Result.failure(
            ErrorCode.STALE_REQUEST,
            "request %d is at or below the acknowledged %d",
            c.requestNumber(),
            s.ackedThrough);
      }
      Result first = s.unackedResults.get(c.requestNumber());
      if (first != null) {
        return first; // a retry: the first answer, and no second application
      }
    }
    if (s.unackedResults.size() >= limits.maxUnackedRequestsPerSession()) {
      return Result.failure(
          ErrorCode.LIMIT_EXCEEDED,
          "%d results unacknowledged; acknowledge before sending more",
          s.unackedResults.size());
    }
    Result result;
    try {
      result = handle(s, c.request(), events);
    } catch (Refusal r) {
      result = r.failure;
    }
    // A read applied twice does no harm, and not keeping its result (contents up to 256 KiB)
    // keeps the replicated bookkeeping small. EndSession removes the session: nothing to keep.
    if (!c.request().readOnly() && state.sessions.get(s.id) == s) {
      s.unackedResults.put(c.requestNumber(), result);
    }
    return result;
  }

  private Result handle(Session s, Request request, List<EventDelivery> events) {
    if (request instanceof Request.Open r) {
      return open(s, r, events);
    } else if (request instanceof Request.Close r) {
      Handle h = state.handles.get(r.handle());
      if (h != null && h.session == s.id) {
        closeHandle(h, false, events);
      }
      return new Result.Done();
    } else if (request instanceof Request.Poison r) {
      Handle h = state.handles.get(r.handle());
      if (h == null || h.session != s.id) {
        throw new Refusal(ErrorCode.HANDLE_INVALID, "no handle %d in this session", r.handle());
      }
      h.poisoned = true;
      return new Result.Done();
    } else if (request instanceof Request.GetContentsAndStat r) {
      Node node = usable(s, r.handle(), Permission.READ);
      if (node.kind != NodeKind.FILE) {
        throw new Refusal(ErrorCode.NOT_A_FILE, "%s is a directory", node.path);
      }
      return new Result.Contents(ByteString.wrap(node.contents), node.stat());
    } else if (request instanceof Request.GetStat r) {
      return new Result.StatResult(usable(s, r.handle(), null).stat());
    } else if (request instanceof Request.ReadDir r) {
      return namespace.readDir(usable(s, r.handle(), Permission.READ), r.startAfter());
    } else if (request instanceof Request.SetContents r) {
      return namespace.setContents(usable(s, r.handle(), Permission.WRITE), r, events);
    } else if (request instanceof Request.SetAcl r) {
      return namespace.setAcl(usable(s, r.handle(), Permission.CHANGE_ACL), r.acls(), events);
    } else if (request instanceof Request.Delete r) {
      Node node = usable(s, r.handle(), Permission.WRITE);
      namespace.checkDeletable(node);
      namespace.deleteNode(node, r.handle(), events);
      return new Result.Done();
    } else if (request instanceof Request.Acquire r) {
      return locks.acquire(
          state.handles.get(r.handle()),
          usable(s, r.handle(), Permission.LOCK),
          r.mode(),
          true,
          events);
    } else if (request instanceof Request.TryAcquire r) {
      return locks.acquire(
          state.handles.get(r.handle()),
          usable(s, r.handle(), Permission.LOCK),
          r.mode(),
          false,
          events);
    } else if (request instanceof Request.Release r) {
      Node node = usable(s, r.handle(), Permission.LOCK);
      Handle h = state.handles.get(r.handle());
      if (!node.lock.holders.containsKey(h.id) && !node.lock.isWaiting(h.id)) {
        throw new Refusal(ErrorCode.NOT_HELD, "handle %d neither holds nor awaits the lock", h.id);
      }
      locks.leave(node, h, false, events);
      return new Result.Done();
    } else if (request instanceof Request.GetSequencer r) {
      Node node = usable(s, r.handle(), Permission.LOCK);
      LockMode mode = node.lock.holders.get(r.handle());
      if (mode == null) {
        throw new Refusal(ErrorCode.NOT_HELD, "handle %d holds no lock", r.handle());
      }
      return new Result.SequencerResult(
          new Sequencer(node.path.toString(), node.instanceNumber, mode, node.lockGeneration)
              .encode());
    } else if (request instanceof Request.SetSequencer r) {
      usable(s, r.handle(), null);
      if (!locks.sequencerValid(r.sequencer())) {
        throw new Refusal(ErrorCode.INVALID_SEQUENCER, "the sequencer is not valid now");
      }
      state.handles.get(r.handle()).sequencer = r.sequencer();
      return new Result.Done();
    } else if (request instanceof Request.CheckSequencer r) {
      if (!locks.sequencerValid(r.sequencer())) {
        throw new Refusal(ErrorCode.INVALID_SEQUENCER, "the sequencer is not valid now");
      }
      return new Result.Done();
    } else if (request instanceof Request.Transaction r) {
      return new Transactions(this, s).run(r.ops(), events);
    } else if (request instanceof Request.EndSession) {
      return endSession(s.id, false, events);
    }
    throw new AssertionError("unknown request " + request);
  }

  // ---------------------------------------------------------------------------------------------
  // Namespace

  Node find(NodePath path) {
    return state.find(path);
  }

  Namespace namespace() {
    return namespace;
  }

  Acls aclChecks() {
    return aclChecks;
  }

  State state() {
    return state;
  }

  PlantedBug bug() {
    return bug;
  }

  private Result open(Session s, Request.Open r, List<EventDelivery> events) {
    NodePath path = namespace.parse(r.path());
    CreateOptions create = r.create();
    long lockDelayMs = r.lockDelayMs() <= 0 ? limits.lockDelayMsDefault() : r.lockDelayMs();
    if (lockDelayMs > limits.lockDelayMsMax()) {
      throw new Refusal(
          ErrorCode.BAD_ARGUMENT,
          "lock-delay %d ms exceeds the limit of %d ms",
          lockDelayMs,
          limits.lockDelayMsMax());
    }
    if (s.handles.size() >= limits.maxHandlesPerSession()) {
      throw new Refusal(ErrorCode.LIMIT_EXCEEDED, "%d handles open", s.handles.size());
    }
    long sequence = -1;
    if (create.sequential()) {
      sequence = state.nextSequence;
      path = namespace.parse(r.path() + String.format("%010d", sequence));
    }
    Node node = find(path);
    boolean created = false;
    if (node != null) {
      if (create.mustCreate() || create.sequential()) {
        throw new Refusal(ErrorCode.EXISTS, "%s exists", path);
      }
      aclChecks.checkMode(s, node.acls, r.mode());
    } else {
      if (!create.creates()) {
        throw new Refusal(ErrorCode.NOT_FOUND, "%s does not exist", path);
      }
      Node parent = namespace.parentForCreate(path);
      aclChecks.checkAllowed(s, parent.acls.write(), "write", parent.path);
      AclNames acls = create.acls() == null ? parent.acls : create.acls();
      if (create.acls() != null) {
        aclChecks.checkAclNames(acls);
      }
      aclChecks.checkMode(s, acls, r.mode());
      namespace.checkContents(create.kind(), create.initialContents());
      if (create.ephemeral() && s.ephemeralHandles >= limits.maxEphemeralHandlesPerSession()) {
        throw new Refusal(
            ErrorCode.LIMIT_EXCEEDED, "%d ephemeral handles open", s.ephemeralHandles);
      }
      if (sequence >= 0) {
        state.nextSequence++;
      }
      node =
          namespace.createNode(
              parent,
              path,
              create.kind(),
              create.ephemeral(),
              create.initialContents(),
              acls,
              events);
      created = true;
    }
    if (node.ephemeral
        && !created
        && s.ephemeralHandles >= limits.maxEphemeralHandlesPerSession()) {
      throw new Refusal(ErrorCode.LIMIT_EXCEEDED, "%d ephemeral handles open", s.ephemeralHandles);
    }
    Handle h =
        new Handle(
            state.nextHandle++,
            s.id,
            path,
            node.instanceNumber,
            r.mode(),
            r.events(),
            lockDelayMs,
            node.ephemeral);
    state.handles.put(h.id, h);
    s.handles.add(h.id);
    if (h.onEphemeral) {
      s.ephemeralHandles++;
    }
    node.openHandles.add(h.id);
    return new Result.Opened(h.id, path.toString(), created, node.stat());
  }

  // ---------------------------------------------------------------------------------------------
  // Handles and sessions

  /** The node of a handle fit for a call needing {@code needed} (null: no particular mode). */
  private Node usable(Session s, long handle, Permission needed) {
    Handle h = state.handles.get(handle);
    if (h == null || h.session != s.id) {
      throw new Refusal(ErrorCode.HANDLE_INVALID, "no handle %d in this session", handle);
    }
    if (h.poisoned) {
      throw new Refusal(ErrorCode.POISONED, "handle %d is poisoned", handle);
    }
    Node node = state.nodesByInstance.get(h.instanceNumber);
    if (node == null) {
      throw new Refusal(
          ErrorCode.HANDLE_INVALID, "%s (instance %d) was deleted", h.path, h.instanceNumber);
    }
    if (h.sequencer != null && !locks.sequencerValid(h.sequencer)) {
      throw new Refusal(ErrorCode.INVALID_SEQUENCER, "the handle's sequencer is no longer valid");
    }
    if (needed != null && !h.mode.contains(needed)) {
      throw new Refusal(
          ErrorCode.MODE_NOT_GRANTED, "handle %d was not opened for %s", handle, needed);
    }
    return node;
  }

  private void closeHandle(Handle h, boolean expired, List<EventDelivery> events) {
    Node node = state.nodesByInstance.get(h.instanceNumber);
    if (node != null) {
      node.openHandles.remove(h.id); // first, so that a closing handle hears nothing more
      locks.leave(node, h, expired, events);
      namespace.collectIfUnused(node, events);
    }
    state.handles.remove(h.id);
    Session s = state.sessions.get(h.session);
    s.handles.remove(h.id);
    if (h.onEphemeral) {
      s.ephemeralHandles--;
    }
  }

  /**
   * Closes every handle of the session and forgets it. {@code expired}: the master gave up on it,
   * so the locks it held start their lock-delay; a client ending its session releases at once.
   */
  private Result endSession(long session, boolean expired, List<EventDelivery> events) {
    Session s = state.sessions.get(session);
    if (s == null) {
      return Result.failure(ErrorCode.SESSION_EXPIRED, "no session %d", session);
    }
    for (Long id : ImmutableList.copyOf(s.handles)) {
      closeHandle(state.handles.get(id), expired, events);
    }
    verify(s.handles.isEmpty() && s.ephemeralHandles == 0, "session %s not emptied", session);
    state.sessions.remove(session);
    return new Result.Done();
  }

  // ---------------------------------------------------------------------------------------------
  // Events

  void checkAllowed(Session s, String aclName, String what, NodePath path) {
    aclChecks.checkAllowed(s, aclName, what, path);
  }

  // ---------------------------------------------------------------------------------------------
  // Questions the master asks between commands (nothing here changes state)

  /**
   * The names whose cached contents, metadata, absence or listing {@code command} may change,
   * judged against the current state. The master invalidates them before proposing it.
   */
  public Set<String> cachedPathsChangedBy(Command command) {
    return new CachedPaths(state, limits).changedBy(command);
  }

  /** The name a session's handle is open on, if the handle is that session's. */
  public Optional<String> handlePath(long session, long handle) {
    Handle h = state.handles.get(handle);
    return h != null && h.session == session ? Optional.of(h.path.toString()) : Optional.empty();
  }

  public boolean hasSession(long session) {
    return state.sessions.containsKey(session);
  }

  /** Every live session, in id order. */
  public List<Long> sessionIds() {
    return ImmutableList.copyOf(state.sessions.keySet());
  }

  public int sessionCount() {
    return state.sessions.size();
  }

  /** Nodes whose lock at least one session holds. */
  public int heldLockCount() {
    int held = 0;
    for (Node node : state.nodesByInstance.values()) {
      if (node.lock.isHeld()) {
        held++;
      }
    }
    return held;
  }

  public int nodeCount() {
    return state.nodesByInstance.size();
  }

  /**
   * A node's metadata, its first {@code maxChildren} children and first {@code maxContentBytes}
   * bytes, with no permission check: for the operator's status page, not for clients.
   */
  public Optional<Inspection> inspect(String path, int maxChildren, int maxContentBytes) {
    NodePath name;
    try {
      name = NodePath.parse(path, limits);
    } catch (InvalidNameException e) {
      return Optional.empty();
    }
    Node node = state.find(name);
    if (node == null) {
      return Optional.empty();
    }
    List<ChildEntry> children = new ArrayList<>();
    for (Node child : node.children.values()) {
      if (children.size() == maxChildren) {
        break;
      }
      children.add(new ChildEntry(child.name(), child.stat()));
    }
    byte[] prefix = Arrays.copyOf(node.contents, Math.min(node.contents.length, maxContentBytes));
    return Optional.of(
        new Inspection(
            node.path.toString(),
            node.stat(),
            children,
            node.children.size() > children.size(),
            prefix));
  }

  /** What {@link #inspect} found. */
  public record Inspection(
      String path, Stat stat, List<ChildEntry> children, boolean more, byte[] contentsPrefix) {
    public Inspection {
      children = ImmutableList.copyOf(children);
      contentsPrefix = contentsPrefix.clone();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Snapshots

  /** Writes the whole state: versioned, with a CRC32C over everything. */
  public void snapshot(OutputStream out) throws IOException {
    SnapshotFormat.write(state, out);
  }

  /**
   * Replaces the state with the snapshot's. The snapshot is read and checked in full first: a
   * damaged one throws {@link CorruptSnapshotException} and leaves the current state untouched.
   */
  public void restore(InputStream in) throws IOException {
    State restored = SnapshotFormat.read(in, limits);
    if (!restored.cell.equals(state.cell)) {
      throw new CorruptSnapshotException(
          "snapshot is of cell " + restored.cell + ", not " + state.cell);
    }
    state = restored;
  }

  /** A digest of the whole state, equal on replicas that applied the same commands. */
  public long stateHash() {
    return SnapshotFormat.hash(state);
  }
}
