package io.tumbler.lockservice.statemachine;

import io.tumbler.lockservice.InvalidNameException;
import io.tumbler.lockservice.Limits;
import io.tumbler.lockservice.NodePath;
import io.tumbler.lockservice.command.Command;
import io.tumbler.lockservice.command.Request;
import io.tumbler.lockservice.command.TxnOp;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which cached facts a command may change, so the master can invalidate them before it proposes the
 * command. A client caches two kinds of fact under a node's name: its contents and metadata (a
 * {@code Stat}, lock generation included), or its absence. Directory listings are not cached (their
 * entries carry every child's metadata, so any write below would change them). So a command names
 * each node it may create, delete or change — including an ephemeral directory that a deletion may
 * leave empty, which goes with it.
 *
 * <p>Conservative by design: naming a path that does not end up changing costs one spurious
 * invalidation; missing one would let a client read stale data. Evaluated against the current
 * state, before the command is chosen; the master keeps the named paths uncachable until the
 * command has been applied, which covers anything that changes in between.
 */
final class CachedPaths {

  private final State state;
  private final Limits limits;

  CachedPaths(State state, Limits limits) {
    this.state = state;
    this.limits = limits;
  }

  Set<String> changedBy(Command command) {
    Set<String> paths = new TreeSet<>();
    if (command instanceof Command.ClientRequest c) {
      request(c.session(), c.request(), paths);
    } else if (command instanceof Command.ExpireSession c) {
      endOfSession(c.session(), paths);
    } else if (command instanceof Command.Tick) {
      for (long instance : state.delayedLocks) {
        paths.add(state.nodesByInstance.get(instance).path.toString());
      }
    }
    return paths;
  }

  private void request(long session, Request request, Set<String> paths) {
    if (request.readOnly()) {
      return;
    }
    if (request instanceof Request.Open r) {
      if (r.create().creates()) {
        NodePath path = parse(r.path());
        if (path != null && !r.create().sequential()) {
          // A sequential create makes a name nobody can have looked up: nothing to invalidate.
          paths.add(path.toString());
        }
      }
    } else if (request instanceof Request.Close r) {
      Handle h = ownHandle(session, r.handle());
      if (h != null) {
        closing(h, paths);
      }
    } else if (request instanceof Request.SetContents r) {
      nodeOf(session, r.handle(), paths);
    } else if (request instanceof Request.SetAcl r) {
      nodeOf(session, r.handle(), paths);
    } else if (request instanceof Request.Delete r) {
      Handle h = ownHandle(session, r.handle());
      if (h != null) {
        withEmptiedAncestors(h.path, paths);
      }
    } else if (request instanceof Request.Acquire r) {
      nodeOf(session, r.handle(), paths);
    } else if (request instanceof Request.TryAcquire r) {
      nodeOf(session, r.handle(), paths);
    } else if (request instanceof Request.Release r) {
      nodeOf(session, r.handle(), paths);
    } else if (request instanceof Request.Transaction r) {
      for (TxnOp op : r.ops()) {
        if (op instanceof TxnOp.PutContents
            || op instanceof TxnOp.Create
            || op instanceof TxnOp.Remove) {
          NodePath path = parse(op.path());
          if (path != null) {
            withEmptiedAncestors(path, paths);
          }
        }
      }
    } else if (request instanceof Request.EndSession) {
      endOfSession(session, paths);
    }
    // Poison and SetSequencer change only the handle, which no other session can see.
  }

  private void endOfSession(long session, Set<String> paths) {
    Session s = state.sessions.get(session);
    if (s == null) {
      return;
    }
    for (long handle : s.handles) {
      closing(state.handles.get(handle), paths);
    }
  }

  /** Closing a handle may free its lock and delete its ephemeral node (and emptied parents). */
  private void closing(Handle h, Set<String> paths) {
    Node node = state.nodesByInstance.get(h.instanceNumber);
    if (node == null) {
      return;
    }
    if (node.lock.isHeld() || !node.lock.waiters.isEmpty()) {
      paths.add(node.path.toString());
    }
    if (node.ephemeral) {
      withEmptiedAncestors(node.path, paths);
    }
  }

  /** A node that may be deleted, and the ephemeral directories above it that would go with it. */
  private void withEmptiedAncestors(NodePath path, Set<String> paths) {
    paths.add(path.toString());
    for (NodePath p = path.parent().orElse(null); p != null; p = p.parent().orElse(null)) {
      Node parent = state.find(p);
      if (parent == null || !parent.ephemeral) {
        return;
      }
      paths.add(p.toString());
    }
  }

  private void nodeOf(long session, long handle, Set<String> paths) {
    Handle h = ownHandle(session, handle);
    if (h != null) {
      paths.add(h.path.toString());
    }
  }

  private Handle ownHandle(long session, long handle) {
    Handle h = state.handles.get(handle);
    return h != null && h.session == session ? h : null;
  }

  private NodePath parse(String path) {
    try {
      return NodePath.parse(path, limits);
    } catch (InvalidNameException e) {
      return null; // the command will fail with BAD_NAME and change nothing
    }
  }
}
