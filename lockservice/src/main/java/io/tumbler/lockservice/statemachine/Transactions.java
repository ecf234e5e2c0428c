package io.tumbler.lockservice.statemachine;

import io.tumbler.lockservice.NodePath;
import io.tumbler.lockservice.command.ErrorCode;
import io.tumbler.lockservice.command.Event;
import io.tumbler.lockservice.command.EventDelivery;
import io.tumbler.lockservice.command.NodeKind;
import io.tumbler.lockservice.command.Result;
import io.tumbler.lockservice.command.TxnOp;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a transaction's ops in order, each seeing the writes before it. Every write records how to
 * undo itself; the first failing op undoes them all, so the transaction is applied whole or not at
 * all, and its events are published only if it commits.
 */
final class Transactions {

  private final LockServiceStateMachine machine;
  private final Session session;
  private final ArrayDeque<Runnable> undo = new ArrayDeque<>();
  private final List<Node> removedParents = new ArrayList<>();

  Transactions(LockServiceStateMachine machine, Session session) {
    this.machine = machine;
    this.session = session;
  }

  Result run(List<TxnOp> ops, List<EventDelivery> events) {
    var limits = machine.limits();
    if (ops.size() > limits.maxTransactionOps()) {
      throw new Refusal(
          ErrorCode.TOO_LARGE,
          "%d ops exceed the limit of %d",
          ops.size(),
          limits.maxTransactionOps());
    }
    long contentBytes = 0;
    for (TxnOp op : ops) {
      if (op instanceof TxnOp.PutContents p) {
        contentBytes += p.contents().size();
      } else if (op instanceof TxnOp.Create c) {
        contentBytes += c.contents().size();
      }
    }
    if (contentBytes > limits.maxTransactionContentBytes()) {
      throw new Refusal(
          ErrorCode.TOO_LARGE,
          "%d bytes of contents exceed the limit of %d",
          contentBytes,
          limits.maxTransactionContentBytes());
    }
    State state = machine.state();
    long nextInstance = state.nextInstanceNumber;
    List<EventDelivery> pending = new ArrayList<>();
    for (int i = 0; i < ops.size(); i++) {
      try {
        step(ops.get(i), pending);
      } catch (Refusal r) {
        while (!undo.isEmpty() && machine.bug() != PlantedBug.PARTIAL_TRANSACTION) {
          undo.pop().run();
        }
        state.nextInstanceNumber = nextInstance;
        throw new Refusal(r.failure.code(), "op %d: %s", i, r.failure.detail());
      }
    }
    events.addAll(pending);
    for (Node parent : removedParents) {
      if (state.nodesByInstance.get(parent.instanceNumber) == parent) {
        machine.namespace().collectIfUnused(parent, events);
      }
    }
    return new Result.Done();
  }

  private void step(TxnOp op, List<EventDelivery> events) {
    NodePath path = machine.namespace().parse(op.path());
    Node node = machine.find(path);
    if (op instanceof TxnOp.CheckExists c) {
      // Whether a name exists is what listing its directory tells: the same permission guards it.
      Node ancestor = nearestExistingAncestor(path);
      if (ancestor != null) {
        machine.checkAllowed(session, ancestor.acls.read(), "read", ancestor.path);
      }
      if ((node != null) != c.exists()) {
        throw new Refusal(
            c.exists() ? ErrorCode.NOT_FOUND : ErrorCode.EXISTS,
            "%s %s",
            path,
            c.exists() ? "does not exist" : "exists");
      }
    } else if (op instanceof TxnOp.CheckContentGeneration c) {
      Node file = existing(node, path);
      machine.checkAllowed(session, file.acls.read(), "read", path);
      if (file.contentGeneration != c.contentGeneration()) {
        throw new Refusal(
            ErrorCode.GENERATION_MISMATCH,
            "%s has content generation %d, not %d",
            path,
            file.contentGeneration,
            c.contentGeneration());
      }
    } else if (op instanceof TxnOp.PutContents p) {
      Node file = existing(node, path);
      machine.checkAllowed(session, file.acls.write(), "write", path);
      if (file.kind != NodeKind.FILE) {
        throw new Refusal(ErrorCode.NOT_A_FILE, "%s is a directory", path);
      }
      machine.namespace().checkContents(NodeKind.FILE, p.contents());
      byte[] oldContents = file.contents;
      long oldChecksum = file.contentChecksum;
      undo.push(
          () -> {
            file.contents = oldContents;
            file.contentChecksum = oldChecksum;
            file.contentGeneration--;
          });
      machine.namespace().writeContents(file, p.contents(), events);
    } else if (op instanceof TxnOp.Create c) {
      if (node != null) {
        throw new Refusal(ErrorCode.EXISTS, "%s exists", path);
      }
      Node parent = machine.namespace().parentForCreate(path);
      machine.checkAllowed(session, parent.acls.write(), "write", parent.path);
      machine.namespace().checkContents(c.kind(), c.contents());
      Node created =
          machine.namespace().createNode(parent, path, c.kind(), false, c.contents(), null, events);
      undo.push(() -> machine.namespace().unlink(created));
    } else if (op instanceof TxnOp.Remove r) {
      Node victim = existing(node, path);
      machine.checkAllowed(session, victim.acls.write(), "write", path);
      machine.namespace().checkDeletable(victim);
      Node parent = machine.find(path.parent().orElseThrow());
      // Unlinked, not deleted: ephemeral parents are collected only once the transaction commits.
      machine.namespace().unlink(victim);
      undo.push(() -> relink(parent, victim));
      for (long id : victim.openHandles) {
        Handle h = machine.state().handles.get(id);
        events.add(new EventDelivery(h.session, id, new Event.HandleInvalid(path.toString())));
      }
      machine
          .namespace()
          .notify(
              parent,
              new Event.ChildChanged(
                  parent.path.toString(), victim.name(), Event.ChildChange.REMOVED),
              events);
      removedParents.add(parent);
    } else {
      throw new AssertionError("unknown transaction op " + op);
    }
  }

  private void relink(Node parent, Node node) {
    State state = machine.state();
    state.addNode(parent, node);
    if (node.lock.lockDelayUntilMs != 0) {
      state.delayedLocks.add(node.instanceNumber);
    }
  }

  private Node nearestExistingAncestor(NodePath path) {
    for (NodePath p = path.parent().orElse(null); p != null; p = p.parent().orElse(null)) {
      Node n = machine.find(p);
      if (n != null) {
        return n;
      }
    }
    return null;
  }

  private static Node existing(Node node, NodePath path) {
    if (node == null) {
      throw new Refusal(ErrorCode.NOT_FOUND, "%s does not exist", path);
    }
    return node;
  }
}
