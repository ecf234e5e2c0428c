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
 * command. A client caches three kinds of fact under a node's name: its contents and metadata (a
 * {@code Stat}, lock generation included), its absence, and — for a directory — its listing. So a
 * change to a node names the node, and a creation or deletion names its parent too.
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
        if (path != null) {
          if (!r.create().sequential()) {
            paths.add(path.toString());
          }
          path.parent().ifPresent(p -> paths.add(p.toString()));
        }
      }
    } else if (request instanceof Request.Close r) {
      Handle h = ownHandle(session, r.handle());
      if (h != null) {
        closing(h, paths);
      }
    } else if (request instanceof Request.SetContents r) {
      nodeOf(session, r.handle(), paths, false);
    } else if (request instanceof Request.SetAcl r) {
      nodeOf(session, r.handle(), paths, false);
    } else if (request instanceof Request.Delete r) {
      nodeOf(session, r.handle(), paths, true);
    } else if (request instanceof Request.Acquire r) {
      nodeOf(session, r.handle(), paths, false);
    } else if (request instanceof Request.TryAcquire r) {
      nodeOf(session, r.handle(), paths, false);
    } else if (request instanceof Request.Release r) {
      nodeOf(session, r.handle(), paths, false);
    } else if (request instanceof Request.Transaction r) {
      for (TxnOp op : r.ops()) {
        if (op instanceof TxnOp.PutContents
            || op instanceof TxnOp.Create
            || op instanceof TxnOp.Remove) {
          NodePath path = parse(op.path());
          if (path != null) {
            paths.add(path.toString());
            path.parent().ifPresent(p -> paths.add(p.toString()));
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
    NodePath path = node.path;
    Node current = node;
    while (current != null && current.ephemeral) {
      paths.add(path.toString());
      NodePath parentPath = path.parent().orElse(null);
      if (parentPath == null) {
        break;
      }
      paths.add(parentPath.toString());
      path = parentPath;
      current = state.find(parentPath);
    }
  }

  private void nodeOf(long session, long handle, Set<String> paths, boolean withParent) {
    Handle h = ownHandle(session, handle);
    if (h == null) {
      return;
    }
    paths.add(h.path.toString());
    if (withParent) {
      h.path.parent().ifPresent(p -> paths.add(p.toString()));
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
