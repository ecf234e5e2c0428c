package io.tumbler.chaos.fencing;

import io.tumbler.lockservice.lock.Sequencer;
import java.util.Comparator;
import java.util.Locale;

/**
 * How sequencers of one lock compare: by node instance, then by lock generation. A later holder's
 * sequencer is greater: the lock generation grows each time the lock goes from free to held, and a
 * node created again under the same name has a greater instance number (and restarts its
 * generations). The mode plays no part.
 */
public final class FenceOrder {

  /** Older sequencers first. */
  public static final Comparator<Sequencer> OLDEST_FIRST =
      Comparator.comparingLong(Sequencer::instanceNumber)
          .thenComparingLong(Sequencer::lockGeneration);

  private FenceOrder() {}

  /** For reports: "exclusive generation 7 of #3" (mode, lock generation, node instance). */
  public static String describe(Sequencer s) {
    String mode = s.mode().name().toLowerCase(Locale.ROOT);
    return mode + " generation " + s.lockGeneration() + " of #" + s.instanceNumber();
  }
}
