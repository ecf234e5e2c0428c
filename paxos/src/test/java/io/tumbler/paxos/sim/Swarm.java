package io.tumbler.paxos.sim;

import java.util.SplittableRandom;

/**
 * Fault rates for one seed, drawn "swarm" style: each seed turns some faults off entirely and dials
 * the others up or down, so different seeds stress different mixes.
 */
record Swarm(
    double dropRate,
    double duplicateRate,
    double longDelayRate,
    long maxDelayNanos,
    double partitionsPerSecond,
    double crashesPerSecond,
    long maxDiskLatencyNanos,
    double driftExtremeRate,
    long clientIntervalNanos,
    int snapshotEvery,
    double chunkCorruptRate) {

  static Swarm draw(SplittableRandom random) {
    return new Swarm(
        maybe(random, 0.6) ? random.nextDouble(0.15) : 0,
        maybe(random, 0.4) ? random.nextDouble(0.1) : 0,
        maybe(random, 0.5) ? random.nextDouble(0.1) : 0,
        1_000_000L + random.nextLong(9_000_000L),
        maybe(random, 0.6) ? random.nextDouble(3.0) : 0,
        maybe(random, 0.7) ? random.nextDouble(3.0) : 0,
        100_000L + random.nextLong(5_000_000L),
        random.nextDouble(),
        1_000_000L + random.nextLong(20_000_000L),
        maybe(random, 0.7) ? 3 + random.nextInt(40) : Integer.MAX_VALUE,
        maybe(random, 0.3) ? random.nextDouble(0.2) : 0);
  }

  /** No faults at all: for the liveness phase and for tests of the happy path. */
  Swarm calm() {
    return new Swarm(
        0,
        0,
        0,
        maxDelayNanos,
        0,
        0,
        maxDiskLatencyNanos,
        driftExtremeRate,
        clientIntervalNanos,
        snapshotEvery,
        0);
  }

  private static boolean maybe(SplittableRandom random, double p) {
    return random.nextDouble() < p;
  }
}
