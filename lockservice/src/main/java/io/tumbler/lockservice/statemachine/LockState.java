package io.tumbler.lockservice.statemachine;

import io.tumbler.lockservice.command.LockMode;
import java.util.ArrayDeque;
import java.util.TreeMap;

/** The lock of one node instance: its holders, its FIFO of waiters, and any lock-delay. */
final class LockState {

  record Waiter(long handle, LockMode mode) {}

  /** Holding handles; either one EXCLUSIVE, or any number SHARED. */
  final TreeMap<Long, LockMode> holders = new TreeMap<>();

  // Most locks never see a waiter; the smallest deque keeps 100k idle nodes cheap.
  final ArrayDeque<Waiter> waiters = new ArrayDeque<>(1);

  /** No grant before this time; 0 when no lock-delay runs. */
  long lockDelayUntilMs;

  boolean isHeld() {
    return !holders.isEmpty();
  }

  LockMode heldMode() {
    return holders.isEmpty() ? null : holders.firstEntry().getValue();
  }

  boolean isWaiting(long handle) {
    for (Waiter w : waiters) {
      if (w.handle() == handle) {
        return true;
      }
    }
    return false;
  }

  boolean removeWaiter(long handle) {
    return waiters.removeIf(w -> w.handle() == handle);
  }

  boolean inLockDelay(long nowMs) {
    return nowMs < lockDelayUntilMs;
  }

  /** Whether {@code mode} could be held together with the current holders. */
  boolean compatible(LockMode mode) {
    return holders.isEmpty() || (mode == LockMode.SHARED && heldMode() == LockMode.SHARED);
  }
}
