package io.tumbler.chaos.locksafety;

/**
 * One thing the lock-safety checker found wrong.
 *
 * @param kind what rule was broken
 * @param subject the resource or lock it concerns
 * @param description what happened, with the history's event indices or the resource's order
 */
public record LockViolation(Kind kind, String subject, String description) {

  public enum Kind {
    /** The resource accepted a write older than one it had already accepted: holders overlapped. */
    STALE_WRITE_ACCEPTED,
    /** The resource accepted writes of one generation from two processes: two holders at once. */
    TWO_HOLDERS_ONE_GENERATION,
    /** The resource refused a sequencer no older than the newest it had accepted. */
    CURRENT_SEQUENCER_REJECTED,
    /** The lock service gave one exclusive lock generation to two acquisitions. */
    GENERATION_GRANTED_TWICE,
    /** An acquisition that began after another had completed got an older generation. */
    GENERATION_WENT_BACK
  }

  @Override
  public String toString() {
    return kind + " " + subject + ": " + description;
  }
}
