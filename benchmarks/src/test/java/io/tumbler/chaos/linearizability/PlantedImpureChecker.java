package io.tumbler.chaos.linearizability;

import java.util.Random;

/**
 * A checker that breaks the purity rule on purpose (it reads the clock and draws random numbers),
 * for {@code CheckersArePureTest} to show that the rule bites. Test scope only.
 */
public final class PlantedImpureChecker {

  public long budgetLeft(long deadlineNs) {
    return deadlineNs - System.nanoTime() + new Random().nextInt(10);
  }
}
