package io.tumbler.lockservice.statemachine;

import static com.google.common.base.Verify.verify;

import io.tumbler.lockservice.InvalidNameException;
import io.tumbler.lockservice.NodePath;
import io.tumbler.lockservice.command.AclNames;
import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.ChildEntry;
import io.tumbler.lockservice.command.ErrorCode;
import io.tumbler.lockservice.command.Event;
import io.tumbler.lockservice.command.EventDelivery;
import io.tumbler.lockservice.command.NodeKind;
import io.tumbler.lockservice.command.Request;
import io.tumbler.lockservice.command.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The tree: validating names, creating, writing and deleting nodes, collecting unused ephemeral
 * nodes, and telling subscribed handles what changed. Works on the machine's current state.
 */
final class Namespace {

  private final LockServiceStateMachine machine;

  Namespace(LockServiceStateMachine machine) {
    this.machine = machine;
  }

  /** Parses a name of this cell, refusing bad ones with BAD_NAME. */
  NodePath parse(String path) {
    NodePath p;
    try {
      p = NodePath.parse(path, machine.limits());
    } catch (InvalidNameException e) {
      throw new Refusal(ErrorCode.BAD_NAME, "%s", e.getMessage());
    }
    if (!p.cell().equals(machine.state().cell)) {
      throw new Refusal(ErrorCode.BAD_NAME, "%s is not in cell %s", path, machine.state().cell);
    }
    return p;
  }

  /** The parent directory a new node at {@code path} would go in. */
  Node parentForCreate(NodePath path) {
    if (path.isRoot()) {
      throw new Refusal(ErrorCode.EXISTS, "the cell root always exists");
    }
    Node parent = machine.state().find(path.parent().orElseThrow());
    if (parent == null) {
      throw new Refusal(ErrorCode.NOT_FOUND, "no parent directory for %s", path);
    }
    if (parent.kind != NodeKind.DIRECTORY) {
      throw new Refusal(ErrorCode.NOT_A_DIRECTORY, "%s is a file", parent.path);
    }
    return parent;
  }

  Node createNode(
      Node parent,
      NodePath path,
      NodeKind kind,
      boolean ephemeral,
      ByteString contents,
      AclNames acls,
      List<EventDelivery> events) {
    Node node =
        new Node(
            path,
            kind,
            ephemeral,
            machine.state().nextInstanceNumber++,
            contents.unsafeArray(),
            acls == null ? parent.acls : acls);
    machine.state().addNode(parent, node);
    notify(
        parent,
        new Event.ChildChanged(parent.path.toString(), node.name(), Event.ChildChange.ADDED),
        events);
    return node;
  }

  void checkContents(NodeKind kind, ByteString contents) {
    if (contents.size() > machine.limits().maxFileBytes()) {
      throw new Refusal(
          ErrorCode.TOO_LARGE,
          "contents of %d bytes exceed the limit of %d",
          contents.size(),
          machine.limits().maxFileBytes());
    }
    if (kind == NodeKind.DIRECTORY && contents.size() > 0) {
      throw new Refusal(ErrorCode.NOT_A_FILE, "a directory has no contents");
    }
  }

  void checkDeletable(Node node) {
    if (node == machine.state().root) {
      throw new Refusal(ErrorCode.BAD_ARGUMENT, "the cell root cannot be deleted");
    }
    if (!node.children.isEmpty()) {
      throw new Refusal(ErrorCode.NOT_EMPTY, "%s has %d children", node.path, node.children.size());
    }
  }

  /**
   * Removes {@code node}; every other handle on it hears that it is invalid. Its lock goes with it:
   * holders and waiters of a deleted instance hold nothing.
   */
  void deleteNode(Node node, long deletingHandle, List<EventDelivery> events) {
    unlink(node);
    for (long id : node.openHandles) {
      if (id != deletingHandle) {
        Handle h = machine.state().handles.get(id);
        events.add(new EventDelivery(h.session, id, new Event.HandleInvalid(node.path.toString())));
      }
    }
    Node parent = machine.state().find(node.path.parent().orElseThrow());
    notify(
        parent,
        new Event.ChildChanged(parent.path.toString(), node.name(), Event.ChildChange.REMOVED),
        events);
    collectIfUnused(parent, events);
  }

  void unlink(Node node) {
    Node parent = machine.state().find(node.path.parent().orElseThrow());
    verify(parent.children.remove(node.name()) == node, "%s not in its parent", node.path);
    machine.state().nodesByInstance.remove(node.instanceNumber);
    machine.state().delayedLocks.remove(node.instanceNumber);
  }

  /**
   * Ephemeral nodes live while some handle has them open; an ephemeral directory while not empty.
   */
  void collectIfUnused(Node node, List<EventDelivery> events) {
    if (node != machine.state().root
        && node.ephemeral
        && node.openHandles.isEmpty()
        && node.children.isEmpty()) {
      deleteNode(node, -1, events);
    }
  }

  Result readDir(Node dir, String startAfter) {
    if (dir.kind != NodeKind.DIRECTORY) {
      throw new Refusal(ErrorCode.NOT_A_DIRECTORY, "%s is a file", dir.path);
    }
    Map<String, Node> rest =
        startAfter.isEmpty() ? dir.children : dir.children.tailMap(startAfter, false);
    List<ChildEntry> page = new ArrayList<>();
    for (Node child : rest.values()) {
      if (page.size() == machine.limits().maxReadDirEntries()) {
        return new Result.DirPage(page, true);
      }
      page.add(new ChildEntry(child.name(), child.stat()));
    }
    return new Result.DirPage(page, false);
  }

  Result setContents(Node node, Request.SetContents r, List<EventDelivery> events) {
    if (node.kind != NodeKind.FILE) {
      throw new Refusal(ErrorCode.NOT_A_FILE, "%s is a directory", node.path);
    }
    checkContents(NodeKind.FILE, r.contents());
    if (r.expectedContentGeneration() >= 0
        && r.expectedContentGeneration() != node.contentGeneration) {
      throw new Refusal(
          ErrorCode.GENERATION_MISMATCH,
          "content generation is %d, not %d",
          node.contentGeneration,
          r.expectedContentGeneration());
    }
    writeContents(node, r.contents(), events);
    return new Result.StatResult(node.stat());
  }

  void writeContents(Node node, ByteString contents, List<EventDelivery> events) {
    node.contents = contents.unsafeArray();
    node.contentChecksum = Checksums.contents(node.contents);
    node.contentGeneration++;
    notify(node, new Event.ContentsModified(node.path.toString(), node.contentGeneration), events);
    notifyParentModified(node, events);
  }

  void notifyParentModified(Node node, List<EventDelivery> events) {
    if (node != machine.state().root) {
      Node parent = machine.state().find(node.path.parent().orElseThrow());
      notify(
          parent,
          new Event.ChildChanged(parent.path.toString(), node.name(), Event.ChildChange.MODIFIED),
          events);
    }
  }

  Result setAcl(Node node, AclNames acls, List<EventDelivery> events) {
    machine.aclChecks().checkAclNames(acls);
    node.acls = acls;
    node.aclGeneration++;
    notifyParentModified(node, events);
    return new Result.Done();
  }

  /** Delivers {@code event} to every handle on {@code node} subscribed to its kind. */
  void notify(Node node, Event event, List<EventDelivery> events) {
    for (long id : node.openHandles) {
      Handle h = machine.state().handles.get(id);
      if (h.events.contains(event.kind())) {
        events.add(new EventDelivery(h.session, id, event));
      }
    }
  }
}
