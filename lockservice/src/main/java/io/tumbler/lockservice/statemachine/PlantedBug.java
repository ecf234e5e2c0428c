package io.tumbler.lockservice.statemachine;

/**
 * Deliberate faults, for showing that the tests catch them. Only tests pass anything but {@link
 * #NONE}, through the state machine's constructor; there is no global switch.
 */
public enum PlantedBug {
  NONE,
  /** Grants a shared request while the lock is held exclusively. */
  SHARED_BESIDE_EXCLUSIVE,
  /** Frees an expired holder's lock at once, as if it had been released. */
  NO_LOCK_DELAY,
  /** Applies a retried request again instead of answering with its first result. */
  RETRY_APPLIED_TWICE,
  /** Leaves a failed transaction's earlier writes in place. */
  PARTIAL_TRANSACTION
}
