package io.tumbler.chaos.fencing;

import io.tumbler.lockservice.lock.Sequencer;

/**
 * When a {@link FencedResource} accepts a write: given the newest sequencer it has accepted ({@code
 * null} before the first) and the one presented. Passed to the constructor so that a test can plant
 * a broken rule without a switch in this code.
 */
@FunctionalInterface
public interface FenceRule {

  /**
   * Chubby's "compare with the newest seen": accept a sequencer at least as new as the newest
   * accepted (the holder's later writes carry the same one), refuse an older one: once a new holder
   * has been here, the previous one is shut out, even if it still believes it holds the lock.
   */
  FenceRule NEWEST_SEEN =
      (newest, presented) ->
          newest == null || FenceOrder.OLDEST_FIRST.compare(presented, newest) >= 0;

  boolean accepts(Sequencer newestAccepted, Sequencer presented);
}
