package io.tumbler.lockservice.statemachine;

import io.tumbler.lockservice.NodePath;
import java.util.HashMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything the state machine replicates. Restore builds a fresh one and swaps it in only when the
 * whole snapshot has been read, so a bad snapshot never leaves a half-loaded state.
 */
final class State {
  final String cell;
  Node root;

  /** Live node instances; a handle whose instance is missing here is invalid. */
  final HashMap<Long, Node> nodesByInstance = new HashMap<>();

  final TreeMap<Long, Handle> handles = new TreeMap<>();
  final TreeMap<Long, Session> sessions = new TreeMap<>();

  /** Instances whose lock has a lock-delay running; derived, rebuilt on restore. */
  final TreeSet<Long> delayedLocks = new TreeSet<>();

  long lastAppliedIndex;
  long nowMs;
  long nextInstanceNumber = 1;
  long nextHandle = 1;
  long nextSequence;

  State(String cell) {
    this.cell = cell;
  }

  Node find(NodePath path) {
    if (!path.cell().equals(cell)) {
      return null;
    }
    Node node = root;
    for (String component : path.components()) {
      node = node.children.get(component);
      if (node == null) {
        return null;
      }
    }
    return node;
  }

  void addNode(Node parent, Node child) {
    parent.children.put(child.name(), child);
    nodesByInstance.put(child.instanceNumber, child);
  }
}
