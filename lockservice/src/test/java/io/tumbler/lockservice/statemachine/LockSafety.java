package io.tumbler.lockservice.statemachine;

import io.tumbler.lockservice.command.LockMode;
import java.util.ArrayList;
import java.util.List;

/** Checks the lock invariants on a state machine's internals; empty when they hold. */
final class LockSafety {
  private LockSafety() {}

  static List<String> violations(LockServiceStateMachine machine) {
    List<String> found = new ArrayList<>();
    State state = machine.state();
    for (Node node : state.nodesByInstance.values()) {
      LockState lock = node.lock;
      if (lock.holders.containsValue(LockMode.EXCLUSIVE) && lock.holders.size() > 1) {
        found.add(node.path + " held exclusively together with others: " + lock.holders);
      }
      for (long holder : lock.holders.keySet()) {
        Handle h = state.handles.get(holder);
        if (h == null || h.instanceNumber != node.instanceNumber) {
          found.add(node.path + " held by handle " + holder + " that is not open on it");
        }
      }
      if (lock.isHeld() && lock.inLockDelay(state.nowMs)) {
        found.add(node.path + " granted during lock-delay");
      }
    }
    return found;
  }
}
