package io.tumbler.paxos;

import java.util.Random;

/**
 * A planted bug for {@code PureCoreTest}: core-package code that reads the clock and draws its own
 * randomness. Test code only; the purity check of main code never imports it.
 */
public final class PlantedImpureCore {

  private PlantedImpureCore() {}

  public static long electionTimeout() {
    return System.nanoTime() + new Random().nextInt(100);
  }
}
