package io.tumbler.lockservice.statemachine;

import static com.google.common.base.Verify.verify;

import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.ErrorCode;
import io.tumbler.lockservice.command.Event;
import io.tumbler.lockservice.command.EventDelivery;
import io.tumbler.lockservice.command.EventKind;
import io.tumbler.lockservice.command.LockMode;
import io.tumbler.lockservice.command.Result;
import io.tumbler.lockservice.lock.Sequencer;
import java.util.List;

/**
 * The lock rules: grants in FIFO order, lock generations, lock-delay after expiry, sequencers.
 * Works on the state machine's current state (which restore may replace), never on a copy.
 */
final class Locks {

  private final LockServiceStateMachine machine;

  Locks(LockServiceStateMachine machine) {
    this.machine = machine;
  }

  Result acquire(Handle h, Node node, LockMode mode, boolean queue, List<EventDelivery> events) {
    LockState lock = node.lock;
    if (lock.holders.containsKey(h.id) || lock.isWaiting(h.id)) {
      throw new Refusal(
          ErrorCode.ALREADY_REQUESTED, "handle %d already holds or awaits the lock", h.id);
    }
    // An elapsed lock-delay is settled first, and stays settled (with its grant events) even if
    // this request then fails: the grants are due because of time, not because of this request.
    settle(node, events);
    boolean delayed = lock.inLockDelay(machine.state().nowMs);
    if (!delayed && lock.waiters.isEmpty() && compatible(lock, mode)) {
      grant(node, h, mode, events);
      return new Result.LockGranted(mode, node.lockGeneration);
    }
    if (!queue) {
      if (delayed && !lock.isHeld()) {
        throw new Refusal(
            ErrorCode.LOCK_DELAY,
            "%s is in lock-delay until %d ms",
            node.path,
            lock.lockDelayUntilMs);
      }
      throw new Refusal(ErrorCode.LOCK_CONFLICT, "%s is held or awaited", node.path);
    }
    lock.waiters.addLast(new LockState.Waiter(h.id, mode));
    for (long holder : lock.holders.keySet()) {
      Handle held = machine.state().handles.get(holder);
      if (held.events.contains(EventKind.CONFLICTING_LOCK_REQUEST)) {
        events.add(
            new EventDelivery(
                held.session,
                holder,
                new Event.ConflictingLockRequest(node.path.toString(), mode)));
      }
    }
    return new Result.LockQueued();
  }

  boolean compatible(LockState lock, LockMode mode) {
    if (machine.bug() == PlantedBug.SHARED_BESIDE_EXCLUSIVE && mode == LockMode.SHARED) {
      return true;
    }
    return lock.compatible(mode);
  }

  void grant(Node node, Handle h, LockMode mode, List<EventDelivery> events) {
    LockState lock = node.lock;
    if (!lock.isHeld()) {
      node.lockGeneration++;
    }
    lock.holders.put(h.id, mode);
    verify(
        machine.bug() != PlantedBug.NONE
            || lock.holders.size() == 1
            || !lock.holders.containsValue(LockMode.EXCLUSIVE),
        "exclusive lock of %s shared",
        node.path);
    Event acquired = new Event.LockAcquired(node.path.toString(), h.id, mode, node.lockGeneration);
    for (long id : node.openHandles) {
      Handle other = machine.state().handles.get(id);
      if (id == h.id || other.events.contains(EventKind.LOCK_ACQUIRED)) {
        events.add(new EventDelivery(other.session, id, acquired));
      }
    }
  }

  /** Takes the handle out of the lock (holder or waiter) and lets the next waiters in. */
  void leave(Node node, Handle h, boolean expired, List<EventDelivery> events) {
    LockState lock = node.lock;
    if (lock.holders.remove(h.id) != null) {
      if (expired
          && !lock.isHeld()
          && machine.bug() != PlantedBug.NO_LOCK_DELAY
          && h.lockDelayMs > 0) {
        lock.lockDelayUntilMs =
            Math.max(lock.lockDelayUntilMs, machine.state().nowMs + h.lockDelayMs);
        machine.state().delayedLocks.add(node.instanceNumber);
      }
    } else {
      lock.removeWaiter(h.id);
    }
    settle(node, events);
  }

  /** Ends an elapsed lock-delay and grants waiters from the head of the queue while they fit. */
  void settle(Node node, List<EventDelivery> events) {
    LockState lock = node.lock;
    if (lock.lockDelayUntilMs != 0 && !lock.inLockDelay(machine.state().nowMs)) {
      lock.lockDelayUntilMs = 0;
      machine.state().delayedLocks.remove(node.instanceNumber);
    }
    if (lock.inLockDelay(machine.state().nowMs)) {
      return;
    }
    while (!lock.waiters.isEmpty() && compatible(lock, lock.waiters.peekFirst().mode())) {
      LockState.Waiter next = lock.waiters.pollFirst();
      grant(node, machine.state().handles.get(next.handle()), next.mode(), events);
    }
  }

  boolean sequencerValid(ByteString bytes) {
    Sequencer seq = Sequencer.decode(bytes).orElse(null);
    if (seq == null) {
      return false;
    }
    Node node = machine.state().nodesByInstance.get(seq.instanceNumber());
    return node != null
        && node.path.toString().equals(seq.path())
        && node.lock.isHeld()
        && node.lock.heldMode() == seq.mode()
        && node.lockGeneration == seq.lockGeneration();
  }
}
